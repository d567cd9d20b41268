// A small, fully known request log for the console's query tests, on PGlite (unit) and
// real PostgreSQL (integration). Every number the tests expect follows from this file.
import type { PrismaClient } from "@/generated/prisma/client";
import { fakeOpenAIKey } from "@/test/helpers/fake-secrets";

export const NOW = new Date("2026-06-15T12:00:00.000Z");
export const DAY_AGO = new Date(NOW.getTime() - 86_400_000);
export const LEAKY_PROVIDER_KEY = fakeOpenAIKey("Abcdefghijklmnopqrstuv1234567890");

export interface Seeded {
  alpha: string;
  beta: string;
  gamma: string;
}

const at = (iso: string) => new Date(iso);

export async function seedUsage(db: PrismaClient): Promise<Seeded> {
  const expiresAt = at("2027-01-01T00:00:00Z");
  const key = (id: string, name: string, extra: object = {}) =>
    db.apiKey.create({
      data: { id, name, prefix: `sk-akm_${id.slice(0, 6).padEnd(6, "x")}`, hash: `hash-of-${id}`, expiresAt, dailyLimit: 100, rateLimit: 10, ...extra },
    });
  await key("key_alpha", "alpha");
  await key("key_beta", "beta", { enabled: false, status: "disabled" });
  await key("key_gamma", "gamma", { deletedAt: at("2026-06-10T00:00:00Z"), hash: "deleted:key_gamma" });

  const rows = [];
  // alpha: ten successful OpenAI calls at 10:05–10:50 UTC, latencies 100…1000 ms.
  for (let i = 0; i < 10; i++) {
    rows.push({
      createdAt: at(`2026-06-15T10:${String(5 + i * 5).padStart(2, "0")}:00Z`),
      requestId: `req_a${i}`,
      keyId: "key_alpha",
      path: "/v1/chat/completions",
      model: "gpt-4o-mini",
      provider: "openai",
      status: 200,
      latencyMs: 100 * (i + 1),
      promptTokens: 10,
      completionTokens: 20,
      clientIp: "203.0.113.7",
      stream: i % 2 === 0,
    });
  }
  // beta at 11:10–11:50: one success, one rate limit and one refusal (disabled) — refused
  // before routing, so without model and provider, as the gateway records them — one
  // upstream failure, and a stream that broke after its 200.
  const anthropic = { model: "claude-sonnet-4-5", provider: "anthropic" };
  const refused = { model: null, provider: null, promptTokens: null, completionTokens: null };
  const beta = [
    { status: 200, latencyMs: 1500, errorCode: null, errorMessage: null, promptTokens: 5, completionTokens: 7, ...anthropic },
    { status: 429, latencyMs: 2, errorCode: "rate_limit_exceeded", errorMessage: "Rate limit reached for key", ...refused },
    { status: 500, latencyMs: 12000, errorCode: "upstream_error", errorMessage: `upstream said: invalid key ${LEAKY_PROVIDER_KEY}`, promptTokens: null, completionTokens: null, ...anthropic },
    { status: 401, latencyMs: 1, errorCode: "api_key_disabled", errorMessage: "This API key has been disabled.", ...refused },
    { status: 200, latencyMs: 800, errorCode: "upstream_stream_error", errorMessage: "The upstream stream broke off", promptTokens: null, completionTokens: null, stream: true, ...anthropic },
  ];
  beta.forEach((b, i) =>
    rows.push({
      createdAt: at(`2026-06-15T11:${String(10 + i * 10).padStart(2, "0")}:00Z`),
      requestId: `req_b${i}`,
      keyId: "key_beta",
      path: "/v1/chat/completions",
      clientIp: "198.51.100.2",
      stream: false,
      ...b,
    }),
  );
  // Two unknown-key refusals the evening before (UTC): the next morning in Shanghai.
  for (let i = 0; i < 2; i++) {
    rows.push({
      createdAt: at(`2026-06-14T23:3${i}:00Z`),
      requestId: `req_x${i}`,
      keyId: null,
      path: "/v1/chat/completions",
      model: null,
      provider: null,
      status: 401,
      errorCode: "invalid_api_key",
      errorMessage: "Incorrect API key provided: sk-akm_Zz9…",
      latencyMs: 1,
      clientIp: "192.0.2.99",
      stream: false,
    });
  }
  // gamma (deleted since): one call long ago, outside every range the tests use.
  rows.push({
    createdAt: at("2026-06-01T08:00:00Z"),
    requestId: "req_g0",
    keyId: "key_gamma",
    path: "/v1/chat/completions",
    model: "gemini-2.0-flash",
    provider: "gemini",
    status: 200,
    latencyMs: 300,
    promptTokens: 1,
    completionTokens: 1,
    clientIp: "203.0.113.9",
    stream: false,
  });
  await db.requestLog.createMany({ data: rows });

  await db.keyDailyUsage.createMany({
    data: [
      { keyId: "key_alpha", day: at("2026-06-15T00:00:00Z"), requests: 10, promptTokens: 100n, completionTokens: 200n },
      { keyId: "key_alpha", day: at("2026-06-13T00:00:00Z"), requests: 3, promptTokens: 30n, completionTokens: 60n },
    ],
  });

  await db.event.createMany({
    data: [
      { createdAt: at("2026-06-15T09:00:00Z"), category: "security", level: "warn", type: "signin_failed", message: "Failed sign-in for root@example.com", clientIp: "192.0.2.50" },
      { createdAt: at("2026-06-15T11:20:00Z"), category: "security", level: "warn", type: "rate_limited", message: "Key beta hit its rate limit", keyId: "key_beta", clientIp: "198.51.100.2", requestId: "req_b1" },
      {
        createdAt: at("2026-06-15T11:30:00Z"),
        category: "system",
        level: "error",
        type: "upstream_error",
        message: `OpenAI refused Authorization: Bearer ${fakeOpenAIKey("SECRETSECRETSECRET123")}`,
        requestId: "req_b2",
        details: { header: `Bearer ${LEAKY_PROVIDER_KEY}`, api_key: "AIzaSyA1234567890abcdefghijklmnopqrs", note: "retry later" },
      },
    ],
  });
  await db.auditLog.createMany({
    data: [
      { createdAt: at("2026-06-15T08:00:00Z"), actor: "admin:a@example.com", action: "key.create", targetType: "key", targetId: "key_alpha", targetName: "alpha", clientIp: "192.0.2.10" },
      { createdAt: at("2026-06-15T08:30:00Z"), actor: "cli", action: "key.disable", targetType: "key", targetId: "key_beta", targetName: "beta" },
    ],
  });
  return { alpha: "key_alpha", beta: "key_beta", gamma: "key_gamma" };
}
