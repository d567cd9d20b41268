// The production server probed from outside the way a scanner or an attacker would, over
// raw sockets where a client library would normalise the request: paths that leave /v1
// after normalisation, foreign or missing Host headers, methods nobody serves, bodies that
// are too deep, too long or never finish, and forwarded headers from a peer nobody trusts.
// Every answer is a clear 4xx in the right shape, and every /v1 refusal is recorded once.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getDb } from "@/lib/db/client";
import type { AppServer } from "@/test/helpers/app-server";
import { waitFor } from "@/test/helpers/ports";
import { openRaw, requestText, rawRequest, type RawResponse } from "@/test/helpers/raw-http";
import { flushedLog, startGatewayHarness, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
/** ALLOWED_HOSTS set; TRUSTED_PROXIES without 127.0.0.1, so the test is an untrusted peer. */
let guarded: AppServer;
/** Defaults: the test is a trusted proxy. */
let trusting: AppServer;
let secret: string;

const MAX_BODY = 1_000_000;

beforeAll(async () => {
  h = await startGatewayHarness();
  [guarded, trusting] = await Promise.all([
    h.startServer({ ALLOWED_HOSTS: "console.example.com", TRUSTED_PROXIES: "10.9.9.9", MAX_REQUEST_BODY_BYTES: String(MAX_BODY), REQUEST_BODY_TIMEOUT: "1" }),
    h.startServer(),
  ]);
  ({ secret } = await h.createKey({ name: "probes", rateLimit: 1000 }));
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const hostOf = (server: AppServer) => new URL(server.url).host;
const get = (server: AppServer, target: string, headers: Record<string, string> = {}) =>
  rawRequest(server.url, requestText("GET", target, { Host: hostOf(server), Connection: "close", ...headers }));

/** The OpenAI error shape, and exactly one request record for it. */
async function expectV1Refusal(response: RawResponse, status: number, code: string): Promise<void> {
  expect({ status: response.status, type: response.headers["content-type"] }).toEqual({ status, type: expect.stringMatching(/^application\/json/) });
  const body = JSON.parse(response.body);
  expect(body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code } });
  const requestId = response.headers["x-request-id"];
  expect(requestId).toBeTruthy();
  const log = await flushedLog(requestId);
  expect(log).toMatchObject({ status, errorCode: code });
  expect(await getDb().requestLog.count({ where: { requestId } })).toBe(1);
}

/** The console's JSON refusal (not a page, not an empty body). */
function expectConsoleRefusal(response: RawResponse, status: number, code: string): void {
  expect({ status: response.status, type: response.headers["content-type"] }).toEqual({ status, type: expect.stringMatching(/^application\/json/) });
  expect(JSON.parse(response.body)).toEqual({ error: { code, message: expect.any(String) } });
}

describe("ALLOWED_HOSTS", () => {
  it.each([
    ["a dot segment", "/v1/../signin"],
    ["percent-encoded dots", "/v1/%2e%2e/api/auth/csrf"],
    ["mixed-case encoded dots", "/v1/.%2E/api/auth/csrf"],
    ["backslashes", "/v1\\..\\signin"],
  ])("refuses a foreign Host on a path that leaves /v1 through %s", async (_, target) => {
    const response = await get(guarded, target, { Host: "rebound.attacker.example" });
    expectConsoleRefusal(response, 400, "host_not_allowed");
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  it("takes the host of an absolute-form target, as HTTP/1.1 says, instead of the Host header", async () => {
    const response = await get(guarded, "http://rebound.attacker.example/signin", { Host: "console.example.com" });
    expectConsoleRefusal(response, 400, "host_not_allowed");
    expect((await get(guarded, "http://console.example.com/signin", { Host: "rebound.attacker.example" })).status).toBe(200);
  });

  it("refuses a foreign Host on /v1 in OpenAI's shape, on known and unknown paths alike, and records it", async () => {
    await expectV1Refusal(await get(guarded, "/v1/models", { Host: "rebound.attacker.example", Authorization: `Bearer ${secret}` }), 400, "host_not_allowed");
    await expectV1Refusal(await get(guarded, "/v1/nope", { Host: "rebound.attacker.example" }), 400, "host_not_allowed");
    await expectV1Refusal(await get(guarded, "/v1/x/../models", { Host: "rebound.attacker.example" }), 400, "host_not_allowed");
  });

  it("still serves the allowed host and loopback", async () => {
    expect((await get(guarded, "/signin", { Host: "console.example.com" })).status).toBe(200);
    expect((await get(guarded, "/v1/x/../models", { Authorization: `Bearer ${secret}` })).status).toBe(200);
  });
});

describe("bad input gets a clear 4xx, never a 5xx or a reset", () => {
  it("refuses JSON nested 10,000 deep with a 400", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    for (const body of [`{"model":"gpt-4o-mini","messages":${deep}}`, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":${deep}}`]) {
      const response = await rawRequest(
        guarded.url,
        requestText("POST", "/v1/chat/completions", { Host: hostOf(guarded), Connection: "close", Authorization: `Bearer ${secret}`, "Content-Type": "application/json" }, body),
      );
      await expectV1Refusal(response, 400, "invalid_request");
      expect(JSON.parse(response.body).error.message).toMatch(/nested more than \d+ levels deep/);
    }
  });

  it("answers TRACE with 405 and Allow, in JSON on the console and in OpenAI's shape on /v1", async () => {
    const console = await rawRequest(guarded.url, requestText("TRACE", "/signin", { Host: hostOf(guarded), Connection: "close" }));
    expectConsoleRefusal(console, 405, "method_not_allowed");
    expect(console.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    const v1 = await rawRequest(guarded.url, requestText("TRACE", "/v1/models", { Host: hostOf(guarded), Connection: "close" }));
    await expectV1Refusal(v1, 405, "method_not_allowed");
    expect(v1.headers.allow).toBe("GET, HEAD");
  });

  it("answers `OPTIONS *` and other targets that are not a path with a 400 in JSON", async () => {
    expectConsoleRefusal(await rawRequest(guarded.url, requestText("OPTIONS", "*", { Host: hostOf(guarded), Connection: "close" })), 400, "invalid_request_target");
    expectConsoleRefusal(await rawRequest(guarded.url, requestText("GET", "ftp://x/signin", { Host: hostOf(guarded), Connection: "close" })), 400, "invalid_request_target");
  });

  it("answers a 50 MB chunked body with 413 once the limit is passed, then closes", async () => {
    const exchange = openRaw(
      guarded.url,
      requestText("POST", "/v1/chat/completions", { Host: hostOf(guarded), Authorization: `Bearer ${secret}`, "Content-Type": "application/json", "Transfer-Encoding": "chunked" }),
    );
    const chunk = Buffer.from(`10000\r\n${"x".repeat(0x10000)}\r\n`);
    let sent = 0;
    let answered = false;
    exchange.response.then(() => (answered = true), () => (answered = true));
    exchange.socket.on("error", () => undefined); // writing after the server closed
    while (!answered && sent < 50 * 1024 * 1024 && !exchange.socket.destroyed) {
      sent += 0x10000;
      if (!exchange.socket.write(chunk)) await new Promise((r) => exchange.socket.once("drain", r).once("close", r));
    }
    const response = await exchange.response;
    await expectV1Refusal(response, 413, "request_too_large");
    expect(response.headers.connection).toBe("close");
    await exchange.closed;
    expect(sent).toBeLessThan(50 * 1024 * 1024);
    exchange.socket.destroy();
  });

  it("answers a client that stops sending its body with 408 after REQUEST_BODY_TIMEOUT, recorded as the client's timeout", async () => {
    const started = Date.now();
    const exchange = openRaw(
      guarded.url,
      requestText("POST", "/v1/chat/completions", { Host: hostOf(guarded), Authorization: `Bearer ${secret}`, "Content-Type": "application/json", "Content-Length": "1000" }) + '{"model":',
    );
    const response = await Promise.race([
      exchange.response,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 20 s")), 20_000).unref()),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await expectV1Refusal(response, 408, "request_timeout");
    await exchange.closed;
    exchange.socket.destroy();
    // A client's timeout is not a failure of ours: no system event.
    expect(await getDb().event.count({ where: { requestId: response.headers["x-request-id"] } })).toBe(0);
  });
});

describe("answers inside the contract", () => {
  it.each([["with ALLOWED_HOSTS", () => guarded]])("answers 404 and 405 on /v1 in OpenAI's shape (%s)", async (_, server) => {
    const wrongMethod = await get(server(), "/v1/chat/completions");
    await expectV1Refusal(wrongMethod, 405, "method_not_allowed");
    expect(wrongMethod.headers.allow).toBe("POST");
    await expectV1Refusal(await get(server(), "/v1"), 404, "unknown_url");
    await expectV1Refusal(await get(server(), "/v1/"), 404, "unknown_url");
    await expectV1Refusal(await rawRequest(server().url, requestText("DELETE", "/v1/embeddings-nope", { Host: hostOf(server()), Connection: "close" })), 404, "unknown_url");
  });

  it("answers a request without Host in JSON", async () => {
    const v1 = await rawRequest(guarded.url, "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n");
    await expectV1Refusal(v1, 400, "invalid_request");
    expect(JSON.parse(v1.body).error.message).toMatch(/Host/);
    expectConsoleRefusal(await rawRequest(guarded.url, "GET /signin HTTP/1.1\r\nConnection: close\r\n\r\n"), 400, "invalid_host");
  });
});

describe("forwarded headers", () => {
  const actionId = (): string => {
    const manifest = JSON.parse(readFileSync(resolve(__dirname, "../.next/server/server-reference-manifest.json"), "utf8")) as {
      node: Record<string, { exportedName?: string; filename?: string }>;
    };
    const [id] = Object.entries(manifest.node).find(([, action]) => action.exportedName === "createKeyAction")!;
    return id;
  };
  // A page's server action, posted cross-site with a matching X-Forwarded-Host (a session
  // cookie of any value gets it past proxy.ts's redirect; the action checks the session).
  const postAction = (server: AppServer) =>
    rawRequest(
      server.url,
      requestText(
        "POST",
        "/admin/keys",
        {
          Host: hostOf(server),
          Connection: "close",
          Origin: "http://evil.example",
          "X-Forwarded-Host": "evil.example",
          "X-Forwarded-Proto": "http",
          "Next-Action": actionId(),
          Accept: "text/x-component",
          "Content-Type": "text/plain;charset=UTF-8",
          Cookie: "next-auth.session-token=not-a-session",
        },
        '[{"name":"cross-site"}]',
      ),
    );

  it("ignores them from an untrusted peer, so Next refuses a cross-site server action", async () => {
    const response = await postAction(guarded);
    expect(response.status).not.toBe(200);
    // Next compared the Origin with the real Host, not the forged X-Forwarded-Host.
    await waitFor("Next's refusal in the log", () =>
      expect(guarded.output()).toMatch(/header with value `127\.0\.0\.1:\d+` does not match `origin` header with value `evil\.example`/),
    );
    expect(response.body).not.toContain('"ok":false');
  });

  it("believes them from a trusted proxy, as before", async () => {
    const response = await postAction(trusting);
    expect(response.status).toBe(200);
    // The action ran and refused the made-up session itself.
    expect(response.body).toContain('"ok":false');
  });
});
