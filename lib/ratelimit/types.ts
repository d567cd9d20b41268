// The limiter contract: one call per request admits it against the key's per-window rate
// limit and its daily quota together, or refuses it and counts nothing. Implementations:
// memory.ts (one process, exact), redis.ts (shared by every instance, exact) and
// failover.ts (Redis with a local fallback while Redis is unreachable).

/** Milliseconds since the epoch; injected so tests move time instead of sleeping. */
export type Clock = () => number;

export interface KeyLimits {
  keyId: string;
  /** Requests admitted per window (RATE_LIMIT_WINDOW seconds). */
  rateLimit: number;
  /** Requests admitted per UTC day. */
  dailyLimit: number;
}

/** The rate-limit window as the X-RateLimit-* headers report it. */
export interface WindowState {
  limit: number;
  remaining: number;
  /** When the current window ends (ms since the epoch). */
  resetAt: number;
}

export type LimitVerdict =
  | { allowed: true; window: WindowState; day: string }
  | { allowed: false; reason: "rate_limited"; window: WindowState; day: string; retryAfterMs: number }
  | { allowed: false; reason: "daily_quota_exceeded"; window: WindowState; day: string; dailyLimit: number; quotaResetAt: number };

export interface Limiter {
  /** Admits one request or says why not. A refused request is not counted anywhere. */
  check(limits: KeyLimits): Promise<LimitVerdict>;
  /** Where counts live right now (logs and tests). */
  readonly mode: "memory" | "redis" | "memory-fallback";
  close(): Promise<void>;
}

/**
 * Requests already counted for a key on a UTC day ("YYYY-MM-DD"), read when a limiter has
 * no counter for that day yet: the durable row in key_daily_usage plus what this process
 * has admitted but not yet flushed there.
 */
export type DayCountLoader = (keyId: string, day: string) => Promise<number>;

/** The day count could not be read (database down): the gateway answers 503, not 500. */
export class LimitsUnavailableError extends Error {
  override name = "LimitsUnavailableError";
}
