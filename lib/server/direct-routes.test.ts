import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PEER_HEADER } from "@/lib/http/client-ip";
import { findDirectRoute, registerDirectRoutes, serveDirect, type WebHandler } from "./direct-routes";

let server: Server;
let base: string;
let handler: WebHandler;

beforeAll(async () => {
  server = createServer((req, res) => void serveDirect((r) => handler(r), req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("direct routes", () => {
  it("finds a registered handler by method and path, ignoring the query", () => {
    const chat: WebHandler = async () => new Response("chat");
    registerDirectRoutes({ "POST /v1/chat/completions": chat });
    expect(findDirectRoute("POST", "/v1/chat/completions?x=1")).toBe(chat);
    expect(findDirectRoute("GET", "/v1/chat/completions")).toBeUndefined();
    expect(findDirectRoute("POST", "/v1/chat/completions/")).toBeUndefined();
    expect(findDirectRoute("POST", undefined)).toBeUndefined();
  });

  it("hands the handler the method, URL, headers and body, and writes back status, headers and body", async () => {
    handler = async (request) => {
      const body = await request.text();
      return new Response(JSON.stringify({ method: request.method, url: request.url, custom: request.headers.get("x-custom"), body }), {
        status: 201,
        headers: { "content-type": "application/json", "x-request-id": "abc" },
      });
    };
    const response = await fetch(`${base}/v1/echo?q=1`, { method: "POST", headers: { "x-custom": "yes" }, body: "hello" });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-request-id")).toBe("abc");
    expect(await response.json()).toEqual({ method: "POST", url: `${base}/v1/echo?q=1`, custom: "yes", body: "hello" });
  });

  it("sets the peer header from the socket and drops a copy the client sent", async () => {
    handler = async (request) => new Response(request.headers.get(PEER_HEADER));
    const response = await fetch(`${base}/v1/peer`, { headers: { [PEER_HEADER]: "10.9.9.9" } });
    expect(await response.text()).toBe("127.0.0.1");
  });

  it("passes every Set-Cookie header", async () => {
    handler = async () => {
      const headers = new Headers();
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response(null, { status: 204, headers });
    };
    const response = await fetch(`${base}/v1/cookies`);
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  });

  it("streams each chunk as the handler produces it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    handler = async () =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("data: first\n\n"));
            await gate; // the second chunk waits until the client has seen the first
            controller.enqueue(new TextEncoder().encode("data: second\n\n"));
            controller.close();
          },
        }),
      );
    const response = await fetch(`${base}/v1/stream`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
    release();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe("data: second\n\n");
  });

  it("aborts the request signal and cancels the response body when the client goes away", async () => {
    let aborted!: () => void;
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    let cancelled!: () => void;
    const sawCancel = new Promise<void>((resolve) => (cancelled = resolve));
    handler = async (request) => {
      request.signal.addEventListener("abort", () => aborted());
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("data: first\n\n"));
          },
          cancel() {
            cancelled();
          },
        }),
      );
    };
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/hang`, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.once("error", () => undefined);
      req.end();
      setTimeout(() => reject(new Error("no first chunk")), 10_000).unref();
    });
    await Promise.all([sawAbort, sawCancel]);
  });
});
