// The gateway's own steps on a real node:http server, with made-up routes and services:
// routing (404, 405 with Allow), one record per request whoever answers, the client going
// away, and the connection after an answer sent before the body had arrived.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseEnv } from "@/lib/config/env";
import type { EventInput } from "@/lib/events/record";
import type { CachedKey } from "@/lib/keys/cache";
import type { Limiter } from "@/lib/ratelimit/types";
import type { RequestRecord } from "@/lib/usage/recorder";
import { openRaw, requestText } from "@/test/helpers/raw-http";
import { waitFor } from "@/test/helpers/ports";
import { readJsonBody } from "./body";
import { createGateway, sendJson, type V1Handler, type V1Routes } from "./gateway";

const KEY: CachedKey = {
  id: "key-1", name: "k", prefix: "sk-akm_abc", enabled: true, status: "active", expiresAt: Date.now() + 86_400_000,
  dailyLimit: 100, rateLimit: 100, allowedModels: null, ipAllowed: () => true, hasIpRules: false,
};
const limiter: Limiter = {
  mode: "memory",
  check: async () => ({ allowed: true, window: { limit: 100, remaining: 99, resetAt: Date.now() + 60_000 }, day: "2026-12-07" }),
  close: async () => undefined,
};

const records: { record: RequestRecord; events: EventInput[] }[] = [];
let server: Server;
let base: string;
let handler: V1Handler;

beforeAll(async () => {
  const routes: V1Routes = {
    "/v1/chat/completions": { POST: (ctx) => handler(ctx) },
    "/v1/models": { GET: (ctx) => handler(ctx) },
  };
  const gateway = createGateway(
    {
      env: parseEnv({ DATA_DIR: process.env.DATA_DIR, MAX_REQUEST_BODY_BYTES: "4096" }),
      lookupKey: async (secret) => (secret === "good" ? { ok: true, key: KEY } : { ok: false, reason: secret === null ? "missing" : "unknown" }),
      limiter,
      records: { record: (record, events) => records.push({ record, events }) },
      upstream: undefined as never,
    },
    routes,
  );
  server = createServer((req, res) => gateway(req, res, { path: new URL(req.url ?? "/", "http://gw.test").pathname }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const recordOf = (response: Response) => records.find((r) => r.record.requestId === response.headers.get("x-request-id"));

describe("the gateway", () => {
  it("answers 405 with Allow for a known path's other methods and 404 for unknown paths, in OpenAI's shape, each with one record", async () => {
    const cases: [string, string, number, string, string | null][] = [
      ["GET", "/v1/chat/completions", 405, "GET is not allowed on /v1/chat/completions; use POST.", "POST"],
      ["DELETE", "/v1/models", 405, "DELETE is not allowed on /v1/models; use GET.", "GET, HEAD"],
      ["POST", "/v1/embeddings", 404, "Invalid URL (POST /v1/embeddings)", null],
      ["GET", "/v1", 404, "Invalid URL (GET /v1)", null],
    ];
    for (const [method, path, status, message, allow] of cases) {
      const response = await fetch(`${base}${path}`, { method, headers: { authorization: "Bearer good" } });
      expect([method, path, response.status, response.headers.get("allow")]).toEqual([method, path, status, allow]);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.json()).toEqual({ error: { message, type: "invalid_request_error", param: null, code: status === 405 ? "method_not_allowed" : "unknown_url" } });
      expect(recordOf(response)?.record).toMatchObject({ method, path, status, keyId: null });
    }
  });

  it("writes one record for a handler's answer, with the key, and the X-RateLimit headers", async () => {
    handler = async (ctx) => {
      ctx.log.asked("m-1", false);
      sendJson(ctx, 200, { ok: true });
    };
    const response = await fetch(`${base}/v1/models`, { headers: { authorization: "Bearer good" } });
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get("x-ratelimit-remaining")).toBe("99");
    expect(records.filter((r) => r.record.requestId === response.headers.get("x-request-id"))).toHaveLength(1);
    expect(recordOf(response)?.record).toMatchObject({ keyId: "key-1", model: "m-1", status: 200, countedDay: "2026-12-07", errorCode: null });
  });

  it("records a refused key with its security event, and a bug of ours as a logged 500 that names only the request id", async () => {
    const refused = await fetch(`${base}/v1/models`, { headers: { authorization: "Bearer wrong" } });
    expect(refused.status).toBe(401);
    expect(recordOf(refused)).toMatchObject({ record: { status: 401, errorCode: "invalid_api_key" }, events: [{ category: "security", type: "invalid_api_key", details: { code: "invalid_api_key", path: "/v1/models" } }] });

    handler = async () => {
      throw new TypeError("a bug");
    };
    const broken = await fetch(`${base}/v1/models`, { headers: { authorization: "Bearer good" } });
    expect(broken.status).toBe(500);
    const body = await broken.json();
    expect(body.error.message).toContain(broken.headers.get("x-request-id"));
    expect(body.error.message).not.toContain("a bug");
    expect(recordOf(broken)).toMatchObject({ record: { status: 500, errorCode: "internal_error" }, events: [{ category: "system", type: "internal_error" }] });
  });

  it("aborts the handler's signal when the client goes away", async () => {
    let aborted!: () => void;
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    handler = async (ctx) => {
      ctx.signal.addEventListener("abort", () => aborted());
      ctx.res.writeHead(200, { "content-type": "text/event-stream" });
      ctx.res.write("data: first\n\n");
      await new Promise((resolve) => ctx.res.once("close", resolve));
      ctx.log.clientGone();
      ctx.log.finish(200);
    };
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/models`, { headers: { authorization: "Bearer good" } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.once("error", () => undefined);
      req.end();
      setTimeout(() => reject(new Error("no first chunk")), 10_000).unref();
    });
    await sawAbort;
    await waitFor("the record", () => expect(records.at(-1)?.record).toMatchObject({ status: 200, errorCode: "client_closed_request" }));
  });

  it("answers before a large body has arrived and then closes the connection with FIN, not a reset", async () => {
    handler = async (ctx) => void (await readJsonBody(ctx.req, 4096));
    const exchange = openRaw(base, requestText("POST", "/v1/chat/completions", { Host: "gw.test", Authorization: "Bearer good", "Transfer-Encoding": "chunked" }));
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
    const response = await exchange.response;
    expect(response).toMatchObject({ status: 413, headers: { connection: "close" } });
    expect(JSON.parse(response.body).error.code).toBe("request_too_large");
    expect(await finished).toBe("end");
    exchange.socket.destroy();
  });

  it("keeps the connection after a refusal that did not read a small body, dropping the body", async () => {
    handler = async (ctx) => sendJson(ctx, 200, { second: true });
    const exchange = openRaw(base, requestText("POST", "/v1/chat/completions", { Host: "gw.test", Authorization: "Bearer wrong" }, "x".repeat(1000)));
    expect(await exchange.response).toMatchObject({ status: 401 });
    expect(exchange.socket.readyState).toBe("open");
    const second = new Promise<string>((resolve) => exchange.socket.on("data", (data) => data.includes("second") && resolve(data.toString())));
    exchange.socket.write(requestText("GET", "/v1/models", { Host: "gw.test", Authorization: "Bearer good" }));
    expect(await second).toMatch(/^HTTP\/1\.1 200[\s\S]*"second":true/);
    exchange.socket.destroy();
  });
});
