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
import { PEER_HEADER } from "@/lib/http/client-ip";

export type WebHandler = (request: Request) => Promise<Response>;

const g = globalThis as unknown as { __akmDirectRoutes?: Map<string, WebHandler> };

export function registerDirectRoutes(routes: Record<string, WebHandler>): void {
  g.__akmDirectRoutes = new Map(Object.entries(routes));
}

/** The handler registered for this method and path (query ignored), if any. */
export function findDirectRoute(method: string | undefined, url: string | undefined): WebHandler | undefined {
  const routes = g.__akmDirectRoutes;
  if (!routes || !url) return undefined;
  const q = url.indexOf("?");
  return routes.get(`${method} ${q < 0 ? url : url.slice(0, q)}`);
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

function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      req.once("end", () => controller.close());
      req.once("error", (error) => controller.error(error));
    },
    cancel() {
      req.destroy();
    },
  });
}

/** Runs a Web handler for a node:http request and writes its Response back. */
export async function serveDirect(handler: WebHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Aborted when the client goes away before the answer is complete, as Next does.
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const host = req.headers.host ?? "localhost";
  const request = new Request(`http://${host}${req.url}`, {
    method: req.method,
    headers: toHeaders(req),
    body: requestBody(req),
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
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
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
    res.end();
  }
}
