// usage_hourly against the log it summarises: the triggers keep it equal to a GROUP BY of
// request_logs whoever writes there, and the statistics read through it answer exactly
// what a row-by-row count of the log answers — for ranges cut anywhere inside an hour,
// every filter, zones with and without daylight saving or half-hour offsets. Rows live in
// late March 2025 (Berlin and New York change clocks then), away from usage-seed.ts's.
// Run on embedded PGlite (unit) and on PostgreSQL (integration).
import type { PrismaClient } from "@/generated/prisma/client";
import { statusClass, type StatusClass } from "@/lib/usage/stats-shared";
import type { Bucket } from "@/lib/usage/buckets";
import { getTopKeys, getTopModels, getUsageOverview, getUsageSeries, type UsageFilter } from "@/lib/usage/queries";
import { UsageRecorder, type RequestRecord } from "@/lib/usage/recorder";

const START = Date.UTC(2025, 2, 28, 0, 0, 0);
const SPAN = 4 * 86_400_000;
const KEYS = ["roll_k1", "roll_k2", "roll_k3"];
const MODELS: [string, string][] = [
  ["gpt-4o-mini", "openai"],
  ["claude-haiku-4-5", "anthropic"],
  ["gemini-2.0-flash", "gemini"],
];
// [status, provider known, error code]: what the gateway writes (lib/gateway/errors.ts).
const OUTCOMES: [number, boolean, string | null][] = [
  [200, true, null],
  [200, true, null],
  [200, true, null],
  [200, true, "upstream_stream_error"],
  [200, true, "client_closed_request"],
  [401, false, "invalid_api_key"],
  [401, false, "api_key_disabled"],
  [403, false, "ip_not_allowed"],
  [403, false, "daily_quota_exceeded"],
  [429, false, "rate_limit_exceeded"],
  [429, true, "rate_limit_error"],
  [401, true, "authentication_error"],
  [400, false, "invalid_request"],
  [400, true, "invalid_request_error"],
  [404, false, "model_not_found"],
  [499, true, "client_closed_request"],
  [502, true, "upstream_unreachable"],
  [503, false, "provider_not_configured"],
];

interface Row {
  createdAt: Date;
  keyId: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
}

function makeRows(count: number): Row[] {
  let state = 7;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  return Array.from({ length: count }, () => {
    const [status, upstream, errorCode] = pick(OUTCOMES);
    const [model, provider] = pick(MODELS);
    const ok = status < 400;
    return {
      createdAt: new Date(START + Math.floor(random() * SPAN)),
      keyId: status === 401 && !upstream && random() < 0.5 ? null : pick(KEYS),
      model: upstream || status === 400 || status === 404 ? model : null,
      provider: upstream ? provider : null,
      status,
      errorCode,
      latencyMs: 1 + Math.floor(random() * 4000),
      promptTokens: ok ? 1 + Math.floor(random() * 500) : null,
      completionTokens: ok ? Math.floor(random() * 300) : null,
    };
  });
}

function classOf(r: Row): StatusClass {
  return statusClass(r.status, { upstream: r.provider !== null, streamFailed: r.status < 400 && r.errorCode !== null && r.errorCode !== "client_closed_request" });
}

function matches(r: Row, f: UsageFilter): boolean {
  const t = r.createdAt.getTime();
  return t >= f.from.getTime() && t < f.to.getTime() && (!f.keyId || r.keyId === f.keyId) && (!f.provider || r.provider === f.provider) && (!f.model || r.model === f.model);
}

