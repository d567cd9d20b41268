// The /v1 handlers called as our server calls them (test/helpers/gateway-host.ts), against
// the fake OpenAI upstream, an in-memory PGlite and the in-memory limiter.
import { resetEnvForTests } from "@/lib/config/env";
import { markPeerHeaderTrusted, PEER_HEADER } from "@/lib/http/client-ip";
import { keyCache } from "@/lib/keys/cache";
import { createKey, setKeyEnabled, updateKey } from "@/lib/keys/service";
import { parseSse } from "@/lib/providers/sse";
import { runShutdownHooks } from "@/lib/runtime/lifecycle";
import { getUsageRecorder } from "@/lib/usage/recorder";
import { startFakeOpenAI, type FakeOpenAI } from "@/test/fakes/openai";
import { useTestDb } from "@/test/helpers/db";
import { waitFor } from "@/test/helpers/ports";
import { useGatewayHost } from "@/test/helpers/gateway-host";
import { clearModelListCache } from "./models";

// Declared before useTestDb: the shutdown hooks (usage flush, upstream agent, limiter) run
// while the database is still open.
afterAll(() => runShutdownHooks(() => undefined));
const db = useTestDb();
let fake: FakeOpenAI;
const host = useGatewayHost();
const chat = host.call;
const models = host.call;
const cli = { actor: "cli" };

beforeAll(async () => {
  fake = await startFakeOpenAI();
  Object.assign(process.env, {
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.baseUrl,
    UPSTREAM_TIMEOUT: "1",
    UPSTREAM_IDLE_TIMEOUT: "1",
    MAX_REQUEST_BODY_BYTES: "4096",
    RATE_LIMIT_WINDOW: "60",
  });
  resetEnvForTests();
  markPeerHeaderTrusted();
});
afterAll(async () => {
  await fake.close();
});

async function newKey(fields: Parameters<typeof createKey>[0] = { name: "t" }) {
  return createKey(fields, cli);
}

function post(secret: string | null, body: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal; raw?: string } = {}): Request {
  return new Request("http://gw.test/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", [PEER_HEADER]: "10.1.2.3", ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...init.headers },
    body: init.raw ?? JSON.stringify(body),
    signal: init.signal,
  });
}

const hello = (model = "gpt-4o-mini", extra: object = {}) => ({ model, messages: [{ role: "user", content: "say hello please" }], ...extra });

async function logFor(response: Response) {
  await getUsageRecorder().flush();
  return db.prisma.requestLog.findFirstOrThrow({ where: { requestId: response.headers.get("x-request-id")! } });
}

