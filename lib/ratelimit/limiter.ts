// The process's limiter, chosen by configuration: in memory when REDIS_URL is unset
// (exact for one instance), otherwise Redis shared by all instances with a local fallback.
import { Redis } from "ioredis";
import { getEnv } from "@/lib/config/env";
import { onShutdown } from "@/lib/runtime/lifecycle";
import { loadDayCount } from "@/lib/usage/day-count";
import { FailoverLimiter } from "./failover";
import { MemoryLimiter } from "./memory";
import { RedisLimiter } from "./redis";
import type { Limiter } from "./types";

// A backstop that frees commands a frozen Redis never answers; requests stop waiting
// much sooner (redis.ts DEADLINE_MS), with a deadline that tells Redis's slowness from
// our own event loop's.
const COMMAND_TIMEOUT_MS = 2000;

/** An ioredis client that fails fast instead of queueing while Redis is down. */
export function createRedisClient(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    // Reconnect quickly so limits are shared again within a second of Redis returning.
    retryStrategy: (attempt) => Math.min(attempt * 100, 500),
  });
  // Without a listener ioredis reports every failed reconnect as an unhandled error; the
  // limiter logs the outage once instead.
  redis.on("error", () => undefined);
  return redis;
}

export function createLimiter(): { limiter: Limiter; redis: Redis | null } {
  const env = getEnv();
  const windowSeconds = env.RATE_LIMIT_WINDOW;
  if (!env.REDIS_URL) return { limiter: new MemoryLimiter({ windowSeconds, loadDayCount }), redis: null };
  const redis = createRedisClient(env.REDIS_URL);
  const connecting = new Promise<void>((resolve) => {
    redis.once("ready", resolve);
    setTimeout(resolve, 1000).unref();
  });
  const limiter = new FailoverLimiter({
    connecting,
    primary: new RedisLimiter({ redis, windowSeconds, loadDayCount }),
    isPrimaryReady: () => redis.status === "ready",
    createFallback: () => new MemoryLimiter({ windowSeconds, loadDayCount, mode: "memory-fallback" }),
  });
  return { limiter, redis };
}

let processLimiter: Limiter | undefined;

/** The process's limiter, created on first use (lib/runtime/start.ts does it at start-up). */
export function getLimiter(): Limiter {
  if (!processLimiter) {
    const { limiter, redis } = createLimiter();
    processLimiter = limiter;
    onShutdown("ratelimit", async () => {
      processLimiter = undefined;
      await limiter.close();
      redis?.disconnect();
    });
  }
  return processLimiter;
}
