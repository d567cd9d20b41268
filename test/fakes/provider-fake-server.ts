// Plumbing shared by the fake provider upstreams (anthropic.ts, gemini.ts): a real
// node:http server on 127.0.0.1 and a free port, a record of every request it received,
// and response writers that send each SSE event as its own write, so a client sees events
// arrive one by one as from the real APIs.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  /** Path without the query string, e.g. "/v1/messages". */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  rawBody: string;
  /** "aborted": the caller closed the connection before the response was complete. */
  state: "open" | "completed" | "aborted";
}

export interface FakeServer {
  /** Base URL (no trailing slash), e.g. http://127.0.0.1:41234 — use as ANTHROPIC_BASE_URL / GOOGLE_BASE_URL. */
  url: string;
  /** Every request, in arrival order, recorded before it is checked. */
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export type FakeHandler = (request: ReceivedRequest, res: ServerResponse, incoming: IncomingMessage) => Promise<void>;

/** `record: false` keeps no history (the benchmark sends hundreds of thousands of requests). */
export async function startFakeServer(handle: FakeHandler, options: { record?: boolean } = {}): Promise<FakeServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((incoming, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const url = new URL(incoming.url ?? "/", "http://fake");
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const request: ReceivedRequest = {
        method: incoming.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: parseBody(rawBody),
        rawBody,
        state: "open",
      };
      if (options.record !== false) received.push(request);
      res.once("finish", () => (request.state = "completed"));
      res.once("close", () => {
        if (!res.writableFinished) request.state = "aborted";
      });
      res.socket?.setNoDelay(true);
      await handle(request, res, incoming);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { fake_error: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parseBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Resolves after `ms`, or at once when the client has gone (so the fake stops writing). */
export function pause(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once("close", done);
    function done() {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    }
  });
}

/**
 * Holds streams part-way until a test opens it: the test can see what reached the client
 * while the upstream has provably not finished. Opening releases every waiting stream.
 */
export class Gate {
  private release: () => void = () => undefined;
  private opened = this.next();
  /** Streams waiting at the gate now. */
  waiting = 0;

  private next(): Promise<void> {
    return new Promise<void>((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
    this.opened = this.next();
  }

  /** Resolves when the gate opens, or at once when the client has gone. */
  async wait(res: ServerResponse): Promise<void> {
    if (res.destroyed) return;
    this.waiting++;
    let onClose = () => undefined as void;
    try {
      await Promise.race([this.opened, new Promise<void>((resolve) => res.once("close", (onClose = resolve)))]);
    } finally {
      res.off("close", onClose);
      this.waiting--;
    }
  }
}

/**
 * Writes each frame separately, letting the event loop turn between writes so each goes
 * out on its own (chunked encoding, Nagle off). Stops if the client disconnects. With a
 * gate, waits at it after `gate.after` frames.
 */
export async function writeFrames(res: ServerResponse, frames: string[], gate?: { after: number; gate: Gate }): Promise<void> {
  for (const [i, frame] of frames.entries()) {
    if (gate && i === gate.after) await gate.gate.wait(res);
    if (res.destroyed) return;
    res.write(frame);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A whitespace-split token count: deterministic stand-in for a tokenizer. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Splits text into word tokens that keep their trailing whitespace ("a b" → ["a ", "b"]). */
export function wordTokens(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** A value matching a JSON Schema, enough for a fake model's tool inputs and JSON answers. */
export function sampleFromSchema(schema: unknown, depth = 0): unknown {
  if (typeof schema !== "object" || schema === null || depth > 6) return null;
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ("const" in s) return s.const;
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (typeof type === "string" ? type.toLowerCase() : type) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? (s.required as string[]) : Object.keys(properties);
      return Object.fromEntries(required.filter((k) => k in properties).map((k) => [k, sampleFromSchema(properties[k], depth + 1)]));
    }
    case "array":
      return [sampleFromSchema(s.items, depth + 1)];
    case "string":
      return "example";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      return s.properties ? sampleFromSchema({ ...s, type: "object" }, depth) : null;
  }
}
