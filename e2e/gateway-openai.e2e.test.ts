// The official openai client (v6) against the production server: completions, streams,
// model lists, and every error class the client raises for the gateway's answers.
import type OpenAI from "openai";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from "openai";
import { request } from "node:http";
import { getDb } from "@/lib/db/client";
import { setKeyEnabled } from "@/lib/keys/service";
import { freePort, waitFor } from "@/test/helpers/ports";
import type { AppServer } from "@/test/helpers/app-server";
import { flushedLog, requestLog, startGatewayHarness, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
let server: AppServer;
beforeAll(async () => {
  h = await startGatewayHarness();
  server = await h.startServer({ UPSTREAM_TIMEOUT: "1", UPSTREAM_IDLE_TIMEOUT: "1", MAX_REQUEST_BODY_BYTES: "20000" });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const messages = [{ role: "user" as const, content: "say hello please" }];

async function raised(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe("the openai client against the gateway", () => {
  it("creates a completion and the request is recorded with its tokens", async () => {
    const { id, secret } = await h.createKey({ name: "json", rateLimit: 50 });
    const { data, response } = await h.client(server, secret).chat.completions.create({ model: "gpt-4o-mini", messages, temperature: 0 }).withResponse();
    expect(data.choices[0].message.content).toBe("word0 word1 word2 ");
    expect(data.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
    expect(response.headers.get("x-ratelimit-limit")).toBe("50");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("49");
    const requestId = response.headers.get("x-request-id")!;
    const log = await waitFor("the request log", async () => (await requestLog(requestId)) ?? Promise.reject(new Error("not yet")));
    expect(log).toMatchObject({ keyId: id, status: 200, model: "gpt-4o-mini", provider: "openai", promptTokens: 6, completionTokens: 3, stream: false, clientIp: "127.0.0.1" });
    await waitFor("last_used_at", async () => expect((await getDb().apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull());
  });

  it("streams a completion; usage reaches the client only when it asks, and is recorded either way", async () => {
    const { secret } = await h.createKey({ name: "stream" });
    const client = h.client(server, secret);
    const { data: stream, response } = await client.chat.completions.create({ model: "gpt-4o-mini:chunks=5", messages, stream: true }).withResponse();
    let text = "";
    for await (const chunk of stream) {
      expect(chunk.choices).toHaveLength(1);
      text += chunk.choices[0].delta.content ?? "";
    }
    expect(text).toBe("word0 word1 word2 word3 word4 ");
    const log = await waitFor("the stream's log", async () => (await requestLog(response.headers.get("x-request-id")!)) ?? Promise.reject(new Error("not yet")));
    expect(log).toMatchObject({ stream: true, status: 200, promptTokens: 6, completionTokens: 5, errorCode: null });

    const withUsage = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 3 });
  });

  it("delivers the first chunk before the upstream finishes, and aborting the stream aborts the upstream request", async () => {
    const { secret } = await h.createKey({ name: "abort" });
    const stream = await h.client(server, secret).chat.completions.create({ model: "gpt-4o-mini:gate", messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value.choices[0].delta.role).toBe("assistant");
    const upstream = h.fake.requests.at(-1)!;
    expect(upstream.state).toBe("open");
    stream.controller.abort();
    await waitFor("the upstream request to be aborted", () => expect(upstream.state).toBe("aborted"));
  });

  it("lists models", async () => {
    const { secret } = await h.createKey({ name: "models", allowedModels: ["gpt-4o", "o3-mini"] });
    const ids: string[] = [];
    for await (const model of h.client(server, secret).models.list()) ids.push(model.id);
    expect(ids).toEqual(["gpt-4o", "o3-mini"]);
  });

  it("raises AuthenticationError for missing, malformed, unknown, disabled and expired keys", async () => {
    const { id, secret } = await h.createKey({ name: "auth" });
    const codes: (string | null | undefined)[] = [];
    const missing = await raised(h.client(server, "unused", { defaultHeaders: { Authorization: null } }).chat.completions.create({ model: "gpt-4o", messages }));
    const malformed = await raised(h.client(server, "sk-akm_not-a-key").chat.completions.create({ model: "gpt-4o", messages }));
    const { id: goneId, secret: goneSecret } = await h.createKey({ name: "gone" });
    await getDb().apiKey.update({ where: { id: goneId }, data: { hash: `deleted:${goneId}`, deletedAt: new Date() } });
    const unknown = await raised(h.client(server, goneSecret).chat.completions.create({ model: "gpt-4o", messages }));
    await setKeyEnabled(id, false, { actor: "cli" });
    const disabled = await waitFor("the disabled key to be refused", () =>
      raised(h.client(server, secret).chat.completions.create({ model: "gpt-4o", messages })).then((e) => (e.code === "api_key_disabled" ? e : Promise.reject(e))),
    );
    const { id: oldId, secret: oldSecret } = await h.createKey({ name: "old" });
    await getDb().apiKey.update({ where: { id: oldId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await waitFor("the expired key to be refused", () =>
      raised(h.client(server, oldSecret).chat.completions.create({ model: "gpt-4o", messages })).then((e) => (e.code === "api_key_expired" ? e : Promise.reject(e))),
    );
    for (const error of [missing, malformed, unknown, disabled, expired]) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.status).toBe(401);
      expect(error.message).not.toContain(secret.slice(7));
      codes.push(error.code);
    }
    expect(codes).toEqual(["missing_api_key", "malformed_api_key", "invalid_api_key", "api_key_disabled", "api_key_expired"]);
    await waitFor("security events", async () => {
      const types = (await getDb().event.findMany({ where: { category: "security" }, select: { type: true } })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(["invalid_api_key", "key_disabled", "key_expired"]));
    });
  });

  it("raises PermissionDeniedError for the daily quota (saying when it resets), the IP allowlist and the model list", async () => {
    const { secret } = await h.createKey({ name: "quota", dailyLimit: 1 });
    await h.client(server, secret).chat.completions.create({ model: "gpt-4o", messages });
    const quota = await raised(h.client(server, secret).chat.completions.create({ model: "gpt-4o", messages }));
    expect(quota).toBeInstanceOf(PermissionDeniedError);
    expect(quota.code).toBe("daily_quota_exceeded");
    expect(quota.message).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00Z \(00:00 UTC\)/);

    const { secret: net } = await h.createKey({ name: "net", allowedIps: ["203.0.113.0/24"] });
    const ip = await raised(h.client(server, net).chat.completions.create({ model: "gpt-4o", messages }));
    expect(ip).toBeInstanceOf(PermissionDeniedError);
    expect(ip.code).toBe("ip_not_allowed");

    const { secret: narrow } = await h.createKey({ name: "narrow", allowedModels: ["gpt-4o"] });
    const model = await raised(h.client(server, narrow).chat.completions.create({ model: "o3-mini", messages }));
    expect(model).toBeInstanceOf(PermissionDeniedError);
    expect(model.code).toBe("model_not_allowed");
  });

  it("raises RateLimitError with Retry-After past the rate limit", async () => {
    const { secret } = await h.createKey({ name: "rate", rateLimit: 2 });
    const client = h.client(server, secret);
    await client.chat.completions.create({ model: "gpt-4o", messages });
    await client.chat.completions.create({ model: "gpt-4o", messages });
    const error = await raised(client.chat.completions.create({ model: "gpt-4o", messages }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe("rate_limit_exceeded");
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(error.headers?.get("x-ratelimit-remaining")).toBe("0");
  });

  it("raises BadRequestError naming the field, NotFoundError for an unknown model, and a 413 for a large body", async () => {
    const { secret } = await h.createKey({ name: "bad", rateLimit: 100 });
    const client = h.client(server, secret);
    const bad = await raised(client.chat.completions.create({ model: "gpt-4o", messages: "hello" as never }));
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad.param).toBe("messages");
    const notFound = await raised(client.chat.completions.create({ model: "llama-3-70b", messages }));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound.code).toBe("model_not_found");
    const large = await raised(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x".repeat(30_000) }] }));
    expect(large.status).toBe(413);
    expect(large.code).toBe("request_too_large");
  });

  it("passes upstream 4xx errors through and raises APIError 502/504 for a failing or silent upstream", async () => {
    const { secret } = await h.createKey({ name: "upstream", rateLimit: 100 });
    const client = h.client(server, secret);
    const upstream400 = await raised(client.chat.completions.create({ model: "gpt-4o:status=400", messages }));
    expect(upstream400).toBeInstanceOf(BadRequestError);
    expect(upstream400.message).toContain("Fake upstream error 400");
    const upstream429 = await raised(client.chat.completions.create({ model: "gpt-4o:status=429", messages }));
    expect(upstream429).toBeInstanceOf(RateLimitError);
    expect(upstream429.headers?.get("retry-after")).toBe("7");
    const reset = await raised(client.chat.completions.create({ model: "gpt-4o:reset", messages }));
    expect(reset.status).toBe(502);
    expect(reset.code).toBe("upstream_unreachable");
    const timeout = await raised(client.chat.completions.create({ model: "gpt-4o:hang", messages }));
    expect(timeout.status).toBe(504);
    expect(timeout.code).toBe("upstream_timeout");
  });

  it("raises 502 upstream_error for OpenAI's own failures and 503 upstream_overloaded with its Retry-After, JSON and stream, never a 500", async () => {
    const { secret } = await h.createKey({ name: "upstream-5xx", rateLimit: 100 });
    const client = h.client(server, secret);
    const cases = [
      { upstream: 500, status: 502, code: "upstream_error", message: "The server had an error while processing your request. Sorry about that!", retryAfter: null },
      { upstream: 502, status: 502, code: "upstream_error", message: "Bad gateway.", retryAfter: null },
      { upstream: 503, status: 503, code: "upstream_overloaded", message: "The engine is currently overloaded, please try again later.", retryAfter: "9" },
      { upstream: 503, status: 503, code: "upstream_overloaded", message: "The engine is currently overloaded, please try again later.", retryAfter: null },
    ];
    for (const stream of [false, true]) {
      for (const c of cases) {
        // The fake quotes the key the gateway sent it, as an upstream echoing request data would.
        const model = `gpt-4o:status=${c.upstream}:echo-key${c.retryAfter ? `:retry-after=${c.retryAfter}` : ""}`;
        const error = await raised(client.chat.completions.create({ model, messages, stream }));
        expect(error).toBeInstanceOf(InternalServerError);
        expect({ upstream: c.upstream, stream, status: error.status, retryAfter: error.headers?.get("retry-after") ?? null, error: error.error }).toEqual({
          upstream: c.upstream,
          stream,
          status: c.status,
          retryAfter: c.retryAfter,
          error: { message: `${c.message} (request key: [redacted])`, type: "upstream_error", param: null, code: c.code },
        });
        expect(JSON.stringify(error.error)).not.toContain(h.fake.apiKey);
        expect(await flushedLog(error.requestID!)).toMatchObject({ status: c.status, stream, provider: "openai", errorCode: c.code });
      }
    }
  });

  it("passes OpenAI's mid-stream error event on without the provider key it quotes, and records it without", async () => {
    const { secret } = await h.createKey({ name: "echo-stream" });
    const { data: stream, response } = await h.client(server, secret).chat.completions.create({ model: "gpt-4o-mini:error-event:echo-key", messages, stream: true }).withResponse();
    const error = await (async () => {
      try {
        for await (const chunk of stream) void chunk;
      } catch (e) {
        return e as APIError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(APIError);
    expect(error!.error).toEqual({
      message: "The server had an error while processing your request. Sorry about that! (request key: [redacted])",
      type: "server_error",
      param: "[redacted]",
      code: "[redacted]",
    });
    const log = await flushedLog(response.headers.get("x-request-id")!);
    // Recorded as the table's code for a provider's error event (the provider's own code stays in the event it sent).
    expect(log).toMatchObject({ status: 200, stream: true, errorCode: "upstream_stream_error", errorMessage: expect.stringContaining("(request key: [redacted])") });
    const events = await waitFor("the stream failure event", async () => {
      const found = await getDb().event.findMany({ where: { requestId: log.requestId }, select: { message: true, details: true } });
      return found.length ? found : Promise.reject(new Error("not yet"));
    });
    expect(JSON.stringify(events)).not.toContain(h.fake.apiKey);
  });

  it("ends a stream whose upstream fails mid-way with an error the client raises", async () => {
    const { secret } = await h.createKey({ name: "midstream" });
    const stream = await h.client(server, secret).chat.completions.create({ model: "gpt-4o-mini:drop", messages, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      try {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.role ?? "");
      } catch (e) {
        return e as APIError;
      }
      return null;
    })();
    expect(seen).toContain("assistant");
    expect(error).toBeInstanceOf(APIError);
    expect(error!.message).toMatch(/upstream provider \(openai\)/);
  });

  it("answers 404 in OpenAI's shape for unknown /v1 paths", async () => {
    const response = await fetch(`${server.url}/v1/embeddings-nope`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { message: "Invalid URL (POST /v1/embeddings-nope)", type: "invalid_request_error", param: null, code: "unknown_url" } });
  });
});

describe("a gateway whose upstream is unreachable, behind ALLOWED_HOSTS", () => {
  let other: AppServer;
  beforeAll(async () => {
    other = await h.startServer({ OPENAI_BASE_URL: `http://127.0.0.1:${await freePort()}/v1`, ALLOWED_HOSTS: "127.0.0.1,localhost" });
  }, 120_000);

  it("raises APIError 502 when the provider cannot be reached", async () => {
    const { secret } = await h.createKey({ name: "unreachable" });
    const error = await raised(h.client(other, secret).chat.completions.create({ model: "gpt-4o", messages }));
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_unreachable");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("refuses a Host header that is not allowed", async () => {
    const { secret } = await h.createKey({ name: "host" });
    // fetch will not send another Host header; a plain HTTP request will.
    const send = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${other.url}/v1/models`, { headers: { host, authorization: `Bearer ${secret}` } }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode!, body }));
        });
        req.on("error", reject);
        req.end();
      });
    const refused = await send("evil.example");
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).error.code).toBe("host_not_allowed");
    expect((await send("localhost")).status).not.toBe(400);
  });
});
