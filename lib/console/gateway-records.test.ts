// What the console shows of what the gateway really writes: the gateway runs as our
// server runs it (test/helpers/gateway-host.ts) against the fake OpenAI upstream,
// the usage recorder flushes, and the console's queries and labels read the result.
// Every outcome the gateway knows is produced once: successes, refusals of each kind,
// its own rate limit and quota, a provider's error and rate limit, a stream that breaks.
jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);

import { providerColour } from "@/components/charts/chart-data";
import { resetEnvForTests } from "@/lib/config/env";
import { useGatewayHost } from "@/test/helpers/gateway-host";
import { markPeerHeaderTrusted, PEER_HEADER } from "@/lib/http/client-ip";
import { createTranslator, messagesFor } from "@/lib/i18n/translate";
import { createKey, setKeyEnabled } from "@/lib/keys/service";
import { runShutdownHooks } from "@/lib/runtime/lifecycle";
import { getKeyDailyUsage, getUsageOverview, getUsageSeries } from "@/lib/usage/queries";
import { listRecentRequests } from "@/lib/usage/request-log-reads";
import { getUsageRecorder } from "@/lib/usage/recorder";
import { startFakeOpenAI, type FakeOpenAI } from "@/test/fakes/openai";
import { useTestDb } from "@/test/helpers/db";
import { getLogDetail, listLogEntries } from "./logs";
import { LOG_TYPE_GROUPS, logTypeLabel, SECURITY_TYPES, SYSTEM_TYPES } from "./log-types";

afterAll(() => runShutdownHooks(() => undefined));
const db = useTestDb();
const chat = useGatewayHost().call;
const cli = { actor: "cli" };
const en = createTranslator(messagesFor("en"));
const zh = createTranslator(messagesFor("zh-CN"));
let fake: FakeOpenAI;
const secrets: string[] = [];
let started: Date;

