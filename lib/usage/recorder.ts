// Usage records for every /v1 request, written off the hot path: the gateway appends to
// an in-process buffer and a flush writes it in one transaction every FLUSH_MS (sooner
// when BATCH_ROWS are waiting):
//   request_logs      one row per request, forwarded or refused;
//   events            security events for refused requests, system events for upstream failures;
//   key_daily_usage   per key and UTC day: requests counted against the quota, tokens —
//                     the durable copy the limiters seed their day counters from;
//   api_keys.last_used_at.
// SIGTERM: the server first lets in-flight responses (streams) finish, then the shutdown
// hook flushes, so every response a client received has its record.
// Loss window: a crash or SIGKILL loses what was buffered, at most FLUSH_MS of requests
// (and whatever piled up while the database was unreachable). A failed flush keeps its
// rows and is retried; past MAX_BUFFERED the oldest rows are dropped with a warning. A row
// the database refuses outright is dropped alone, after ISOLATE_AFTER failed flushes.
import { Prisma } from "@/generated/prisma/client";
import { getDb, type Db } from "@/lib/db/client";
import { toEventRow, type EventInput } from "@/lib/events/record";
import { onShutdown } from "@/lib/server/lifecycle";
import { log } from "@/lib/log";

export const FLUSH_MS = 500;
const BATCH_ROWS = 1000;
const MAX_BUFFERED = 100_000;
const RETRY_MAX_MS = 10_000;
// Consecutive failed flushes, with the database answering, before rows are written one by one.
const ISOLATE_AFTER = 3;

export interface RequestRecord {
  requestId: string;
  keyId: string | null;
  method: string;
  path: string;
  model: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  errorMessage: string | null;
  /** When the request arrived (ms since the epoch). */
  startedAt: number;
  latencyMs: number;
  /** Until the upstream's first byte; null when nothing was forwarded. */
  ttfbMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  clientIp: string | null;
  stream: boolean;
  /** The UTC day whose quota this request was counted against; null when it was not counted. */
  countedDay: string | null;
}

interface DayTotals {
  keyId: string;
  day: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface UsageRecorderOptions {
  db?: () => Db;
  flushMs?: number;
  log?: (line: string) => void;
}

export class UsageRecorder {
  private records: RequestRecord[] = [];
  private events: EventInput[] = [];
  /** Counted-but-unflushed requests per key and day, buffered or being written. */
  private readonly unflushed = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private retryAt = 0;
  private dropped = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly db: () => Db;
  private readonly log: (line: string) => void;

  constructor(options: UsageRecorderOptions = {}) {
    this.db = options.db ?? getDb;
    this.log = options.log ?? ((line) => log.warn(line));
    this.timer = setInterval(() => void this.flush(), options.flushMs ?? FLUSH_MS);
    this.timer.unref();
  }

  record(record: RequestRecord): void {
    this.records.push(record);
    if (record.keyId && record.countedDay) {
      const id = dayId(record.keyId, record.countedDay);
      this.unflushed.set(id, (this.unflushed.get(id) ?? 0) + 1);
    }
    if (this.records.length >= BATCH_ROWS && !this.flushing) setImmediate(() => void this.flush());
    if (this.records.length > MAX_BUFFERED) this.dropOldest();
  }

  event(event: EventInput): void {
    this.events.push(event);
    if (this.events.length > MAX_BUFFERED) {
      this.events.splice(0, this.events.length - MAX_BUFFERED);
      this.dropped++;
    }
  }

  /** Requests counted for a key on a day that are not in key_daily_usage yet. */
  unflushedRequests(keyId: string, day: string): number {
    return this.unflushed.get(dayId(keyId, day)) ?? 0;
  }

  get pending(): number {
    return this.records.length + this.events.length;
  }

