// Usage records for every /v1 request, and events, written off the hot path:
//   request_logs      one row per request, forwarded or refused;
//   events            security events for refused requests, system events for failures;
//   key_daily_usage   per key and UTC day: requests counted against the quota, tokens —
//                     the durable copy the limiters seed their day counters from;
//   api_keys.last_used_at.
// Each record is first appended to the journal (journal.ts) — one write(2), before the
// response's last byte leaves — then kept in a bounded in-memory queue; a flush writes the
// queue to the database in one transaction every FLUSH_MS (sooner when BATCH_ROWS are
// waiting) and moves the journal's checkpoint past it. The database writes are idempotent
// (writes.ts), so the journal can be replayed without counting anything twice.
//
// While the database is unreachable the queue fills up to `maxQueued` entries; later ones
// live only in the journal and are read back from it, in order, once the database answers.
// Memory stays bounded; the journal is bounded by JOURNAL_MAX_BYTES.
//
// Loss windows: a killed process (SIGKILL, OOM) loses nothing — the next start replays what
// the journal holds past its checkpoint. A machine crash loses at most the last
// JOURNAL_FSYNC_MS of records (not yet fsynced). A full journal (the database unreachable
// for long enough to fill JOURNAL_MAX_BYTES) keeps what fits in memory and drops the rest,
// with a log line. Without a journal (tests, tools) a crash loses what is queued.
// A row the database refuses outright (after ISOLATE_AFTER failed flushes with the
// database answering, rows are written one by one) goes to <journal>/rejected.jsonl.
import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { getEnv } from "@/lib/config/env";
import type { Db } from "@/lib/db/client";
import { databaseAnswers } from "@/lib/db/health";
import type { EventInput } from "@/lib/events/record";
import { onShutdown } from "@/lib/runtime/lifecycle";
import { log } from "@/lib/log";
import { Journal, type JournalPosition } from "./journal";
import { writeUsageBatch, type JournaledEvent } from "./writes";

export const FLUSH_MS = 500;
const BATCH_ROWS = 1000;
const MAX_QUEUED = 10_000;
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

/** One journal line: a request's record with its events, or events alone. */
interface Entry {
  r?: RequestRecord;
  e?: JournaledEvent[];
}

interface Queued {
  entry: Entry;
  /** Journal position just past the entry; null when the journal could not take it. */
  end: JournalPosition | null;
}

export interface UsageRecorderOptions {
  /** The database to write to; the process's by default. */
  db?: () => Db;
  /** The write-ahead journal; without one a crash loses what is queued. */
  journal?: Journal | null;
  flushMs?: number;
  maxQueued?: number;
  log?: (line: string) => void;
}

export class UsageRecorder {
  private queue: Queued[] = [];
  /**
   * Set while entries live only in the journal (the queue was full): where the first of
   * them starts. Later entries are not queued until the flush has read up to the end.
   */
  private spilled: JournalPosition | null = null;
  /** Counted-but-unflushed requests per key and day, queued, spilled or being written. */
  private readonly unflushed = new Map<string, number>();
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private retryAt = 0;
  private lost = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly db: (() => Db) | undefined;
  private readonly journal: Journal | null;
  private readonly maxQueued: number;
  private readonly log: (line: string) => void;

  constructor(options: UsageRecorderOptions = {}) {
    this.db = options.db;
    this.journal = options.journal ?? null;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED;
    this.log = options.log ?? ((line) => log.warn(line));
    if (this.journal) this.recover(this.journal);
    this.timer = setInterval(() => void this.flush(), options.flushMs ?? FLUSH_MS);
    this.timer.unref();
  }

  /** A request's record, with the events it caused. */
  record(record: RequestRecord, events: EventInput[] = []): void {
    this.append(events.length ? { r: record, e: events.map(journaled) } : { r: record });
  }

  event(event: EventInput): void {
    this.append({ e: [journaled(event)] });
  }

  /** Requests counted for a key on a day that are not in key_daily_usage yet. */
  unflushedRequests(keyId: string, day: string): number {
    return this.unflushed.get(dayId(keyId, day)) ?? 0;
  }