describe("POST /v1/chat/completions", () => {
  it("forwards a JSON completion and records it with its tokens", async () => {
    const { key, secret } = await newKey({ name: "json", rateLimit: 10 });
    const response = await chat(post(secret, hello("gpt-4o-mini", { temperature: 0.5, metadata: { team: "a" } })));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ object: "chat.completion", choices: [{ message: { content: "word0 word1 word2 " } }], usage: { prompt_tokens: 6, completion_tokens: 3 } });
    expect(response.headers.get("x-ratelimit-limit")).toBe("10");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("9");
    expect(Number(response.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    const upstream = fake.requests.at(-1)!;
    expect(upstream.authorized).toBe(true);
    expect(upstream.body).toEqual(hello("gpt-4o-mini", { temperature: 0.5, metadata: { team: "a" } }));
    const log = await logFor(response);
    expect(log).toMatchObject({ keyId: key.id, model: "gpt-4o-mini", provider: "openai", status: 200, stream: false, promptTokens: 6, completionTokens: 3, clientIp: "10.1.2.3" });
    expect(log.ttfbMs).not.toBeNull();
  });

  it("streams chunks, asks upstream for usage, and hides the usage chunk from a client that did not ask", async () => {
    const { secret } = await newKey();
    const response = await chat(post(secret, hello("gpt-4o-mini:chunks=4", { stream: true })));
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = parseSse(await response.text());
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("word0 word1 word2 word3 ");
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(fake.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(await logFor(response)).toMatchObject({ stream: true, status: 200, promptTokens: 6, completionTokens: 4, errorCode: null });
  });

  it("passes the usage chunk to a client that asked for it", async () => {
    const { secret } = await newKey();
    const response = await chat(post(secret, hello("gpt-4o-mini", { stream: true, stream_options: { include_usage: true } })));
    const events = parseSse(await response.text());
    const usage = JSON.parse(events.at(-2)!.data);
    expect(usage).toMatchObject({ choices: [], usage: { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 } });
  });

  it("sends the first chunk before the upstream has finished", async () => {
    const { secret } = await newKey();
    const response = await chat(post(secret, hello("gpt-4o-mini:gate", { stream: true })));
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"role":"assistant"');
    const upstream = fake.requests.at(-1)!;
    expect(upstream.state).toBe("open"); // still waiting at the gate
    fake.openGate();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toContain("[DONE]");
  });

  it("aborts the upstream request when the client disconnects, during a stream and while waiting", async () => {
    const { secret } = await newKey();
    const streaming = new AbortController();
    const response = await chat(post(secret, hello("gpt-4o-mini:gate", { stream: true }), { signal: streaming.signal }));
    const reader = response.body!.getReader();
    await reader.read();
    const upstream = fake.requests.at(-1)!;
    await reader.cancel();
    await waitFor("the fake to see the stream closed", () => expect(upstream.state).toBe("aborted"));
    expect(await logFor(response)).toMatchObject({ status: 200, errorCode: "client_closed_request" });

    const waiting = new AbortController();
    const pending = chat(post(secret, hello("gpt-4o-mini:slow=800"), { signal: waiting.signal }));
    await waitFor("the request to reach the fake", () => expect(fake.requests.at(-1)!.body?.model).toBe("gpt-4o-mini:slow=800"));
    const slow = fake.requests.at(-1)!;
    waiting.abort();
    await expect(pending).rejects.toThrow(); // the client is gone: it gets nothing
    await waitFor("the fake to see the request closed", () => expect(slow.state).toBe("aborted"));
    await getUsageRecorder().flush();
    const row = await db.prisma.requestLog.findFirstOrThrow({ where: { model: "gpt-4o-mini:slow=800" }, orderBy: { createdAt: "desc" } });
    expect(row.status).toBe(499);
  });

  it("ends a stream that fails after the 200 with an OpenAI error event, and records the failure", async () => {
    const { secret } = await newKey();
    for (const [model, code] of [
      ["gpt-4o-mini:drop", "upstream_unreachable"],
      ["gpt-4o-mini:stall", "upstream_timeout"],
    ]) {
      const response = await chat(post(secret, hello(model, { stream: true })));
      expect(response.status).toBe(200);
      const events = parseSse(await response.text());
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ error: { type: "upstream_error", code } });
      expect(events.some((e) => e.data.includes('"role":"assistant"'))).toBe(true);
      expect(await logFor(response)).toMatchObject({ status: 200, errorCode: code });
    }
    const reported = await chat(post(secret, hello("gpt-4o-mini:error-event", { stream: true })));
    const events = parseSse(await reported.text());
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ error: { type: "server_error" } });
    expect(await logFor(reported)).toMatchObject({ errorCode: "upstream_stream_error" });
    const failures = await db.prisma.event.findMany({ where: { type: "upstream_error", details: { path: ["stream"], equals: true } } });
    expect(failures.length).toBe(3);
  });

  it("never passes on or records the provider key an upstream echoes in a mid-stream error event", async () => {
    const { secret } = await newKey({ name: "echo-stream" });
    const response = await chat(post(secret, hello("gpt-4o-mini:error-event:echo-key", { stream: true })));
    const text = await response.text();
    expect(text).not.toContain(fake.apiKey);
    // The event itself still reaches the client, with everything but the key.
    expect(JSON.parse(parseSse(text).at(-1)!.data)).toEqual({
      error: { message: "The server had an error while processing your request. Sorry about that! (request key: [redacted])", type: "server_error", param: "[redacted]", code: "[redacted]" },
    });
    const log = await logFor(response);
    expect(log).toMatchObject({ status: 200, errorMessage: expect.stringContaining("(request key: [redacted])") });
    const stored = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    expect(stored(log)).not.toContain(fake.apiKey);
    const events = await db.prisma.event.findMany({ where: { requestId: log.requestId } });
    expect(events).toHaveLength(1);
    expect(stored(events)).not.toContain(fake.apiKey);
  });

  it("answers OpenAI's own failures as 502 upstream_error and its 503 as 503 upstream_overloaded, JSON and stream, never as a 500", async () => {
    const { secret } = await newKey({ name: "upstream-5xx", rateLimit: 100 });
    const cases = [
      { upstream: 500, status: 502, code: "upstream_error", message: "The server had an error while processing your request. Sorry about that!", retryAfter: null },
      { upstream: 502, status: 502, code: "upstream_error", message: "Bad gateway.", retryAfter: null },
      { upstream: 503, status: 503, code: "upstream_overloaded", message: "The engine is currently overloaded, please try again later.", retryAfter: "30" },
      { upstream: 503, status: 503, code: "upstream_overloaded", message: "The engine is currently overloaded, please try again later.", retryAfter: null },
      { upstream: 504, status: 502, code: "upstream_error", message: "Gateway timeout.", retryAfter: null },
    ];
    for (const stream of [false, true]) {
      for (const c of cases) {
        // The fake quotes the key it was sent, as an upstream echoing request data would.
        const model = `gpt-4o-mini:status=${c.upstream}:echo-key${c.retryAfter ? `:retry-after=${c.retryAfter}` : ""}`;
        const response = await chat(post(secret, hello(model, { stream })));
        const text = await response.text();
        expect([c.upstream, stream, response.status, response.headers.get("retry-after")]).toEqual([c.upstream, stream, c.status, c.retryAfter]);
        expect(text).not.toContain(fake.apiKey);
        expect(JSON.parse(text)).toEqual({ error: { message: `${c.message} (request key: [redacted])`, type: "upstream_error", param: null, code: c.code } });
        const log = await logFor(response);
        expect(log).toMatchObject({ status: c.status, stream, errorCode: c.code, errorMessage: `${c.message} (request key: [redacted])` });
        const event = await db.prisma.event.findFirstOrThrow({ where: { requestId: log.requestId } });
        expect(event).toMatchObject({ category: "system", type: "upstream_error", details: { code: c.code, status: c.status, upstreamStatus: c.upstream } });
      }
    }
  });

  it("maps upstream failures before the response: 502 unreachable or reset, 504 timed out; 4xx passed through", async () => {
    const { secret } = await newKey({ name: "upstream", rateLimit: 100 });
    const reset = await chat(post(secret, hello("gpt-4o-mini:reset")));
    expect(reset.status).toBe(502);
    expect((await reset.json()).error.code).toBe("upstream_unreachable");
    const hang = await chat(post(secret, hello("gpt-4o-mini:hang")));
    expect(hang.status).toBe(504);
    expect((await hang.json()).error).toMatchObject({ code: "upstream_timeout", message: expect.stringContaining("UPSTREAM_TIMEOUT") });
    const limited = await chat(post(secret, hello("gpt-4o-mini:status=429")));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(await limited.json()).toEqual({ error: { message: "Fake upstream error 429", type: "requests", param: null, code: "rate_limit_exceeded" } });
    const unknownParam = await chat(post(secret, hello("gpt-4o-mini", { stream_options: { include_usage: true } })));
    expect(unknownParam.status).toBe(400);
    expect((await unknownParam.json()).error.param).toBe("stream_options");
    await getUsageRecorder().flush();
    expect(await db.prisma.event.count({ where: { category: "system", type: "upstream_error" } })).toBeGreaterThanOrEqual(2);
  });

  it("validates the body: 400 naming the field, 400 for bad JSON, 413 past MAX_REQUEST_BODY_BYTES, 404 unknown model", async () => {
    const { secret } = await newKey({ name: "body", rateLimit: 100 });
    const missing = await chat(post(secret, { model: "gpt-4o" }));
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatchObject({ param: "messages", code: "invalid_request" });
    const bad = await chat(post(secret, null, { raw: "{not json" }));
    expect((await bad.json()).error.code).toBe("invalid_json");
    const large = await chat(post(secret, hello("gpt-4o", { padding: "x".repeat(5000) })));
    expect(large.status).toBe(413);
    const unknown = await chat(post(secret, hello("llama-3-70b")));
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: "model_not_found", param: "model" });
  });
});

