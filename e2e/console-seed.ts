// Seeds a fresh data directory for the console's end-to-end test, before the server
// starts (the embedded database admits one process): an admin, a few keys, and a week
// of request logs, events and audit entries relative to now. Run with tsx:
//   DATA_DIR=… tsx e2e/console-seed.ts <admin e-mail> <password>
import { createAdmin } from "@/lib/admins/service";
import { disconnectDb, getDb } from "@/lib/db/client";
import { hashSecret } from "@/lib/keys/format";
import { createKey, setKeyEnabled } from "@/lib/keys/service";
import { fakeAnthropicKey, fakeOpenAIKey } from "@/test/helpers/fake-secrets";

const [email, password] = process.argv.slice(2);
const cli = { actor: "cli" };
const HOUR = 3_600_000;

// A deterministic pseudo-random sequence, so every run draws the same picture.
let state = 42;
const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];

await createAdmin({ email, password, name: "E2E Admin" }, cli);
const created = [
  await createKey({ name: "mobile-app", dailyLimit: 5000, rateLimit: 120 }, cli),
  await createKey({ name: "data-pipeline", dailyLimit: 20000, allowedModels: ["gpt-4o-mini", "claude-haiku-4-5"] }, cli),
  await createKey({ name: "partner-acme", expiresInDays: 3, allowedIps: ["203.0.113.0/24"] }, cli),
  await createKey({ name: "legacy-batch", dailyLimit: 100 }, cli),
];
const keys = created.map((c) => c.key);
await setKeyEnabled(keys[3].id, false, cli);

const models = [
  { provider: "openai", model: "gpt-4o-mini", weight: 5 },
  { provider: "openai", model: "gpt-4o", weight: 2 },
  { provider: "anthropic", model: "claude-haiku-4-5", weight: 3 },
  { provider: "gemini", model: "gemini-2.0-flash", weight: 2 },
];
const weighted = models.flatMap((m) => Array<typeof m>(m.weight).fill(m));
const now = Date.now();
const rows = [];
for (let i = 0; i < 1500; i++) {
  // More traffic recently, and a daily rhythm.
  const ago = Math.floor(random() ** 1.6 * 7 * 24 * HOUR);
  const createdAt = new Date(now - ago - 1000);
  const key = pick(keys.slice(0, 3));
  const m = pick(weighted);
  const roll = random();
  const status = roll < 0.9 ? 200 : roll < 0.94 ? 429 : roll < 0.97 ? 401 : roll < 0.985 ? 400 : 502;
  const ok = status === 200;
  // As the gateway records them: refusals and invalid bodies are answered before a model
  // is routed (no model or provider); a few streams break after their 200.
  const routed = status === 200 || status === 502;
  const broken = ok && random() < 0.01;
  const latencyMs = ok ? Math.round(250 + random() ** 2 * 4000) : Math.round(2 + random() * 30);
  rows.push({
    createdAt,
    requestId: `req_seed_${i}`,
    keyId: status === 401 ? null : key.id,
    path: "/v1/chat/completions",
    model: routed ? m.model : null,
    provider: routed ? m.provider : null,
    status,
    errorCode: broken ? "upstream_stream_error" : ok ? null : { 429: "rate_limit_exceeded", 401: "invalid_api_key", 400: "invalid_request", 502: "upstream_unreachable" }[status],
    errorMessage: broken
      ? "The upstream provider's stream broke off."
      : ok
        ? null
        : {
            429: "Rate limit reached for this API key (120 requests per 60 s). Retry after 12 s.",
            401: "Incorrect API key provided.",
            400: "messages: Required",
            502: `Upstream connection failed; the provider said: invalid x-api-key ${fakeAnthropicKey("LeakedLeakedLeakedLeaked0000")}`,
          }[status],
    latencyMs,
    ttfbMs: ok ? Math.round(latencyMs * 0.3) : null,
    promptTokens: ok ? Math.round(50 + random() * 900) : null,
    completionTokens: ok ? Math.round(20 + random() * 600) : null,
    clientIp: pick(["203.0.113.7", "203.0.113.8", "198.51.100.23"]),
    stream: broken || random() < 0.4,
  });
}
const db = getDb();
await db.requestLog.createMany({ data: rows });

// The quota counters of today (UTC) for the key pages.
const today = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z");
for (const key of keys.slice(0, 3)) {
  const mine = rows.filter((r) => r.keyId === key.id && r.createdAt >= today);
  await db.keyDailyUsage.create({
    data: {
      keyId: key.id,
      day: today,
      requests: mine.length,
      promptTokens: BigInt(mine.reduce((n, r) => n + (r.promptTokens ?? 0), 0)),
      completionTokens: BigInt(mine.reduce((n, r) => n + (r.completionTokens ?? 0), 0)),
    },
  });
}

await db.event.createMany({
  data: [
    { createdAt: new Date(now - 2 * HOUR), category: "security", level: "warn", type: "ip_not_allowed", message: "Key partner-acme used from 192.0.2.44, outside its allowlist", keyId: keys[2].id, clientIp: "192.0.2.44" },
    { createdAt: new Date(now - 5 * HOUR), category: "security", level: "warn", type: "invalid_api_key", message: "Incorrect API key provided.", clientIp: "192.0.2.45" },
    { createdAt: new Date(now - 3 * HOUR), category: "security", level: "warn", type: "key_disabled", message: "This API key has been disabled.", keyId: keys[3].id, clientIp: "198.51.100.23" },
    {
      createdAt: new Date(now - 1 * HOUR),
      category: "security",
      level: "warn",
      type: "rate_limited",
      message: "Rate limit reached for this API key (120 requests per 60 s). Retry after 12 s.",
      keyId: keys[0].id,
      clientIp: "203.0.113.7",
    },
    {
      createdAt: new Date(now - 9 * HOUR),
      category: "system",
      level: "error",
      type: "upstream_error",
      message: `OpenAI answered 401 for Authorization: Bearer ${fakeOpenAIKey("LeakedProviderKey000000000000")}`,
      details: { upstreamStatus: 401, provider: "openai" },
    },
  ],
});
await disconnectDb();
// The test checks that none of these hashes ever reaches the browser.
console.log(JSON.stringify({ keys: keys.map((k) => ({ id: k.id, name: k.name })), hashes: created.map((c) => hashSecret(c.secret)) }));
