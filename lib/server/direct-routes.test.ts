import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PEER_HEADER } from "@/lib/http/client-ip";
import type { V1Refusal } from "@/lib/gateway/with-gateway-key";
import { openRaw, requestText } from "@/test/helpers/raw-http";
import { findDirectRoute, refuseV1, registerDirectRoutes, routeV1, serveDirect, type WebHandler } from "./direct-routes";

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

  it("routes /v1: the handler, Next's route file (null), 405 with Allow for a known path, 404 for the rest", async () => {
    const chat: WebHandler = async () => new Response("chat");
    const models: WebHandler = async () => new Response("models");
    const refusals: V1Refusal[] = [];
    const refuse = async (_: Request, refusal: V1Refusal) => {
      refusals.push(refusal);
      return new Response(null, { status: 418 });
    };
    registerDirectRoutes({ "POST /v1/chat/completions": chat, "GET /v1/models": models }, { nextOnly: ["POST /v1/bench-noop"], refuse });
    expect(routeV1("POST", "/v1/chat/completions", true)).toBe(chat);
    expect(routeV1("HEAD", "/v1/models", true)).toBe(models);
    expect(routeV1("POST", "/v1/chat/completions", false)).toBeNull();
    expect(routeV1("POST", "/v1/bench-noop", true)).toBeNull();
    const answers = [
      routeV1("GET", "/v1/chat/completions", true),
      routeV1("TRACE", "/v1/models", false),
      routeV1("GET", "/v1/bench-noop", true),
      routeV1("POST", "/v1/embeddings", true),
      routeV1("GET", "/v1", true),
    ];
    for (const answer of answers) expect((await answer!(new Request("http://gw.test/"))).status).toBe(418);
    expect(refusals).toEqual([
      { code: "method_not_allowed", message: "GET is not allowed on /v1/chat/completions; use POST.", allow: ["POST"], method: "GET" },
      { code: "method_not_allowed", message: "TRACE is not allowed on /v1/models; use GET.", allow: ["GET", "HEAD"], method: "TRACE" },
      { code: "method_not_allowed", message: "GET is not allowed on /v1/bench-noop; use POST.", allow: ["POST"], method: "GET" },
      { code: "unknown_url", message: "Invalid URL (POST /v1/embeddings)", method: "POST" },
      { code: "unknown_url", message: "Invalid URL (GET /v1)", method: "GET" },
    ]);
    expect(refuseV1({ code: "invalid_request", message: "no Host" })).not.toBeNull();
  });

  it("leaves /v1 to Next until the gateway has registered its refusals", () => {
    registerDirectRoutes({ "POST /v1/chat/completions": async () => new Response("chat") });
    expect(routeV1("GET", "/v1/nope", true)).toBeNull();
    expect(refuseV1({ code: "invalid_request", message: "no Host" })).toBeNull();
  });

  it("hands a TRACE request, which fetch's Request refuses, to its handler", async () => {
    handler = async (request) => new Response(`${request.method} ${request.body === null}`, { status: 405 });
    const exchange = openRaw(base, requestText("TRACE", "/v1/models", { Host: "gw.test", Connection: "close" }));
    expect(await exchange.response).toMatchObject({ status: 405, body: "GET true" });
    exchange.socket.destroy();
  });

  it("answers before a large body has arrived and then closes the connection with FIN, not a reset", async () => {
    handler = async () => new Response("too large", { status: 413 });
    const exchange = openRaw(base, requestText("POST", "/v1/upload", { Host: "gw.test", "Transfer-Encoding": "chunked" }));
    let ended = false;
    const finished = new Promise<string>((resolve) => {
      exchange.socket.once("end", () => resolve("end"));
      exchange.socket.once("error", (error) => resolve(`error ${error.message}`));
    });
    exchange.response.then(() => (ended = true), () => (ended = true));
    const chunk = Buffer.from(`10000\r\n${"x".repeat(0x10000)}\r\n`);
    // 13 MB at most; the answer comes long before.
    for (let sent = 0; !ended && sent < 200; sent++) {
      if (!exchange.socket.write(chunk)) await new Promise((resolve) => exchange.socket.once("drain", resolve).once("close", resolve));
    }
    expect(await exchange.response).toMatchObject({ status: 413, body: "too large", headers: { connection: "close" } });
    expect(await finished).toBe("end");
    exchange.socket.destroy();
  });

  it("delivers a long answer in full to a client still sending, instead of resetting the connection under it", async () => {
    // 4 MB does not fit the sockets' buffers: it is still on its way when our side is done.
    const answer = "e".repeat(4 * 1024 * 1024);
    handler = async () => new Response(answer, { status: 413 });
    const exchange = openRaw(base, requestText("POST", "/v1/upload", { Host: "gw.test", "Transfer-Encoding": "chunked" }));
    const chunk = Buffer.from(`10000\r\n${"x".repeat(0x10000)}\r\n`);
    // The client keeps sending while it reads the answer.
    let answered = false;
    exchange.response.then(() => (answered = true), () => (answered = true));
    exchange.socket.on("error", () => undefined);
    while (!answered && !exchange.socket.destroyed) {
      if (!exchange.socket.write(chunk)) await new Promise((resolve) => exchange.socket.once("drain", resolve).once("close", resolve));
    }
    const response = await exchange.response;
    expect(response.status).toBe(413);
    expect(response.body.length).toBe(answer.length);
    exchange.socket.destroy();
  });

  it("keeps the connection after a refusal that did not read a small body, dropping the body", async () => {
    let calls = 0;
    handler = async (request) => new Response(`answer ${++calls} ${request.method}`, { status: calls === 1 ? 401 : 200 });
    const exchange = openRaw(base, requestText("POST", "/v1/first", { Host: "gw.test" }, "x".repeat(1000)));
    expect(await exchange.response).toMatchObject({ status: 401, body: "answer 1 POST" });
    expect(exchange.socket.readyState).toBe("open");
    const second = new Promise<string>((resolve) => exchange.socket.on("data", (data) => data.includes("answer 2") && resolve(data.toString())));
    exchange.socket.write(requestText("GET", "/v1/second", { Host: "gw.test" }));
    expect(await second).toMatch(/^HTTP\/1\.1 200[\s\S]*answer 2 GET/);
    exchange.socket.destroy();
  });
});