  /** Writes what is buffered (one batch); concurrent calls share the write in progress. */
  flush(): Promise<void> {
    if (!this.flushing) this.flushing = this.writeBatch().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Stops the timer and writes everything, retrying a failed write for up to `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0 || this.flushing) {
      this.retryAt = 0;
      await this.flush();
      if (this.failures > 0) {
        if (Date.now() > deadline) {
          this.log(`[usage] giving up: ${this.records.length} request record(s) and ${this.events.length} event(s) not written`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private async writeBatch(): Promise<void> {
    if (this.pending === 0 || Date.now() < this.retryAt) return;
    const records = this.records.splice(0, BATCH_ROWS);
    const events = this.events.splice(0, BATCH_ROWS);
    try {
      if (this.failures >= ISOLATE_AFTER && (await this.databaseAnswers())) await this.writeOneByOne(records, events);
      else await this.write(records, events);
    } catch (error) {
      // Put them back in front, in order, and try again later.
      this.records.unshift(...records);
      this.events.unshift(...events);
      this.failures++;
      this.retryAt = Date.now() + Math.min(RETRY_MAX_MS, 250 * 2 ** Math.min(this.failures, 6));
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.log(`[usage] could not write ${records.length} request record(s) (attempt ${this.failures}): ${(error as Error).message}`);
      }
      return;
    }
    if (this.failures > 0) this.log(`[usage] writing again after ${this.failures} failed attempt(s)`);
    this.failures = 0;
    for (const r of records) {
      if (!r.keyId || !r.countedDay) continue;
      const id = dayId(r.keyId, r.countedDay);
      const left = (this.unflushed.get(id) ?? 1) - 1;
      if (left > 0) this.unflushed.set(id, left);
      else this.unflushed.delete(id);
    }
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.db().$queryRaw`SELECT 1`;
      return true;
    } catch {
      return false;
    }
  }

  // The database answers but the batch keeps failing: some row cannot be written (say its
  // key was removed by hand). Write rows alone so one bad row does not hold back the rest.
  private async writeOneByOne(records: RequestRecord[], events: EventInput[]): Promise<void> {
    const rows: [RequestRecord[], EventInput[]][] = [...records.map((r): [RequestRecord[], EventInput[]] => [[r], []]), ...events.map((e): [RequestRecord[], EventInput[]] => [[], [e]])];
    for (const [r, e] of rows) {
      try {
        await this.write(r, e);
      } catch (error) {
        const what = r.length ? `request record ${r[0].requestId}` : `event ${e[0].type}`;
        this.log(`[usage] dropped ${what}, which the database refuses: ${(error as Error).message}`);
      }
    }
  }

  private async write(records: RequestRecord[], events: EventInput[]): Promise<void> {
    const db = this.db();
    const days = new Map<string, DayTotals>();
    const lastUsed = new Map<string, number>();
    for (const r of records) {
      if (!r.keyId) continue;
      if (r.countedDay) {
        const id = dayId(r.keyId, r.countedDay);
        let totals = days.get(id);
        if (!totals) days.set(id, (totals = { keyId: r.keyId, day: r.countedDay, requests: 0, promptTokens: 0, completionTokens: 0 }));
        totals.requests++;
        totals.promptTokens += r.promptTokens ?? 0;
        totals.completionTokens += r.completionTokens ?? 0;
        lastUsed.set(r.keyId, Math.max(lastUsed.get(r.keyId) ?? 0, r.startedAt));
      }
    }
    const writes: Prisma.PrismaPromise<unknown>[] = [];
    // One INSERT … SELECT FROM unnest(column arrays) per table: the parameters are one array
    // per column whatever the batch size. Measured on the embedded database: ~0.04 ms of
    // CPU per row, against ~0.4–0.6 ms per row through createMany.
    if (records.length) writes.push(insertRequestLogs(db, records));
    if (events.length) writes.push(insertEvents(db, events));
    // Rows go in key order: two instances flushing at once then lock them in the same
    // order and cannot deadlock each other.
    if (days.size) {
      const rows = [...days.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : a.day < b.day ? -1 : 1)).map(
        (t) => Prisma.sql`(${t.keyId}, ${t.day}::date, ${t.requests}::int, ${t.promptTokens}::bigint, ${t.completionTokens}::bigint)`,
      );
      writes.push(db.$executeRaw`
        INSERT INTO key_daily_usage (key_id, day, requests, prompt_tokens, completion_tokens)
        VALUES ${Prisma.join(rows)}
        ON CONFLICT (key_id, day) DO UPDATE SET
          requests = key_daily_usage.requests + EXCLUDED.requests,
          prompt_tokens = key_daily_usage.prompt_tokens + EXCLUDED.prompt_tokens,
          completion_tokens = key_daily_usage.completion_tokens + EXCLUDED.completion_tokens`);
    }
    if (lastUsed.size) {
      const rows = [...lastUsed].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, at]) => Prisma.sql`(${id}, ${new Date(at).toISOString()}::timestamptz)`);
      // last_used_at is outside the api_keys trigger's column list: this does not make
      // every instance evict the key.
      writes.push(db.$executeRaw`
        UPDATE api_keys AS k SET last_used_at = v.at
        FROM (VALUES ${Prisma.join(rows)}) AS v(id, at)
        WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)`);
    }
    await db.$transaction(writes);
  }

  private dropOldest(): void {
    const excess = this.records.length - MAX_BUFFERED;
    const dropped = this.records.splice(0, excess);
    for (const r of dropped) {
      if (!r.keyId || !r.countedDay) continue;
      const id = dayId(r.keyId, r.countedDay);
      const left = (this.unflushed.get(id) ?? 1) - 1;
      if (left > 0) this.unflushed.set(id, left);
      else this.unflushed.delete(id);
    }
    this.dropped += excess;
    if (this.dropped === excess || this.dropped % 10_000 < excess) {
      this.log(`[usage] buffer full while the database is unreachable: dropped ${this.dropped} oldest request record(s) so far`);
    }
  }
}

function dayId(keyId: string, day: string): string {
  return `${keyId}\n${day}`;
}

function insertRequestLogs(db: Db, records: RequestRecord[]): Prisma.PrismaPromise<number> {
  const col = <T>(pick: (r: RequestRecord) => T) => records.map(pick);
  return db.$executeRaw`
    INSERT INTO request_logs (created_at, request_id, key_id, method, path, model, provider, status, error_code, error_message,
                              latency_ms, ttfb_ms, prompt_tokens, completion_tokens, cached_tokens, client_ip, stream)
    SELECT * FROM unnest(
      ${col((r) => new Date(r.startedAt).toISOString())}::timestamptz[], ${col((r) => r.requestId)}::text[], ${col((r) => r.keyId)}::text[],
      ${col((r) => r.method)}::text[], ${col((r) => r.path)}::text[], ${col((r) => r.model)}::text[], ${col((r) => r.provider)}::text[],
      ${col((r) => r.status)}::int[], ${col((r) => r.errorCode)}::text[], ${col((r) => r.errorMessage)}::text[],
      ${col((r) => r.latencyMs)}::int[], ${col((r) => r.ttfbMs)}::int[], ${col((r) => r.promptTokens)}::int[],
      ${col((r) => r.completionTokens)}::int[], ${col((r) => r.cachedTokens)}::int[], ${col((r) => r.clientIp)}::text[], ${col((r) => r.stream)}::bool[])`;
}

function insertEvents(db: Db, events: EventInput[]): Prisma.PrismaPromise<number> {
  const rows = events.map(toEventRow);
  const col = <T>(pick: (e: (typeof rows)[number]) => T) => rows.map(pick);
  return db.$executeRaw`
    INSERT INTO events (created_at, category, level, type, message, key_id, client_ip, request_id, details)
    SELECT * FROM unnest(
      ${col((e) => new Date(e.createdAt ?? Date.now()).toISOString())}::timestamptz[], ${col((e) => e.category)}::"EventCategory"[],
      ${col((e) => e.level)}::"EventLevel"[], ${col((e) => e.type)}::text[], ${col((e) => e.message)}::text[], ${col((e) => e.keyId ?? null)}::text[],
      ${col((e) => e.clientIp ?? null)}::text[], ${col((e) => e.requestId ?? null)}::text[],
      ${col((e) => (e.details === undefined || e.details === null ? null : JSON.stringify(e.details)))}::jsonb[])`;
}

const g = globalThis as unknown as { __akmUsageRecorder?: UsageRecorder };

/** The process's recorder; its shutdown hook flushes after in-flight responses finished. */
export function getUsageRecorder(): UsageRecorder {
  if (!g.__akmUsageRecorder) {
    const recorder = new UsageRecorder();
    g.__akmUsageRecorder = recorder;
    onShutdown("usage", async () => {
      await recorder.close();
      g.__akmUsageRecorder = undefined;
    });
  }
  return g.__akmUsageRecorder;
}