export function describeUsageRollup(db: () => PrismaClient): void {
  const rows = makeRows(2400);

  /** usage_hourly and the same grouping computed from request_logs, both sorted. */
  async function rollupAndLog() {
    const columns = `hour, key_id, provider, model, status, failed, requests::int AS requests, prompt_tokens::float8 AS prompt_tokens,
                     completion_tokens::float8 AS completion_tokens, latency_ms_sum::float8 AS latency_ms_sum`;
    const order = "ORDER BY hour, key_id, provider, model, status, failed";
    const rollup = await db().$queryRawUnsafe(`SELECT ${columns} FROM usage_hourly ${order}`);
    const log = await db().$queryRawUnsafe(`
      SELECT ${columns} FROM (
        SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
               coalesce(key_id, '') AS key_id, coalesce(provider, '') AS provider, coalesce(model, '') AS model, status,
               status < 400 AND error_code IS NOT NULL AND error_code <> 'client_closed_request' AS failed,
               count(*) AS requests, coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
               coalesce(sum(completion_tokens), 0) AS completion_tokens, sum(latency_ms) AS latency_ms_sum
        FROM request_logs GROUP BY 1, 2, 3, 4, 5, 6) AS g ${order}`);
    return { rollup, log };
  }

  beforeAll(async () => {
    const expiresAt = new Date("2030-01-01T00:00:00Z");
    for (const id of KEYS) {
      await db().apiKey.create({ data: { id, name: id, prefix: `sk-akm_${id.slice(-4)}`, hash: `hash-${id}`, expiresAt, dailyLimit: 10_000, rateLimit: 100 } });
    }
    // Half through the usage recorder's flush (one INSERT … SELECT FROM unnest), half by
    // createMany in small batches, as a seed or an import would write them.
    const recorder = new UsageRecorder({ db, flushMs: 3_600_000, log: () => undefined });
    rows.slice(0, 1200).forEach((r, i) => recorder.record(toRecord(r, i)));
    await recorder.close();
    for (let i = 1200; i < rows.length; i += 300) {
      await db().requestLog.createMany({
        data: rows.slice(i, i + 300).map((r, j) => ({ ...r, requestId: `roll_${i + j}`, path: "/v1/chat/completions" })),
      });
    }
  });

  describe("usage_hourly", () => {
    it("equals a GROUP BY of the log after inserts by the recorder and by createMany", async () => {
      const { rollup, log } = await rollupAndLog();
      expect((rollup as unknown[]).length).toBeGreaterThan(100);
      expect(rollup).toEqual(log);
    });

    const filters: [string, Partial<UsageFilter>][] = [
      ["no filter", {}],
      ["a key", { keyId: "roll_k2" }],
      ["a provider", { provider: "anthropic" }],
      ["a model", { model: "claude-haiku-4-5" }],
    ];
    const ranges: [string, string][] = [
      ["2025-03-28T00:00:00Z", "2025-04-01T00:00:00Z"],
      ["2025-03-28T05:17:31.250Z", "2025-03-31T19:42:08Z"],
      ["2025-03-29T23:59:59.999Z", "2025-03-30T04:00:00.001Z"],
      ["2025-03-30T00:10:00Z", "2025-03-30T00:50:00Z"],
      ["2025-03-30T00:30:00Z", "2025-03-30T01:30:00Z"],
      ["2025-03-27T12:00:00Z", "2025-03-29T12:00:00Z"],
    ];

    it.each(filters)("counts, tokens and statuses match a row-by-row count of the log (%s)", async (_, filter) => {
      for (const [from, to] of ranges) {
        const f: UsageFilter = { from: new Date(from), to: new Date(to), timeZone: "UTC", ...filter };
        const mine = rows.filter((r) => matches(r, f));
        const o = await getUsageOverview(f);
        const count = (cls: StatusClass) => mine.filter((r) => classOf(r) === cls).length;
        expect([from, to, o.requests, o.success, o.refused, o.rateLimited, o.errors, o.promptTokens, o.completionTokens]).toEqual([
          from,
          to,
          mine.length,
          count("success"),
          count("refused"),
          count("rate_limited"),
          count("client_error") + count("server_error"),
          mine.reduce((n, r) => n + (r.promptTokens ?? 0), 0),
          mine.reduce((n, r) => n + (r.completionTokens ?? 0), 0),
        ]);
        const statuses = new Map<string, number>();
        for (const r of mine) statuses.set(`${r.status}:${classOf(r)}`, (statuses.get(`${r.status}:${classOf(r)}`) ?? 0) + 1);
        expect(Object.fromEntries(o.statuses.map((s) => [`${s.status}:${s.statusClass}`, s.requests]))).toEqual(Object.fromEntries(statuses));
      }
    });

    const zones = ["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata"];
    const buckets: Bucket[] = ["1 hour", "1 day", "1 week", "15 minutes"];

    it.each(zones)("charts per bucket and provider match the log's rows bucketed by PostgreSQL (%s)", async (timeZone) => {
      for (const bucket of buckets) {
        for (const [from, to] of [ranges[0], ranges[1]]) {
          for (const [, filter] of [filters[0], filters[1]]) {
            const f: UsageFilter = { from: new Date(from), to: new Date(to), timeZone, ...filter };
            // Each row's bucket by PostgreSQL's own zone rules, then counted here row by row.
            const placed = await db().$queryRawUnsafe<{ request_id: string; bucket: Date }[]>(
              `SELECT request_id, CASE WHEN $2 = '15 minutes'
                  THEN (date_trunc('hour', created_at AT TIME ZONE $1) + floor(date_part('minute', created_at AT TIME ZONE $1) / 15) * interval '15 minutes') AT TIME ZONE $1
                  ELSE date_trunc(split_part($2, ' ', 2), created_at AT TIME ZONE $1) AT TIME ZONE $1 END AS bucket
               FROM request_logs WHERE request_id LIKE 'roll\\_%'`,
              timeZone,
              bucket,
            );
            const bucketOf = new Map(placed.map((p) => [p.request_id, p.bucket]));
            const expected = new Map<string, { requests: number; errors: number; prompt: number; completion: number; latency: number }>();
            rows.forEach((r, i) => {
              if (!matches(r, f)) return;
              const id = `${bucketOf.get(`roll_${i}`)!.toISOString()}|${r.provider}`;
              const e = expected.get(id) ?? { requests: 0, errors: 0, prompt: 0, completion: 0, latency: 0 };
              e.requests++;
              if (["client_error", "server_error"].includes(classOf(r))) e.errors++;
              e.prompt += r.promptTokens ?? 0;
              e.completion += r.completionTokens ?? 0;
              e.latency += r.latencyMs;
              expected.set(id, e);
            });
            const series = await getUsageSeries(f, bucket);
            const actual = new Map(series.rows.map((s) => [`${s.bucket}|${s.provider}`, s]));
            expect([timeZone, bucket, from, [...actual.keys()].sort()]).toEqual([timeZone, bucket, from, [...expected.keys()].sort()]);
            for (const [id, e] of expected) {
              const s = actual.get(id)!;
              expect([id, s.requests, s.errors, s.promptTokens, s.completionTokens]).toEqual([id, e.requests, e.errors, e.prompt, e.completion]);
              expect(s.avgLatencyMs).toBeCloseTo(e.latency / e.requests, 6);
            }
          }
        }
      }
    });

    it("ranks keys and models as the log's rows do", async () => {
      const f: UsageFilter = { from: new Date(ranges[1][0]), to: new Date(ranges[1][1]), timeZone: "UTC" };
      const mine = rows.filter((r) => matches(r, f));
      const tally = (pick: (r: Row) => string | null) => {
        const out = new Map<string, number>();
        for (const r of mine) if (pick(r) !== null) out.set(pick(r)!, (out.get(pick(r)!) ?? 0) + 1);
        return Object.fromEntries(out);
      };
      expect(Object.fromEntries((await getTopKeys(f, 10)).map((k) => [k.keyId, k.requests]))).toEqual(tally((r) => r.keyId));
      expect(Object.fromEntries((await getTopModels(f, 10)).map((m) => [m.model, m.requests]))).toEqual(tally((r) => r.model));
      const errors = mine.filter((r) => r.keyId === "roll_k1" && ["client_error", "server_error"].includes(classOf(r))).length;
      expect((await getTopKeys(f, 10)).find((k) => k.keyId === "roll_k1")?.errors).toBe(errors);
    });

    it("follows deletes of old rows and the SET NULL of a key removed from the database", async () => {
      await db().requestLog.deleteMany({ where: { requestId: { startsWith: "roll_" }, createdAt: { lt: new Date("2025-03-29T06:30:00Z") } } });
      await db().apiKey.delete({ where: { id: "roll_k3" } });
      const { rollup, log } = await rollupAndLog();
      expect(rollup).toEqual(log);
      const left = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM usage_hourly WHERE key_id = 'roll_k3'`;
      expect(left[0].n).toBe(0);
    });
  });
}

function toRecord(r: Row, i: number): RequestRecord {
  return {
    requestId: `roll_${i}`,
    keyId: r.keyId,
    method: "POST",
    path: "/v1/chat/completions",
    model: r.model,
    provider: r.provider,
    status: r.status,
    errorCode: r.errorCode,
    errorMessage: r.errorCode ? `failed: ${r.errorCode}` : null,
    startedAt: r.createdAt.getTime(),
    latencyMs: r.latencyMs,
    ttfbMs: null,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    cachedTokens: null,
    clientIp: "192.0.2.1",
    stream: false,
    countedDay: null,
  };
}
