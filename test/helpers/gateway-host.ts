// The gateway on a real node:http server, called the way our host calls it, for tests
// that send it Web Requests and read Web Responses. The peer header is left as the test
// sent it (the real host overwrites it with the socket's address).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { request as undiciRequest } from "undici";
import { getEnv } from "@/lib/config/env";
import { createGateway, type Gateway } from "@/lib/gateway/gateway";
import { V1_ROUTES } from "@/lib/gateway/routes";
import { getUpstreamAgent } from "@/lib/gateway/upstream";
import { lookupKey } from "@/lib/keys/verify";
import { getLimiter } from "@/lib/ratelimit/limiter";
import { getUsageRecorder } from "@/lib/usage/recorder";

export interface GatewayHost {
  /** Sends the request to the gateway and returns its answer. */
  call(request: Request): Promise<Response>;
}

/** Registers beforeAll/afterAll hooks for a server that hands every request to the gateway. */
export function useGatewayHost(): GatewayHost {
  let server: Server;
  let base = "";
  // Built at the first request, reading the environment each time: tests set and change
  // it in their own hooks.
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      gateway ??= createGateway(
        {
          get env() {
            return getEnv();
          },
          lookupKey,
          limiter: getLimiter(),
          records: getUsageRecorder(),
          upstream: getUpstreamAgent(),
        },
        V1_ROUTES,
      );
      gateway(req, res, { path: new URL(req.url ?? "/", "http://gw.test").pathname });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    call: async (request) => {
      const url = new URL(request.url);
      const headers: Record<string, string> = { host: url.host };
      request.headers.forEach((value, name) => (headers[name] = value));
      // undici's request, not fetch: fetch will not send the Host the test addressed.
      const answer = await undiciRequest(`${base}${url.pathname}${url.search}`, {
        method: request.method,
        headers,
        body: request.body ? Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>) : undefined,
        signal: request.signal,
      });
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        for (const v of Array.isArray(value) ? value : [value ?? ""]) responseHeaders.append(name, v);
      }
      const body = request.method === "HEAD" || answer.statusCode === 204 ? null : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>);
      return new Response(body, { status: answer.statusCode, headers: responseHeaders });
    },
  };
}
