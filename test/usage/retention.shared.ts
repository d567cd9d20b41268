// Retention against a real database: old months' partitions dropped, the straddling month
// cut row by row, events cut, and what the console's statistics and the quotas read
// (usage_hourly, key_daily_usage) left as they were. Run on embedded PGlite (unit) and on
// PostgreSQL (integration), each on a database of its own.
import type { PrismaClient } from "@/generated/prisma/client";
import { runRetention, ensurePartitions } from "@/lib/usage/retention";
import { UsageRecorder, type RequestRecord } from "@/lib/usage/recorder";

const NOW = new Date("2026-12-06T12:00:00Z");
// [request id, when]; with 90 days kept the cutoff is 2026-09-07T12:00Z.
const ROWS: [string, string][] = [
  ["ret-jun", "2026-06-15T08:00:00Z"],
  ["ret-jul", "2026-07-31T23:59:59Z"],
  ["ret-aug", "2026-08-20T10:00:00Z"],
  ["ret-sep-old", "2026-09-01T10:00:00Z"],
  ["ret-sep-new", "2026-09-10T10:00:00Z"],
  ["ret-nov", "2026-11-30T10:00:00Z"],
];

function record(requestId: string, at: string, keyId: string): RequestRecord {
  return {
    requestId, keyId, method: "POST", path: "/v1/chat/completions", model: "gpt-4o-mini", provider: "openai",
    status: 200, errorCode: null, errorMessage: null, startedAt: Date.parse(at), latencyMs: 20, ttfbMs: 10,
    promptTokens: 7, completionTokens: 3, cachedTokens: null, clientIp: "10.0.0.9", stream: false, countedDay: at.slice(0, 10),
  };
}

const partitions = async (db: PrismaClient) =>
  (
    await db.$queryRaw<{ name: string }[]>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'request_logs'::regclass ORDER BY 1`
  ).map((r) => r.name);

export function describeRetention(db: () => PrismaClient): void {
  describe("retention", () => {
    let keyId: string;

    beforeAll(async () => {
      keyId = (await db().apiKey.create({
        data: { name: "retention", prefix: "sk-akm_ret0", hash: "hash-retention", expiresAt: new Date("2030-01-01T00:00:00Z"), dailyLimit: 1000, rateLimit: 100 },
      })).id;
      const recorder = new UsageRecorder({ db, flushMs: 3_600_000, log: () => undefined });
      for (const [id, at] of ROWS) {
        recorder.record(record(id, at, keyId), [{ category: "security", level: "warn", type: "rate_limited", message: id, requestId: id, createdAt: new Date(at) }]);
      }
      await recorder.close();
    });

    it("moves rows written before their month had a partition out of the default partition when it is created", async () => {
      const inDefault = await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM request_logs_default WHERE request_id LIKE 'ret-%'`;
      expect(Number(inDefault[0].n)).toBeGreaterThan(0);
      for (const month of ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"]) {
        await db().$queryRaw`SELECT request_logs_ensure_partition(${month}::date)`;
      }
      const after = await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM request_logs_default WHERE request_id LIKE 'ret-%'`;
      expect(Number(after[0].n)).toBe(0);
      expect(await db().requestLog.count({ where: { requestId: { startsWith: "ret-" } } })).toBe(ROWS.length);
      expect(await partitions(db())).toEqual(expect.arrayContaining(["request_logs_p2026_06", "request_logs_p2026_09", "request_logs_p2026_11", "request_logs_default"]));
    });

    it("creates this month's partition and the next two ahead", async () => {
      await ensurePartitions(db(), new Date("2031-05-20T00:00:00Z"));
      expect(await partitions(db())).toEqual(expect.arrayContaining(["request_logs_p2031_05", "request_logs_p2031_06", "request_logs_p2031_07"]));
      expect(await ensurePartitions(db(), new Date("2031-05-20T00:00:00Z"))).toEqual([]);
    });

    it("drops whole old months, cuts the straddling one, keeps the statistics and the quota counts", async () => {
      const hourly = () => db().usageHourly.findMany({ where: { keyId }, orderBy: { hour: "asc" } });
      const days = () => db().keyDailyUsage.findMany({ where: { keyId }, orderBy: { day: "asc" } });
      const [hourlyBefore, daysBefore] = [await hourly(), await days()];
      expect(hourlyBefore).toHaveLength(ROWS.length);

      const result = await runRetention(db(), { requestLogDays: 90, eventDays: 30, vacuum: true }, NOW);

      expect(result.droppedPartitions).toEqual(["request_logs_p2026_06", "request_logs_p2026_07", "request_logs_p2026_08"]);
      expect(result.deletedRequestLogs).toBe(1); // ret-sep-old, inside September's partition
      const left = await db().requestLog.findMany({ where: { requestId: { startsWith: "ret-" } }, select: { requestId: true }, orderBy: { createdAt: "asc" } });
      expect(left.map((r) => r.requestId)).toEqual(["ret-sep-new", "ret-nov"]);
      expect(await partitions(db())).not.toContain("request_logs_p2026_08");
      expect(await hourly()).toEqual(hourlyBefore);
      expect(await days()).toEqual(daysBefore);
      // Events: 30 days back from NOW is 2026-11-06; only November's is younger.
      const events = await db().event.findMany({ where: { type: "rate_limited", message: { startsWith: "ret-" } }, select: { message: true } });
      expect(events.map((e) => e.message)).toEqual(["ret-nov"]);
      expect(result.deletedEvents).toBeGreaterThanOrEqual(5);

      // A second pass finds nothing more to do.
      expect(await runRetention(db(), { requestLogDays: 90, eventDays: 30 }, NOW)).toMatchObject({ droppedPartitions: [], deletedRequestLogs: 0, deletedEvents: 0 });
    });

    it("keeps everything when retention is 0", async () => {
      const before = await db().requestLog.count();
      expect(await runRetention(db(), { requestLogDays: 0, eventDays: 0 }, new Date("2040-01-01T00:00:00Z"))).toMatchObject({ droppedPartitions: [], deletedRequestLogs: 0, deletedEvents: 0 });
      expect(await db().requestLog.count()).toBe(before);
    });

    it("still takes a row out of the statistics when someone deletes it by hand", async () => {
      await db().requestLog.deleteMany({ where: { requestId: "ret-nov" } });
      const hour = await db().usageHourly.findMany({ where: { keyId, hour: new Date("2026-11-30T10:00:00Z") } });
      expect(hour).toEqual([]);
    });
  });
}