  /** Entries waiting for the database: queued in memory and, when spilled, in the journal. */
  get pending(): number {
    return this.queue.length + (this.spilled ? 1 : 0);
  }

  /** Writes what is waiting (one batch); concurrent calls share the write in progress. */
  flush(): Promise<void> {
    if (!this.flushing) this.flushing = this.writeNext().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /**
   * Stops the timer and writes what is waiting, retrying for up to `timeoutMs`. With a
   * journal, whatever is still unwritten then stays there for the next start.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.pending > 0 || this.flushing) {
      this.retryAt = 0;
      await this.flush();
      if (this.failures > 0) {
        if (Date.now() > deadline) {
          this.log(
            this.journal
              ? `[usage] the database did not answer; the unwritten records stay in the journal and are written at the next start`
              : `[usage] giving up: ${this.queue.length} request record(s) not written`,
          );
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    this.journal?.close();
  }

  private append(entry: Entry): void {
    const journal = this.journal;
    const start = journal?.end();
    const end = journal ? journal.append(JSON.stringify(entry)) : null;
    if (journal && !end) this.noteJournalFull();
    if (this.spilled || this.queue.length >= this.maxQueued) {
      if (end) {
        this.spilled ??= start!;
      } else {
        this.noteLost(entry);
        return;
      }
    } else {
      this.queue.push({ entry, end });
      if (this.queue.length >= BATCH_ROWS && !this.flushing) setImmediate(() => void this.flush());
    }
    const r = entry.r;
    if (r?.keyId && r.countedDay) {
      const id = dayId(r.keyId, r.countedDay);
      this.unflushed.set(id, (this.unflushed.get(id) ?? 0) + 1);
    }
  }

  // What the journal holds past its checkpoint was not written (or not known to be): it is
  // replayed first, and its counted requests count toward their keys' days meanwhile.
  private recover(journal: Journal): void {
    let at = journal.checkpoint;
    let entries = 0;
    for (;;) {
      const batch = journal.read(at, 10_000);
      if (!batch.lines.length) break;
      for (const line of batch.lines) {
        const r = parseEntry(line)?.r;
        if (r?.keyId && r.countedDay) {
          const id = dayId(r.keyId, r.countedDay);
          this.unflushed.set(id, (this.unflushed.get(id) ?? 0) + 1);
        }
      }
      entries += batch.lines.length;
      at = batch.next;
    }
    if (entries > 0) {
      this.spilled = journal.checkpoint;
      this.log(`[usage] replaying ${entries} journaled record(s) not yet in the database`);
    }
  }

  private async writeNext(): Promise<void> {
    if (Date.now() < this.retryAt) return;
    let batch: Queued[];
    let next: JournalPosition | null = null;
    if (this.queue.length) {
      batch = this.queue.splice(0, BATCH_ROWS);
    } else if (this.spilled && this.journal) {
      const read = this.journal.read(this.spilled, BATCH_ROWS);
      batch = read.lines.map((line, i) => ({ entry: parseEntry(line, this.log) ?? {}, end: read.ends[i] }));
      next = read.next;
    } else {
      return;
    }
    const fromQueue = next === null;
    const records = batch.flatMap((q) => (q.entry.r ? [q.entry.r] : []));
    const events = batch.flatMap((q) => q.entry.e ?? []);
    try {
      if (this.failures >= ISOLATE_AFTER && (await databaseAnswers(this.db?.()))) await this.writeOneByOne(batch);
      else await writeUsageBatch(records, events, this.db?.());
    } catch (error) {
      if (fromQueue) this.queue.unshift(...batch); // back in front, in order; try again later
      this.failures++;
      this.retryAt = Date.now() + Math.min(RETRY_MAX_MS, 250 * 2 ** Math.min(this.failures, 6));
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.log(`[usage] could not write ${records.length} request record(s) (attempt ${this.failures}): ${(error as Error).message}`);
      }
      return;
    }
    if (this.failures > 0) this.log(`[usage] writing again after ${this.failures} failed attempt(s)`);
    this.failures = 0;
    if (next && this.journal) {
      const end = this.journal.end();
      this.spilled = next.segment === end.segment && next.offset === end.offset ? null : next;
    }
    const last = batch.findLast((q) => q.end !== null)?.end;
    if (last) this.journal?.advance(last);
    for (const r of records) this.uncount(r);
    if (this.lost > 0 && !this.spilled && this.queue.length < this.maxQueued) {
      this.log(`[usage] recording again; ${this.lost} request record(s) and event(s) could not be kept while the database was away`);
      this.lost = 0;
    }
  }

  private uncount(r: RequestRecord): void {
    if (!r.keyId || !r.countedDay) return;
    const id = dayId(r.keyId, r.countedDay);
    const left = (this.unflushed.get(id) ?? 1) - 1;
    if (left > 0) this.unflushed.set(id, left);
    else this.unflushed.delete(id);
  }

  // The database answers but the batch keeps failing: some row cannot be written. Write
  // entries alone so one bad entry does not hold back the rest; set the bad one aside.
  private async writeOneByOne(batch: Queued[]): Promise<void> {
    for (const { entry } of batch) {
      try {
        await writeUsageBatch(entry.r ? [entry.r] : [], entry.e ?? [], this.db?.());
      } catch (error) {
        const what = entry.r ? `request record ${entry.r.requestId}` : `event ${entry.e?.[0]?.type}`;
        const message = (error as Error).message;
        if (this.journal) {
          appendFileSync(join(this.journal.dir, "rejected.jsonl"), JSON.stringify({ error: message, entry }) + "\n");
          this.log(`[usage] the database refuses ${what}; kept in ${join(this.journal.dir, "rejected.jsonl")}: ${message}`);
        } else {
          this.log(`[usage] dropped ${what}, which the database refuses: ${message}`);
        }
      }
    }
  }

  private journalFullSince = 0;

  private noteJournalFull(): void {
    const now = Date.now();
    if (now - this.journalFullSince < 60_000) return;
    this.journalFullSince = now;
    this.log(
      `[usage] the request journal is full (JOURNAL_MAX_BYTES=${getEnv().JOURNAL_MAX_BYTES}) while the database is unreachable: ` +
        `new records are kept in memory only while there is room, then dropped`,
    );
  }

  private noteLost(entry: Entry): void {
    this.lost++;
    if (this.lost === 1 || this.lost % 10_000 === 0) {
      this.log(`[usage] not recorded: ${this.lost} request record(s) and event(s) so far (${entry.r ? `request ${entry.r.requestId}` : "event"}); the journal and the queue are full`);
    }
  }
}

function journaled(event: EventInput): JournaledEvent {
  const { createdAt, ...rest } = event;
  return { ...rest, uid: randomUUID(), at: createdAt ? createdAt.getTime() : Date.now() };
}

function parseEntry(line: string, report?: (line: string) => void): Entry | null {
  try {
    return JSON.parse(line) as Entry;
  } catch {
    report?.(`[usage] skipped an unreadable journal entry (${line.length} bytes)`);
    return null;
  }
}

function dayId(keyId: string, day: string): string {
  return `${keyId}\n${day}`;
}

let processRecorder: UsageRecorder | undefined;

/** The process's recorder, journaling under DATA_DIR; its shutdown hook flushes after in-flight responses finished. */
export function getUsageRecorder(): UsageRecorder {
  if (!processRecorder) {
    const env = getEnv();
    const journal = Journal.open({
      dir: join(env.dataDir, "journal"),
      maxBytes: env.JOURNAL_MAX_BYTES,
      fsyncMs: env.JOURNAL_FSYNC_MS,
      log: (line) => log.warn(line),
    });
    const recorder = new UsageRecorder({ journal });
    processRecorder = recorder;
    onShutdown("usage", async () => {
      await recorder.close();
      processRecorder = undefined;
    });
  }
  return processRecorder;
}
