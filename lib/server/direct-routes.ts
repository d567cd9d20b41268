// The gateway's hot path served straight from our node:http server. Next's route
// handling costs about as much CPU per request as the whole gateway (key check, limits,
// records, forwarding), measured with `npm run bench`: served through Next, the gateway
// reached 0.65-0.67 of a do-nothing Next route's throughput; a route that only forwarded
// reached 0.64-0.74. The handlers are plain Web Request → Response functions
// (lib/gateway/routes.ts), so this host only translates between node:http and Web types.
//
// The app registers its handlers at start-up from inside the Next bundle
// (lib/server/app.ts), so both hosts run the very same functions and module state.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { V1Refusal } from "@/lib/gateway/with-gateway-key";
import { PEER_HEADER } from "@/lib/http/client-ip";
import { closeAfterResponse, shouldCloseAfter } from "./connection";

export type WebHandler = (request: Request) => Promise<Response>;

export interface DirectRouteOptions {
  /** "METHOD /v1/path" entries that only Next's route files serve (the benchmark's baseline). */
  nextOnly?: readonly string[];
  /** Answers what our server refuses on /v1 through the gateway: its error mapping, its record. */
  refuse?: (request: Request, refusal: V1Refusal) => Promise<Response>;
}

interface V1Table {
  nextOnly: Set<string>;
  /** Path → the methods it answers, for 405 versus 404 and the Allow header. */
  methods: Map<string, string[]>;
  refuse?: DirectRouteOptions["refuse"];
}

const g: { __akmDirectRoutes?: Map<string, WebHandler>; __akmV1Table?: V1Table } = {};

export function registerDirectRoutes(routes: Record<string, WebHandler>, options: DirectRouteOptions = {}): void {
  g.__akmDirectRoutes = new Map(Object.entries(routes));
  const methods = new Map<string, string[]>();
  for (const entry of [...Object.keys(routes), ...(options.nextOnly ?? [])]) {
    const [method, path] = entry.split(" ");
    const list = methods.get(path) ?? [];
    // Node answers HEAD like GET without the body.
    list.push(...(method === "GET" ? ["GET", "HEAD"] : [method]));
    methods.set(path, list);
  }
  g.__akmV1Table = { nextOnly: new Set(options.nextOnly), methods, refuse: options.refuse };
}

/** The handler registered for this method and path (query ignored), if any. */
export function findDirectRoute(method: string | undefined, url: string | undefined): WebHandler | undefined {
  const routes = g.__akmDirectRoutes;
  if (!routes || !url) return undefined;
  const q = url.indexOf("?");
  return routes.get(`${method} ${q < 0 ? url : url.slice(0, q)}`);
}

/**
 * Who answers a /v1 request (`path` already normalised): our handler, Next's route file
 * (null), or the gateway's refusal — 405 with Allow for a known path, else 404 — so no
 * /v1 answer is an HTML page or an empty body.
 */
export function routeV1(method: string, path: string, direct: boolean): WebHandler | null {
  const table = g.__akmV1Table;
  if (!table?.refuse) return null; // not registered yet: Next answers, as without this host
  const asked = method === "HEAD" ? "GET" : method;
  const handler = findDirectRoute(asked, path);
  if (handler) return direct ? handler : null;
  if (table.nextOnly.has(`${asked} ${path}`)) return null;
  const allow = table.methods.get(path);
  const refusal: V1Refusal = allow
    ? { code: "method_not_allowed", message: `${method} is not allowed on ${path}; use ${allow.filter((m) => m !== "HEAD").join(" or ")}.`, allow, method }
    : { code: "unknown_url", message: `Invalid URL (${method} ${path})`, method };
  return refuseV1(refusal);
}

/** The gateway's answer to a refusal our server made (no Host, say); null before registration. */
export function refuseV1(refusal: V1Refusal): WebHandler | null {
  const refuse = g.__akmV1Table?.refuse;
  return refuse ? (request) => refuse(request, refusal) : null;
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    // A client's own copy of the peer header is dropped; the socket decides it.
    if (raw[i].length !== PEER_HEADER.length || raw[i].toLowerCase() !== PEER_HEADER) headers.append(raw[i], raw[i + 1]);
  }
  headers.set(PEER_HEADER, req.socket.remoteAddress ?? "");
  return headers;
}

// Read only as fast as the handler reads: a handler that refuses without reading (a bad
// key) or stops reading (too large, too slow) must not have the rest buffered for it.
const BODY_BUFFER_BYTES = 64 * 1024;

function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  let detach = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const onData = (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        };
        const onEnd = () => controller.close();
        const onError = (error: Error) => controller.error(error);
        req.on("data", onData);
        req.once("end", onEnd);
        req.once("error", onError);
        detach = () => {
          req.off("data", onData);
          req.off("end", onEnd);
          req.off("error", onError);
        };
      },
      pull() {
        req.resume();
      },
      cancel() {
        // The handler stopped reading: no more chunks into a cancelled stream. The
        // connection is closed after the answer (serveDirect), not reset before it.
        detach();
        req.pause();
      },
    },
    { highWaterMark: BODY_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
  );
}

const FETCH_FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Runs a Web handler for a node:http request and writes its Response back. */
export async function serveDirect(handler: WebHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Aborted when the client goes away before the answer is complete, as Next does.
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const host = req.headers.host ?? "localhost";
  // fetch's Request refuses TRACE and TRACK (Node hands CONNECT elsewhere). They only ever
  // reach a refusal, which names the method asked; a TRACE request has no body.
  const unsupported = FETCH_FORBIDDEN_METHODS.has(req.method ?? "");
  const request = new Request(`http://${host}${req.url}`, {
    method: unsupported ? "GET" : req.method,
    headers: toHeaders(req),
    body: unsupported ? undefined : requestBody(req),
    signal: abort.signal,
    // @ts-expect-error Node's fetch needs duplex for a streamed body; the DOM types lack it.
    duplex: "half",
  });
  const response = await handler(request);
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  if (shouldCloseAfter(req, response.status)) closeAfterResponse(res);
  res.writeHead(response.status, headers);
  if (!response.body) {
    endResponse(req, res);
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  res.once("close", cancel);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once("drain", resolve));
      if (res.destroyed) break;
    }
  } finally {
    res.off("close", cancel);
    endResponse(req, res);
  }
}

function endResponse(req: IncomingMessage, res: ServerResponse): void {
  res.end();
  // Whatever body is left unread is dropped, so the connection can carry the next request
  // (or, when closing, so the client's own close is seen).
  if (!req.readableEnded) {
    req.removeAllListeners("data");
    req.resume();
  }
}