describe("refusals", () => {
  async function refusal(request: Request, status: number, code: string) {
    const response = await chat(request);
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: body.error.param, code } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    return { response, body };
  }

  it("refuses missing, malformed, unknown, disabled and expired keys with distinct codes, never echoing the key", async () => {
    const before = fake.requests.length;
    await refusal(post(null, hello()), 401, "missing_api_key");
    await refusal(post("sk-akm_short", hello()), 401, "malformed_api_key");
    const { secret: real, key } = await newKey();
    const unknownSecret = real.slice(0, 10) + (real[10] === "A" ? "B" : "A") + real.slice(11); // checksum breaks → malformed
    await refusal(post(unknownSecret, hello()), 401, "malformed_api_key");
    const { secret: deletedSecret, key: gone } = await newKey();
    await db.prisma.apiKey.update({ where: { id: gone.id }, data: { hash: "deleted:x", deletedAt: new Date() } });
    keyCache.evict(gone.id);
    const { body } = await refusal(post(deletedSecret, hello()), 401, "invalid_api_key");
    expect(JSON.stringify(body)).not.toContain(deletedSecret.slice(7));
    await setKeyEnabled(key.id, false, cli);
    await refusal(post(real, hello()), 401, "api_key_disabled");
    const { secret: old, key: oldKey } = await newKey();
    await db.prisma.apiKey.update({ where: { id: oldKey.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    keyCache.evict(oldKey.id);
    await refusal(post(old, hello()), 401, "api_key_expired");
    expect(fake.requests.length).toBe(before); // nothing was forwarded
    await getUsageRecorder().flush();
    const events = await db.prisma.event.findMany({ where: { category: "security" }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["invalid_api_key", "key_disabled", "key_expired"]));
    expect(JSON.stringify(events, (_, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(real.slice(7));
  });

  it("refuses an address outside the key's allowlist and a model outside its list (403)", async () => {
    const { secret } = await newKey({ name: "net", allowedIps: ["192.168.0.0/16"], allowedModels: ["gpt-4o"] });
    const { body } = await refusal(post(secret, hello("gpt-4o")), 403, "ip_not_allowed");
    expect(body.error.message).toContain("10.1.2.3");
    const fromAllowed = { headers: { [PEER_HEADER]: "192.168.7.7" } };
    expect((await chat(post(secret, hello("gpt-4o"), fromAllowed))).status).toBe(200);
    await refusal(post(secret, hello("gpt-4o-mini"), fromAllowed), 403, "model_not_allowed");
    // A client cannot claim another address: X-Forwarded-For counts only from trusted proxies.
    await refusal(post(secret, hello("gpt-4o"), { headers: { "x-forwarded-for": "192.168.7.7" } }), 403, "ip_not_allowed");
  });

  it("rate limits with 429 and Retry-After, and refuses past the daily quota with 403 saying when it resets", async () => {
    const { secret, key } = await newKey({ name: "limits", rateLimit: 2, dailyLimit: 1000 });
    expect((await chat(post(secret, hello()))).status).toBe(200);
    expect((await chat(post(secret, hello()))).status).toBe(200);
    const { response, body } = await refusal(post(secret, hello()), 429, "rate_limit_exceeded");
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(body.error.message).toMatch(/2 requests per 60 s/);

    await updateKey(key.id, { rateLimit: 100, dailyLimit: 3 }, cli); // applies to the next request
    expect((await chat(post(secret, hello()))).status).toBe(200);
    const quota = await refusal(post(secret, hello()), 403, "daily_quota_exceeded");
    const midnight = new Date(Math.ceil((Date.now() + 1) / 86_400_000) * 86_400_000).toISOString().replace(".000Z", "Z");
    expect(quota.body.error.message).toContain(`resets at ${midnight}`);
    await getUsageRecorder().flush();
    const day = await db.prisma.keyDailyUsage.findMany({ where: { keyId: key.id } });
    expect(day.map((d) => d.requests)).toEqual([3]); // refusals are not counted
    expect((await db.prisma.event.findMany({ where: { keyId: key.id } })).map((e) => e.type).sort()).toEqual(["daily_quota_exceeded", "rate_limited"]);
  });

  it("refuses other Host headers when ALLOWED_HOSTS is set", async () => {
    const { secret } = await newKey();
    process.env.ALLOWED_HOSTS = "api.example.com";
    resetEnvForTests();
    try {
      await refusal(post(secret, hello()), 400, "host_not_allowed");
      const ok = await chat(new Request("http://api.example.com/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${secret}`, [PEER_HEADER]: "10.1.2.3" }, body: JSON.stringify(hello()) }));
      expect(ok.status).toBe(200);
    } finally {
      delete process.env.ALLOWED_HOSTS;
      resetEnvForTests();
    }
  });

  it("answers 503 naming the variable when the model's provider has no key configured", async () => {
    const { secret } = await newKey();
    delete process.env.OPENAI_API_KEY;
    resetEnvForTests();
    try {
      const { response, body } = await refusal(post(secret, hello()), 503, "provider_not_configured");
      expect(body.error.message).toContain("OPENAI_API_KEY");
      expect(response.headers.get("x-should-retry")).toBe("false");
    } finally {
      process.env.OPENAI_API_KEY = fake.apiKey;
      resetEnvForTests();
    }
  });

  it("hides a refused provider key behind a 502 that does not quote it", async () => {
    const { secret } = await newKey();
    process.env.OPENAI_API_KEY = "sk-wrong-provider-key-abcd";
    resetEnvForTests();
    try {
      const { body } = await refusal(post(secret, hello()), 502, "upstream_auth_failed");
      expect(JSON.stringify(body)).not.toMatch(/abcd|sk-wr/);
    } finally {
      process.env.OPENAI_API_KEY = fake.apiKey;
      resetEnvForTests();
    }
  });
});

describe("GET /v1/models", () => {
  it("lists the provider's models that the key may use", async () => {
    clearModelListCache();
    const { secret } = await newKey();
    const all = await models(new Request("http://gw.test/v1/models", { headers: { authorization: `Bearer ${secret}` } }));
    const body = await all.json();
    expect(body.object).toBe("list");
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "text-embedding-3-small", "dall-e-3"]);
    expect(body.data[0]).toEqual({ id: "gpt-4o", object: "model", created: 0, owned_by: "openai" });
    const { secret: narrow } = await newKey({ name: "narrow", allowedModels: ["gpt-4o", "o3-mini"] });
    const some = await models(new Request("http://gw.test/v1/models", { headers: { authorization: `Bearer ${narrow}` } }));
    expect((await some.json()).data.map((m: { id: string }) => m.id)).toEqual(["gpt-4o", "o3-mini"]);
  });
});
