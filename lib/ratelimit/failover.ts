// Redis-backed limits that survive a Redis outage: while Redis is unreachable every
// request is checked against a local MemoryLimiter instead (per-instance limits, seeded
// from key_daily_usage), and Redis is tried again by itself once it is back.
//
// Nothing here waits on a dead Redis: the client is created with enableOfflineQueue off
// (a disconnected client fails a command at once) and each Redis call has a deadline
// (redis.ts DEADLINE_MS, for a frozen Redis); after a failure Redis is left alone for
// RETRY_MS, so at most the requests in flight at the moment of failure pay that deadline.
//
// Known gap: counts admitted locally during an outage reach Redis only through
// key_daily_usage, i.e. when Redis lost its counters (a restart) and seeds them again. If
// Redis comes back with its counters intact (a network cut), today's counter misses the
// requests admitted during the cut.
import type { MemoryLimiter } from "./memory";
import { LimitsUnavailableError, type Clock, type KeyLimits, type Limiter, type LimitVerdict } from "./types";
import { log } from "@/lib/log";

export const RETRY_MS = 1000;

export interface FailoverLimiterOptions {
  primary: Limiter;
  /** Whether the primary's connection is usable right now (ioredis status "ready"). */
  isPrimaryReady: () => boolean;
  /** A fresh local limiter; made anew for each outage so it seeds from the latest durable counts. */
  createFallback: () => MemoryLimiter;
  /**
   * Settles once the primary's first connection is up (or has failed): requests arriving
   * while the process is still connecting wait for it instead of falling back at once.
   */
  connecting?: Promise<unknown>;
  now?: Clock;
  log?: (line: string) => void;
}

export class FailoverLimiter implements Limiter {
  private fallback: MemoryLimiter | null = null;
  private retryAt = 0;
  private readonly now: Clock;
  private readonly log: (line: string) => void;

  private connecting: Promise<unknown> | null;

  constructor(private readonly options: FailoverLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((line) => log.warn(line));
    this.connecting = options.connecting?.finally(() => (this.connecting = null)) ?? null;
  }

  get mode(): Limiter["mode"] {
    return this.fallback ? "memory-fallback" : this.options.primary.mode;
  }

  async check(limits: KeyLimits): Promise<LimitVerdict> {
    if (this.connecting) await this.connecting;
    if (this.fallback && (this.now() < this.retryAt || !this.options.isPrimaryReady())) return this.fallback.check(limits);
    if (!this.fallback && !this.options.isPrimaryReady()) return this.degrade("not connected").check(limits);
    try {
      const verdict = await this.options.primary.check(limits);
      if (this.fallback) {
        this.fallback = null;
        this.log("[ratelimit] Redis is back: limits are shared again");
      }
      return verdict;
    } catch (error) {
      if (error instanceof LimitsUnavailableError) throw error; // the database, not Redis
      return this.degrade((error as Error).message).check(limits);
    }
  }

  async close(): Promise<void> {
    await this.options.primary.close();
  }

  private degrade(reason: string): MemoryLimiter {
    this.retryAt = this.now() + RETRY_MS;
    if (!this.fallback) {
      this.fallback = this.options.createFallback();
      this.log(`[ratelimit] Redis unavailable (${reason}): using per-instance limits until it is back`);
    }
    return this.fallback;
  }
}
