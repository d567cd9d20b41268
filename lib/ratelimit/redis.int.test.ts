import type { Redis } from "ioredis";
import { startRedis, type RedisServer } from "@/test/helpers/redis";
import { waitFor } from "@/test/helpers/ports";
import { FailoverLimiter, RETRY_MS } from "./failover";
import { createRedisClient } from "./limiter";
import { MemoryLimiter } from "./memory";
import { RedisLimiter } from "./redis";
import type { LimitVerdict } from "./types";

let server: RedisServer;
const clients: Redis[] = [];
beforeAll(async () => {
  server = await startRedis();
}, 30_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

function client(): Redis {
  const c = createRedisClient(server.url);
  clients.push(c);
  return c;
}

const ready = (c: Redis) => waitFor("Redis client ready", () => {
  if (c.status !== "ready") throw new Error(c.status);
});

const tally = (verdicts: LimitVerdict[]) =>
  verdicts.reduce<Record<string, number>>((t, v) => {
    const k = v.allowed ? "ok" : v.reason;
    t[k] = (t[k] ?? 0) + 1;
    return t;
  }, {});

let keySeq = 0;
const newKey = () => `key${++keySeq}-${Date.now()}`;

describe("Redis limiter (real Redis)", () => {
  it("admits exactly the limit for 500 concurrent checks spread over two clients", async () => {
    const [a, b] = [client(), client()];
    await Promise.all([ready(a), ready(b)]);
    const loadDayCount = async () => 0;
    const limiters = [new RedisLimiter({ redis: a, windowSeconds: 60, loadDayCount }), new RedisLimiter({ redis: b, windowSeconds: 60, loadDayCount })];
    const rateKey = newKey();
    const rate = await Promise.all(Array.from({ length: 500 }, (_, i) => limiters[i % 2].check({ keyId: rateKey, rateLimit: 100, dailyLimit: 10_000 })));
    expect(tally(rate)).toEqual({ ok: 100, rate_limited: 400 });
    const quotaKey = newKey();
    const quota = await Promise.all(Array.from({ length: 500 }, (_, i) => limiters[i % 2].check({ keyId: quotaKey, rateLimit: 10_000, dailyLimit: 100 })));
    expect(tally(quota)).toEqual({ ok: 100, daily_quota_exceeded: 400 });
    // Refusals counted nothing: the day counter stands at the limit.
    const day = new Date().toISOString().slice(0, 10);
    expect(await a.get(`akm:day:{${quotaKey}}:${day}`)).toBe("100");
  });

  it("uses an injected clock for windows and days", async () => {
    const c = client();
    await ready(c);
    let now = Date.UTC(2030, 0, 1, 23, 59, 0);
    const limiter = new RedisLimiter({ redis: c, windowSeconds: 60, loadDayCount: async () => 0, now: () => now });
    const keyId = newKey();
    expect(await limiter.check({ keyId, rateLimit: 1, dailyLimit: 2 })).toMatchObject({ allowed: true, day: "2030-01-01", window: { remaining: 0, resetAt: Date.UTC(2030, 0, 2) } });
    now += 30_000;
    expect(await limiter.check({ keyId, rateLimit: 1, dailyLimit: 2 })).toMatchObject({ allowed: false, reason: "rate_limited", retryAfterMs: 30_000 });
    now += 30_000; // 00:00 UTC: a new window and a new day
    expect(await limiter.check({ keyId, rateLimit: 1, dailyLimit: 2 })).toMatchObject({ allowed: true, day: "2030-01-02" });
  });

  it("seeds a missing day counter from the durable count, also after Redis restarts empty", async () => {
    const c = client();
    await ready(c);
    const keyId = newKey();
    let durable = 95;
    const loads: string[] = [];
    const limiter = new RedisLimiter({ redis: c, windowSeconds: 60, loadDayCount: async (id, day) => (loads.push(`${id}@${day}`), durable) });
    const first = await Promise.all(Array.from({ length: 10 }, () => limiter.check({ keyId, rateLimit: 1000, dailyLimit: 100 })));
    expect(tally(first)).toEqual({ ok: 5, daily_quota_exceeded: 5 });
    durable = 100 - 2; // what the usage flush had written when Redis died
    await server.kill();
    await server.start();
    await ready(c);
    const after = await Promise.all(Array.from({ length: 5 }, () => limiter.check({ keyId, rateLimit: 1000, dailyLimit: 100 })));
    expect(tally(after)).toEqual({ ok: 2, daily_quota_exceeded: 3 });
    expect(loads.length).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

describe("failover limiter (real Redis going away and coming back)", () => {
  function failover(c: Redis) {
    const logs: string[] = [];
    const loadDayCount = async () => 0;
    const redis = new RedisLimiter({ redis: c, windowSeconds: 60, loadDayCount });
    const attempts = { count: 0 };
    const limiter = new FailoverLimiter({
      primary: { mode: "redis", close: () => redis.close(), check: (limits) => (attempts.count++, redis.check(limits)) },
      isPrimaryReady: () => c.status === "ready",
      createFallback: () => new MemoryLimiter({ windowSeconds: 60, loadDayCount, mode: "memory-fallback" }),
      log: (line) => logs.push(line),
    });
    return { limiter, logs, attempts };
  }

  it("serves with local limits at once when Redis is killed and shares limits again when it returns", async () => {
    const c = client();
    await ready(c);
    const { limiter, logs } = failover(c);
    const keyId = newKey();
    expect(await limiter.check({ keyId, rateLimit: 3, dailyLimit: 100 })).toMatchObject({ allowed: true });
    expect(limiter.mode).toBe("redis");

    await server.kill();
    const started = performance.now();
    const during = await Promise.all(Array.from({ length: 5 }, () => limiter.check({ keyId, rateLimit: 3, dailyLimit: 100 })));
    expect(performance.now() - started).toBeLessThan(2000); // not hanging: a closed connection fails at once
    expect(limiter.mode).toBe("memory-fallback");
    // Local limits are still limits: a fresh local window admits 3.
    expect(tally(during)).toEqual({ ok: 3, rate_limited: 2 });
    expect(logs.join("\n")).toMatch(/Redis unavailable/);

    await server.start();
    await waitFor("the limiter to use Redis again", async () => {
      await limiter.check({ keyId: newKey(), rateLimit: 100, dailyLimit: 100 });
      if (limiter.mode !== "redis") throw new Error(limiter.mode);
    }, 10_000);
    expect(logs.join("\n")).toMatch(/Redis is back/);
  }, 30_000);

  it("does not hang on a frozen Redis: each check ends within the command timeout, then local limits take over", async () => {
    const c = client();
    await ready(c);
    const { limiter, attempts } = failover(c);
    const info = await c.info("server");
    const pid = Number(/process_id:(\d+)/.exec(info)![1]);
    process.kill(pid, "SIGSTOP");
    try {
      const started = performance.now();
      const first = await Promise.all(Array.from({ length: 20 }, () => limiter.check({ keyId: newKey(), rateLimit: 5, dailyLimit: 5 })));
      expect(performance.now() - started).toBeLessThan(2000); // bounded by the 300 ms deadline, not hanging
      expect(first.every((v) => v.allowed)).toBe(true);
      expect(limiter.mode).toBe("memory-fallback");
      const tried = attempts.count;
      await limiter.check({ keyId: newKey(), rateLimit: 5, dailyLimit: 5 });
      expect(attempts.count).toBe(tried); // Redis is left alone for RETRY_MS after a failure
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await waitFor("the limiter to use Redis again", async () => {
      await limiter.check({ keyId: newKey(), rateLimit: 100, dailyLimit: 100 });
      if (limiter.mode !== "redis") throw new Error(limiter.mode);
    }, RETRY_MS * 10);
  }, 30_000);
});
