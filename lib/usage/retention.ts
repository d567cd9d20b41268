// Keeping request_logs and events from growing forever, off the hot path:
//   - request_logs is partitioned by UTC month (migration request_logs_partitioned). The
//     partitions for this month and the next two are created ahead of time; months wholly
//     older than REQUEST_LOG_RETENTION_DAYS are dropped as tables, and the rows past the
//     cutoff in the month that straddles it are deleted in small batches;
//   - events older than EVENT_RETENTION_DAYS are deleted in small batches.
// usage_hourly (the console's statistics) and key_daily_usage (the quota's durable copy)
// stay: retention's DELETEs set akm.retention, which the rollup trigger honours, and a
// dropped partition fires no trigger.
// Every step is safe to run on several instances at once (advisory locks in the SQL
// functions, IF EXISTS, batches that find nothing left to delete).
import type { Db } from "@/lib/db/client";

const DAY_MS = 86_400_000;
/** Months created ahead, besides the current one. */
const MONTHS_AHEAD = 2;
// Small batches keep each statement short: the embedded database runs queries one at a
// time, and a long DELETE would hold up the request records behind it.
const BATCH_ROWS = 2000;

export interface RetentionPolicy {
  /** Days request_logs rows are kept; 0 keeps them forever. */
  requestLogDays: number;
  /** Days events are kept; 0 keeps them forever. */
  eventDays: number;
  /**
   * VACUUM ANALYZE the tables rows were deleted from. For the embedded database, which
   * has no autovacuum: without it the space of deleted rows is never reused.
   */
  vacuum?: boolean;
}

export interface RetentionResult {
  createdPartitions: string[];
  droppedPartitions: string[];
  deletedRequestLogs: number;
  deletedEvents: number;
}

function monthStart(at: Date, plusMonths = 0): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + plusMonths, 1)).toISOString().slice(0, 10);
}

/** Creates the partitions of this month and the next ones that do not exist yet. */
export async function ensurePartitions(db: Db, now = new Date()): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i <= MONTHS_AHEAD; i++) {
    const month = monthStart(now, i);
    const [row] = await db.$queryRaw<{ created: boolean }[]>`SELECT request_logs_ensure_partition(${month}::date) AS created`;
    if (row?.created) created.push(`request_logs_p${month.slice(0, 7).replace("-", "_")}`);
  }
  return created;
}

/**
 * One pass of maintenance: partitions ahead, then the retention cut. `pause` runs between
 * delete batches (the server yields to requests there).
 */
export async function runRetention(
  db: Db,
  policy: RetentionPolicy,
  now = new Date(),
  pause: () => Promise<void> = () => Promise.resolve(),
): Promise<RetentionResult> {
  const result: RetentionResult = { createdPartitions: await ensurePartitions(db, now), droppedPartitions: [], deletedRequestLogs: 0, deletedEvents: 0 };
  if (policy.requestLogDays > 0) {
    const cutoff = new Date(now.getTime() - policy.requestLogDays * DAY_MS);
    const dropped = await db.$queryRaw<{ name: string }[]>`SELECT request_logs_drop_partitions_before(${cutoff}::timestamptz) AS name`;
    result.droppedPartitions = dropped.map((r) => r.name);
    result.deletedRequestLogs = await deleteInBatches(
      () =>
        db.$transaction([
          db.$executeRaw`SELECT set_config('akm.retention', 'on', true)`,
          db.$executeRaw`
            DELETE FROM request_logs WHERE (id, created_at) IN (
              SELECT id, created_at FROM request_logs WHERE created_at < ${cutoff}::timestamptz ORDER BY created_at LIMIT ${BATCH_ROWS})`,
        ]).then(([, deleted]) => deleted),
      pause,
    );
  }
  if (policy.eventDays > 0) {
    const cutoff = new Date(now.getTime() - policy.eventDays * DAY_MS);
    result.deletedEvents = await deleteInBatches(
      () => db.$executeRaw`
        DELETE FROM events WHERE id IN (
          SELECT id FROM events WHERE created_at < ${cutoff}::timestamptz ORDER BY created_at LIMIT ${BATCH_ROWS})`,
      pause,
    );
  }
  if (policy.vacuum) {
    // Outside a transaction, one table at a time.
    if (result.deletedRequestLogs) await db.$executeRawUnsafe("VACUUM ANALYZE request_logs");
    if (result.deletedEvents) await db.$executeRawUnsafe("VACUUM ANALYZE events");
  }
  return result;
}

async function deleteInBatches(batch: () => Promise<number>, pause: () => Promise<void>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await batch();
    total += deleted;
    if (deleted < BATCH_ROWS) return total;
    await pause();
  }
}

const HOUR_MS = 3_600_000;

/**
 * Runs maintenance an hour apart, the first pass `firstAfterMs` after start-up (the
 * partitions ahead are made at once by the caller). Returns a stop function.
 */
export function scheduleRetention(db: () => Db, policy: RetentionPolicy, log: { info(m: string): void; warn(m: string): void }, firstAfterMs = 60_000): () => void {
  let timer: NodeJS.Timeout;
  let stopped = false;
  const pass = async () => {
    try {
      const r = await runRetention(db(), policy, new Date(), () => new Promise((resolve) => setTimeout(resolve, 20)));
      if (r.createdPartitions.length || r.droppedPartitions.length || r.deletedRequestLogs || r.deletedEvents) {
        log.info(
          `[retention] partitions created: ${r.createdPartitions.join(", ") || "none"}; dropped: ${r.droppedPartitions.join(", ") || "none"}; ` +
            `request log rows deleted: ${r.deletedRequestLogs}; events deleted: ${r.deletedEvents}`,
        );
      }
    } catch (error) {
      log.warn(`[retention] maintenance failed, retried in an hour: ${(error as Error).message}`);
    }
    if (!stopped) (timer = setTimeout(() => void pass(), HOUR_MS)).unref();
  };
  (timer = setTimeout(() => void pass(), firstAfterMs)).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
