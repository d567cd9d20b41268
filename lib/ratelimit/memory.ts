// Limits counted in this process: exact for one instance (the check-and-count step is
// synchronous, so concurrent requests cannot interleave inside it). Used on its own when
// REDIS_URL is unset, and as the local fallback while Redis is unreachable.
//
// Why not rate-limiter-flexible's RateLimiterMemory: it reads Date.now() itself (tests
// could not inject a clock), counts a refused request, and keeps one limiter per
// (points, duration) pair, so a rate limit plus a quota that count nothing on refusal
// would need two limiters and an undo; the state below is two small maps.
import { LimitsUnavailableError, type Clock, type DayCountLoader, type KeyLimits, type Limiter, type LimitVerdict } from "./types";
import { nextUtcMidnight, utcDay, windowAt } from "./time";

interface WindowCount {
  index: number;
  count: number;
}

interface DayCount {
  day: string;
  count: number;
}

export interface MemoryLimiterOptions {
  windowSeconds: number;
  loadDayCount: DayCountLoader;
  now?: Clock;
  mode?: "memory" | "memory-fallback";
}

export class MemoryLimiter implements Limiter {
  readonly mode: "memory" | "memory-fallback";
  private readonly windows = new Map<string, WindowCount>();
  private readonly days = new Map<string, DayCount>();
  private readonly seeding = new Map<string, Promise<void>>();
  private readonly now: Clock;

  constructor(private readonly options: MemoryLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.mode = options.mode ?? "memory";
  }

  async check(limits: KeyLimits): Promise<LimitVerdict> {
    for (;;) {
      const now = this.now();
      const day = utcDay(now);
      const used = this.days.get(limits.keyId);
      if (used && used.day === day) return this.admit(limits, now, day, used);
      await this.seed(limits.keyId, day);
    }
  }

  async close(): Promise<void> {
    this.windows.clear();
    this.days.clear();
  }

  // The first request of a key's day reads what earlier processes already counted that
  // day; requests arriving meanwhile wait for the same read.
  private seed(keyId: string, day: string): Promise<void> {
    const id = `${keyId}\n${day}`;
    let pending = this.seeding.get(id);
    if (!pending) {
      pending = this.options
        .loadDayCount(keyId, day)
        .then(
          (count) => {
            const current = this.days.get(keyId);
            if (!current || current.day < day) this.days.set(keyId, { day, count });
          },
          (error: unknown) => {
            throw new LimitsUnavailableError(`cannot read today's request count: ${(error as Error).message}`);
          },
        )
        .finally(() => this.seeding.delete(id));
      this.seeding.set(id, pending);
    }
    return pending;
  }

  private admit(limits: KeyLimits, now: number, day: string, used: DayCount): LimitVerdict {
    const { index, resetAt } = windowAt(now, this.options.windowSeconds);
    let current = this.windows.get(limits.keyId);
    if (!current || current.index !== index) {
      current = { index, count: 0 };
      this.windows.set(limits.keyId, current);
    }
    const window = { limit: limits.rateLimit, remaining: Math.max(0, limits.rateLimit - current.count), resetAt };
    // The quota is the longer refusal: report it first, so a client is not told to retry
    // in a few seconds when it cannot succeed before midnight.
    if (used.count >= limits.dailyLimit) {
      return { allowed: false, reason: "daily_quota_exceeded", window, day, dailyLimit: limits.dailyLimit, quotaResetAt: nextUtcMidnight(now) };
    }
    if (current.count >= limits.rateLimit) {
      return { allowed: false, reason: "rate_limited", window, day, retryAfterMs: resetAt - now };
    }
    current.count++;
    used.count++;
    window.remaining--;
    return { allowed: true, window, day };
  }
}
