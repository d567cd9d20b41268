// Limits shared by every instance through Redis: one Lua script checks the key's window
// and day counters and increments both only when both admit, so N instances admit exactly
// the limit between them (500 concurrent calls against a limit of 100 admit 100).
//
// Redis may run without persistence: when the day counter is missing (first request of
// the day, or Redis restarted) the script says so, and the limiter calls it again with
// the count read from key_daily_usage, which the script sets only if still missing
// (SET NX), so instances seeding at once agree.
//
// Loss window: key_daily_usage lags by one usage flush (lib/usage/recorder.ts FLUSH_MS).
// The seeding instance adds its own unflushed requests, but after a Redis restart the
// requests other instances admitted in their last unflushed ~FLUSH_MS are not seen, so a
// key can be admitted that many requests more on that day.
//
// Why not RateLimiterRedis (rate-limiter-flexible): its script counts refused requests
// and takes no seed for a missing counter.
import type { Redis } from "ioredis";
import { LimitsUnavailableError, type Clock, type DayCountLoader, type KeyLimits, type Limiter, type LimitVerdict } from "./types";
import { nextUtcMidnight, utcDay, windowAt } from "./time";

// KEYS[1] window counter, KEYS[2] day counter.
// ARGV: rate limit, daily limit, window expiry (unix ms), day expiry (unix ms), seed ("" = none).
// Returns {status, window count, day count}: 0 admitted, 1 rate limited, 2 quota reached, -1 seed needed.
const GATE_LUA = `
local day = redis.call('GET', KEYS[2])
if not day then
  if ARGV[5] == '' then return {-1, 0, 0} end
  redis.call('SET', KEYS[2], ARGV[5], 'PXAT', ARGV[4], 'NX')
  day = redis.call('GET', KEYS[2])
end
day = tonumber(day)
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if day >= tonumber(ARGV[2]) then return {2, used, day} end
if used >= tonumber(ARGV[1]) then return {1, used, day} end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
day = redis.call('INCR', KEYS[2])
return {0, used, day}
`;

type GateReply = [number, number, number];
type GateClient = Redis & {
  akmGate(windowKey: string, dayKey: string, rateLimit: number, dailyLimit: number, windowExpiry: number, dayExpiry: number, seed: string): Promise<GateReply>;
};

/** Longest wait for one Redis answer; past it the caller (failover.ts) checks locally. */
export const DEADLINE_MS = 300;

// Day counters outlive their day a little, so a late request near midnight on a slow
// clock still finds its counter.
const DAY_COUNTER_GRACE_MS = 2 * 86_400_000;

export interface RedisLimiterOptions {
  redis: Redis;
  windowSeconds: number;
  loadDayCount: DayCountLoader;
  now?: Clock;
}

export class RedisLimiter implements Limiter {
  readonly mode = "redis" as const;
  private readonly redis: GateClient;
  private readonly now: Clock;
  private readonly seeding = new Map<string, Promise<number>>();

  constructor(private readonly options: RedisLimiterOptions) {
    this.redis = options.redis as GateClient;
    if (typeof this.redis.akmGate !== "function") this.redis.defineCommand("akmGate", { numberOfKeys: 2, lua: GATE_LUA });
    this.now = options.now ?? Date.now;
  }

  async check(limits: KeyLimits): Promise<LimitVerdict> {
    const now = this.now();
    const day = utcDay(now);
    const { index, resetAt } = windowAt(now, this.options.windowSeconds);
    // {keyId} is a hash tag: both counters hash to one slot, which a script touching two
    // keys needs on Redis Cluster.
    const windowKey = `akm:rl:{${limits.keyId}}:${index}`;
    const dayKey = `akm:day:{${limits.keyId}}:${day}`;
    const dayExpiry = nextUtcMidnight(now) + DAY_COUNTER_GRACE_MS;
    const gate = (seed: string) =>
      withDeadline(this.redis.akmGate(windowKey, dayKey, limits.rateLimit, limits.dailyLimit, resetAt + 1000, dayExpiry, seed), DEADLINE_MS);
    let [status, used] = await gate("");
    if (status === -1) [status, used] = await gate(String(await this.seed(limits.keyId, day)));
    const window = { limit: limits.rateLimit, remaining: Math.max(0, limits.rateLimit - used), resetAt };
    if (status === 0) return { allowed: true, window, day };
    if (status === 2) {
      return { allowed: false, reason: "daily_quota_exceeded", window, day, dailyLimit: limits.dailyLimit, quotaResetAt: nextUtcMidnight(now) };
    }
    return { allowed: false, reason: "rate_limited", window, day, retryAfterMs: resetAt - now };
  }

  async close(): Promise<void> {}

  // Requests arriving together for a key's first request of the day share one read.
  private seed(keyId: string, day: string): Promise<number> {
    const id = `${keyId}\n${day}`;
    let pending = this.seeding.get(id);
    if (!pending) {
      pending = this.options
        .loadDayCount(keyId, day)
        .catch((error: unknown) => {
          throw new LimitsUnavailableError(`cannot read today's request count: ${(error as Error).message}`);
        })
        .finally(() => this.seeding.delete(id));
      this.seeding.set(id, pending);
    }
    return pending;
  }
}

/**
 * Rejects when `promise` has not settled `ms` after the call. The decision waits for one
 * more turn of the event loop (setImmediate runs after I/O): when the process itself was
 * too busy to read Redis's answer in time, the answer that is already waiting is read
 * first, so a loaded gateway does not mistake its own lag for a Redis outage (and start
 * admitting per instance).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`no answer within ${ms} ms`));
      });
    }, ms);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