function post(secret: string, model: string, extra: object = {}, ip = "10.1.2.3"): Request {
  return new Request("http://gw.test/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", [PEER_HEADER]: ip, authorization: `Bearer ${secret}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello" }], ...extra }),
  });
}

async function call(secret: string, model = "gpt-4o-mini", extra: object = {}, ip?: string): Promise<number> {
  const response = await chat(post(secret, model, extra, ip));
  await response.text(); // a stream is recorded when it ends
  return response.status;
}

async function newKey(name: string, fields: object = {}) {
  const created = await createKey({ name, ...fields }, cli);
  secrets.push(created.secret);
  return created;
}

const statuses: Record<string, number[]> = {};
let busy: Awaited<ReturnType<typeof newKey>>;
let quota: Awaited<ReturnType<typeof newKey>>;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  secrets.push(fake.apiKey);
  Object.assign(process.env, { OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl, RATE_LIMIT_WINDOW: "60" });
  resetEnvForTests();
  markPeerHeaderTrusted();
  started = new Date(Date.now() - 1000);

  busy = await newKey("busy", { dailyLimit: 10 });
  const record = async (name: string, status: Promise<number>) => (statuses[name] ??= []).push(await status);
  await record("json", call(busy.secret));
  await record("stream", call(busy.secret, "gpt-4o-mini", { stream: true, stream_options: { include_usage: true } }));
  await record("stream broke", call(busy.secret, "gpt-4o-mini:error-event", { stream: true }));
  await record("provider 500", call(busy.secret, "gpt-4o-mini:status=500"));
  await record("provider 429", call(busy.secret, "gpt-4o-mini:status=429"));
  await record("unknown model", call(busy.secret, "no-such-model-1"));

  const limited = await newKey("limited", { rateLimit: 1 });
  await record("rate limited", call(limited.secret));
  await record("rate limited", call(limited.secret));
  quota = await newKey("quota", { dailyLimit: 1 });
  await record("quota", call(quota.secret));
  await record("quota", call(quota.secret));
  const fenced = await newKey("fenced", { allowedIps: ["203.0.113.0/24"] });
  await record("ip", call(fenced.secret));
  const narrow = await newKey("narrow", { allowedModels: ["gpt-4o"] });
  await record("model", call(narrow.secret, "gpt-4o-mini"));
  const off = await newKey("off");
  await setKeyEnabled(off.key.id, false, cli);
  await record("disabled", call(off.secret));
  await record("invalid", call(`sk-akm_${"A".repeat(46)}`));

  process.env.OPENAI_API_KEY = "";
  resetEnvForTests();
  await record("not configured", call(busy.secret));
  process.env.OPENAI_API_KEY = fake.apiKey;
  resetEnvForTests();

  await getUsageRecorder().flush();
});
afterAll(async () => {
  await fake?.close();
});

const range = () => ({ from: started, to: new Date(Date.now() + 60_000), timeZone: "UTC" });

describe("the gateway's records in the console", () => {
  it("answered as the scenario expects (the premise of the rest)", () => {
    expect(statuses).toEqual({
      json: [200],
      stream: [200],
      "stream broke": [200],
      "provider 500": [502],
      "provider 429": [429],
      "unknown model": [404],
      "rate limited": [200, 429],
      quota: [200, 403],
      ip: [403],
      model: [403],
      disabled: [401],
      invalid: [401],
      "not configured": [503],
    });
  });

  it("count refusals, the gateway's rate limit, errors and successes as the gateway meant them", async () => {
    const o = await getUsageOverview(range());
    // Refused: the quota, the IP, the model, the disabled and the unknown key. Rate-limited:
    // the gateway's own 429 only. Errors: the broken stream, the provider's 500 (our 502) and 429,
    // the unknown model and the unconfigured provider.
    expect(o).toMatchObject({ requests: 15, success: 4, refused: 5, rateLimited: 1, errors: 5 });
    expect(o.statuses.map((s) => `${s.status}:${s.statusClass}:${s.requests}`)).toEqual([
      "200:success:4",
      "200:server_error:1",
      "401:refused:2",
      "403:refused:3",
      "404:client_error:1",
      "429:rate_limited:1",
      "429:server_error:1",
      "502:server_error:1",
      "503:server_error:1",
    ]);
    expect(o.promptTokens).toBeGreaterThan(0);
  });

  it("name providers as the chart colours know them; refusals have none", async () => {
    const series = await getUsageSeries(range(), "1 minute");
    const providers = new Set(series.rows.map((r) => r.provider));
    expect(providers).toEqual(new Set(["openai", null]));
    expect(providerColour("openai")).toBe("#10a37f");
    expect(providerColour("anthropic")).toBe("#d97757");
    expect(providerColour("gemini")).toBe("#4285f4");
  });

  it("label every event type and gateway error code it wrote, in both languages, and offer them as filters", async () => {
    const events = await db.prisma.event.findMany({ select: { type: true, category: true } });
    const codes = await db.prisma.requestLog.findMany({ where: { errorCode: { not: null }, provider: null }, select: { errorCode: true } });
    const types = new Set(events.map((e) => e.type));
    expect(types).toEqual(
      new Set(["upstream_error", "rate_limited", "daily_quota_exceeded", "ip_not_allowed", "model_not_allowed", "key_disabled", "invalid_api_key", "provider_not_configured"]),
    );
    for (const e of events) {
      const known = e.category === "security" ? Object.keys(SECURITY_TYPES) : Object.keys(SYSTEM_TYPES);
      expect([e.type, known.includes(e.type), (LOG_TYPE_GROUPS[e.category] as readonly string[]).includes(e.type)]).toEqual([e.type, true, true]);
    }
    for (const code of [...types, ...codes.map((c) => c.errorCode!)]) {
      const english = logTypeLabel(en, code);
      const chinese = logTypeLabel(zh, code);
      expect([code, typeof english, typeof chinese]).toEqual([code, "string", "string"]);
      expect(chinese).not.toBe(english);
    }
  });

  it("find a refusal by its type, as a security event and as the refused request, both under the key's name", async () => {
    const { entries } = await listLogEntries({ ...range(), type: "key_disabled" }, 1);
    expect(entries.map((e) => `${e.kind}:${e.type}:${e.keyName}`)).toEqual(["request:api_key_disabled:off", "security:key_disabled:off"]);
    const broke = await listLogEntries({ ...range(), level: "error", kind: "request" }, 1);
    expect(broke.entries.map((e) => `${e.status}:${e.type}`)).toContain("200:upstream_stream_error");
  });

  it("keep every secret out of what it shows, and out of what the gateway stored", async () => {
    const stored = JSON.stringify(
      await Promise.all([db.prisma.requestLog.findMany({ select: { errorMessage: true, errorCode: true } }), db.prisma.event.findMany({ select: { message: true, details: true } })]),
    );
    const { entries } = await listLogEntries(range(), 1);
    const details = await Promise.all(entries.map((e) => getLogDetail(e.kind, e.id)));
    const shown = JSON.stringify([entries, details]);
    expect(entries.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(secret.slice(0, 20));
    }
  });

  it("show a key's usage today as the limiter counts it: the rest of the quota is admitted, then refused", async () => {
    const [today] = await getKeyDailyUsage(busy.key.id, 1);
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    // Every admitted request counts, failed ones too; the 503 came after admission as well.
    expect(today.requests).toBe(7);
    const more: number[] = [];
    for (let i = 0; i < 5; i++) more.push(await call(busy.secret));
    expect(more).toEqual([200, 200, 200, 403, 403]);
    await getUsageRecorder().flush();
    expect((await getKeyDailyUsage(busy.key.id, 1))[0].requests).toBe(10);
    expect((await getKeyDailyUsage(quota.key.id, 1))[0].requests).toBe(1);
    const recent = await listRecentRequests(busy.key.id, 2);
    expect(recent.map((r) => [r.status, r.errorCode])).toEqual([
      [403, "daily_quota_exceeded"],
      [403, "daily_quota_exceeded"],
    ]);
  });
});
