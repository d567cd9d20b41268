// Read side of the request log for the console: every aggregation is one SQL statement,
// filtered on created_at first (indexed), so the page data stays fast on a large log
// (bench/stats.ts measures it). Times are bucketed on the admin's wall clock
// (AT TIME ZONE), so a "day" bar is the admin's day.
import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { LATENCY_EDGES_MS, statusClass, type StatusClass } from "@/lib/console/stats-shared";
import { BUCKET_MS, zoneOffsetMs, type Bucket } from "@/lib/console/time";
import { redactSecrets } from "@/lib/console/redact";
import { getDb } from "@/lib/db/client";

export interface UsageFilter {
  from: Date;
  to: Date;
  /** IANA zone the buckets follow. */
  timeZone: string;
  provider?: string;
  keyId?: string;
  model?: string;
}

const IS_ERROR = Prisma.sql`(status >= 400 AND status NOT IN (401, 403, 429))`;

function whereOf(f: UsageFilter): Prisma.Sql {
  const parts = [Prisma.sql`created_at >= ${f.from}`, Prisma.sql`created_at < ${f.to}`];
  if (f.provider) parts.push(Prisma.sql`provider = ${f.provider}`);
  if (f.keyId) parts.push(Prisma.sql`key_id = ${f.keyId}`);
  if (f.model) parts.push(Prisma.sql`model = ${f.model}`);
  return Prisma.join(parts, " AND ");
}

/** `local` truncated to the start of its bucket; `local` is a timestamp without time zone. */
function bucketStart(local: Prisma.Sql, bucket: Bucket): Prisma.Sql {
  switch (bucket) {
    case "1 minute":
      return Prisma.sql`date_trunc('minute', ${local})`;
    case "5 minutes":
      return Prisma.sql`(date_trunc('hour', ${local}) + floor(date_part('minute', ${local}) / 5) * interval '5 minutes')`;
    case "15 minutes":
      return Prisma.sql`(date_trunc('hour', ${local}) + floor(date_part('minute', ${local}) / 15) * interval '15 minutes')`;
    case "1 hour":
      return Prisma.sql`date_trunc('hour', ${local})`;
    case "1 day":
      return Prisma.sql`date_trunc('day', ${local})`;
    case "1 week":
      return Prisma.sql`date_trunc('week', ${local})`;
  }
}

export interface UsageSummary {
  requests: number;
  success: number;
  refused: number;
  rateLimited: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Share of requests that succeeded; null without requests. */
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface StatusCount {
  status: number;
  statusClass: StatusClass;
  requests: number;
}

export interface UsageOverview extends UsageSummary {
  /** Requests per latency bar; index i counts latencies below LATENCY_EDGES_MS[i] (the last: the rest). */
  latencyHistogram: number[];
  statuses: StatusCount[];
}

// One count per histogram bar over the per-latency counts.
const HISTOGRAM = Prisma.raw(
  `ARRAY[${[0, ...LATENCY_EDGES_MS]
    .map((low, i) => {
      const high = LATENCY_EDGES_MS[i];
      return `coalesce(sum(c) FILTER (WHERE v >= ${low}${high === undefined ? "" : ` AND v < ${high}`}), 0)::int`;
    })
    .join(", ")}]`,
);

/**
 * Totals, latency percentiles, the latency histogram and the status breakdown, from one
 * scan. The scan only counts rows per (latency, status) — a hash aggregate into a few
 * thousand groups — and everything else is computed from those counts. The percentiles
 * are exact and equal percentile_cont's, without sorting every row: the value at sorted
 * position i is the smallest latency whose running count exceeds i.
 */
export async function getUsageOverview(f: UsageFilter): Promise<UsageOverview> {
  const rows = await getDb().$queryRaw<
    {
      statuses: { status: number; requests: number }[] | null;
      prompt_tokens: number;
      completion_tokens: number;
      latency: (number | null)[] | null;
      histogram: number[];
    }[]
  >`
    WITH h AS (
      SELECT latency_ms AS v, status, count(*) AS c,
             coalesce(sum(prompt_tokens), 0) AS pt, coalesce(sum(completion_tokens), 0) AS ct
      FROM request_logs
      WHERE ${whereOf(f)}
      GROUP BY 1, 2
    ),
    lat AS (SELECT v, sum(c) AS c FROM h GROUP BY v),
    running AS (SELECT v, sum(c) OVER (ORDER BY v) AS below, sum(c) OVER () AS n FROM lat),
    pos AS (SELECT p, (max(n) - 1) * p AS at FROM running, unnest(ARRAY[0.5, 0.95]) AS p GROUP BY p)
    SELECT
      (SELECT json_agg(json_build_object('status', status, 'requests', n) ORDER BY status)
         FROM (SELECT status, sum(c)::int AS n FROM h GROUP BY status) AS s) AS statuses,
      (SELECT coalesce(sum(pt), 0)::float8 FROM h) AS prompt_tokens,
      (SELECT coalesce(sum(ct), 0)::float8 FROM h) AS completion_tokens,
      (SELECT array_agg(
                (lo + (at - floor(at)) * (hi - lo))::float8 ORDER BY p)
         FROM (SELECT p, at,
                      (SELECT min(v) FROM running WHERE below > floor(at)) AS lo,
                      (SELECT min(v) FROM running WHERE below > ceil(at)) AS hi
               FROM pos) AS q) AS latency,
      (SELECT ${HISTOGRAM} FROM lat) AS histogram`;
  const r = rows[0];
  const statuses = (r.statuses ?? []).map((s) => ({ status: s.status, statusClass: statusClass(s.status), requests: Number(s.requests) }));
  const count = (cls: StatusClass) => statuses.filter((s) => s.statusClass === cls).reduce((n, s) => n + s.requests, 0);
  const requests = statuses.reduce((n, s) => n + s.requests, 0);
  const success = count("success");
  return {
    requests,
    success,
    refused: count("refused"),
    rateLimited: count("rate_limited"),
    errors: count("client_error") + count("server_error"),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    successRate: requests ? success / requests : null,
    p50Ms: r.latency?.[0] ?? null,
    p95Ms: r.latency?.[1] ?? null,
    latencyHistogram: r.histogram.map(Number),
    statuses,
  };
}

export interface UsageSeriesRow {
  /** ISO start of the bucket. */
  bucket: string;
  /** null for requests refused before a provider was chosen. */
  provider: string | null;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Mean latency; percentiles per row would cost a sort of every row (see getUsageOverview). */
  avgLatencyMs: number;
}

export interface UsageSeries {
  bucket: Bucket;
  /** Every bucket start in the range, also the empty ones, oldest first. */
  buckets: string[];
  rows: UsageSeriesRow[];
}

/**
 * The zone's offset from UTC in seconds when it is the same all through the range (no
 * daylight-saving change: UTC, Asia/Shanghai, …), else null.
 */
export function fixedOffsetSeconds(timeZone: string, from: Date, to: Date): number | null {
  const probes = [from, to];
  for (let year = from.getUTCFullYear(); year <= to.getUTCFullYear(); year++) probes.push(new Date(Date.UTC(year, 0, 1)), new Date(Date.UTC(year, 6, 1)));
  const offsets = new Set(probes.map((at) => zoneOffsetMs(timeZone, at)));
  return offsets.size === 1 ? [...offsets][0] / 1000 : null;
}

// date_trunc('week') starts on Monday; the Unix epoch was a Thursday, 4 days after one.
const MONDAY_EPOCH_SECONDS = 345_600;

/** Requests, tokens and latency per time bucket and provider. */
export async function getUsageSeries(f: UsageFilter, bucket: Bucket): Promise<UsageSeries> {
  const tz = f.timeZone;
  const db = getDb();
  const offset = fixedOffsetSeconds(tz, f.from, f.to);
  // Without daylight saving, buckets are integer arithmetic on the epoch (a quarter faster
  // on a large log than AT TIME ZONE per row); with it, PostgreSQL's zone rules decide.
  let bucketKey: Prisma.Sql;
  let bucketOf: Prisma.Sql;
  if (offset !== null) {
    const size = BUCKET_MS[bucket] / 1000;
    const shift = offset - (bucket === "1 week" ? MONDAY_EPOCH_SECONDS : 0);
    bucketKey = Prisma.sql`(floor(extract(epoch FROM created_at))::bigint + ${shift}::bigint) / ${size}::bigint`;
    bucketOf = Prisma.sql`to_timestamp(b * ${size}::bigint - ${shift}::bigint)`;
  } else {
    bucketKey = Prisma.sql`(${bucketStart(Prisma.sql`(created_at AT TIME ZONE ${tz})`, bucket)}) AT TIME ZONE ${tz}`;
    bucketOf = Prisma.sql`b`;
  }
  const [rows, buckets] = await Promise.all([
    db.$queryRaw<
      {
        bucket: Date;
        provider: string | null;
        requests: number;
        errors: number;
        prompt_tokens: number;
        completion_tokens: number;
        avg_latency: number;
      }[]
    >`
      SELECT ${bucketOf} AS bucket,
             provider,
             count(*)::int AS requests,
             count(*) FILTER (WHERE ${IS_ERROR})::int AS errors,
             coalesce(sum(prompt_tokens), 0)::float8 AS prompt_tokens,
             coalesce(sum(completion_tokens), 0)::float8 AS completion_tokens,
             avg(latency_ms)::float8 AS avg_latency
      FROM (SELECT ${bucketKey} AS b, provider, status, prompt_tokens, completion_tokens, latency_ms
            FROM request_logs WHERE ${whereOf(f)}) AS r
      GROUP BY b, provider
      ORDER BY b, provider NULLS LAST`,
    db.$queryRaw<{ bucket: Date }[]>`
      SELECT g AT TIME ZONE ${tz} AS bucket
      FROM generate_series(
        ${bucketStart(Prisma.sql`(${f.from}::timestamptz AT TIME ZONE ${tz})`, bucket)},
        (${f.to}::timestamptz - interval '1 millisecond') AT TIME ZONE ${tz},
        ${bucket}::interval) AS g`,
  ]);
  return {
    bucket,
    buckets: buckets.map((b) => b.bucket.toISOString()),
    rows: rows.map((r) => ({
      bucket: r.bucket.toISOString(),
      provider: r.provider,
      requests: Number(r.requests),
      errors: Number(r.errors),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
      avgLatencyMs: Number(r.avg_latency),
    })),
  };
}

export interface TopKey {
  keyId: string;
  name: string;
  prefix: string;
  deleted: boolean;
  requests: number;
  errors: number;
  tokens: number;
}

export async function getTopKeys(f: UsageFilter, limit = 5): Promise<TopKey[]> {
  const rows = await getDb().$queryRaw<
    { key_id: string; name: string; prefix: string; deleted: boolean; requests: number; errors: number; tokens: number }[]
  >`
    WITH top AS (
      SELECT key_id, count(*)::int AS requests, count(*) FILTER (WHERE ${IS_ERROR})::int AS errors,
             coalesce(sum(coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0)), 0)::float8 AS tokens
      FROM request_logs
      WHERE ${whereOf(f)} AND key_id IS NOT NULL
      GROUP BY key_id
      ORDER BY requests DESC, key_id
      LIMIT ${limit}
    )
    SELECT top.key_id, k.name, k.prefix, k.deleted_at IS NOT NULL AS deleted, top.requests, top.errors, top.tokens
    FROM top JOIN api_keys k ON k.id = top.key_id
    ORDER BY top.requests DESC, top.key_id`;
  return rows.map((r) => ({
    keyId: r.key_id,
    name: r.name,
    prefix: r.prefix,
    deleted: r.deleted,
    requests: Number(r.requests),
    errors: Number(r.errors),
    tokens: Number(r.tokens),
  }));
}

export interface TopModel {
  model: string;
  provider: string | null;
  requests: number;
  tokens: number;
}

export async function getTopModels(f: UsageFilter, limit = 5): Promise<TopModel[]> {
  const rows = await getDb().$queryRaw<{ model: string; provider: string | null; requests: number; tokens: number }[]>`
    SELECT model, max(provider) AS provider, count(*)::int AS requests,
           coalesce(sum(coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0)), 0)::float8 AS tokens
    FROM request_logs
    WHERE ${whereOf(f)} AND model IS NOT NULL
    GROUP BY model
    ORDER BY requests DESC, model
    LIMIT ${limit}`;
  return rows.map((r) => ({ model: r.model, provider: r.provider, requests: Number(r.requests), tokens: Number(r.tokens) }));
}

/**
 * Providers and models seen in a range, for the filter menus. Each list is a "loose index
 * scan" on its (column, created_at) index: one index probe per distinct value instead of
 * reading the range's rows.
 */
export async function getUsageFilterOptions(f: Pick<UsageFilter, "from" | "to">): Promise<{ providers: string[]; models: string[] }> {
  const distinct = (column: "provider" | "model", limit: number) => {
    const col = Prisma.raw(column);
    return getDb().$queryRaw<{ value: string }[]>`
      WITH RECURSIVE seen AS (
        (SELECT ${col} AS value FROM request_logs
         WHERE ${col} IS NOT NULL AND created_at >= ${f.from} AND created_at < ${f.to}
         ORDER BY ${col} LIMIT 1)
        UNION ALL
        SELECT (SELECT r.${col} FROM request_logs r
                WHERE r.${col} > seen.value AND r.created_at >= ${f.from} AND r.created_at < ${f.to}
                ORDER BY r.${col} LIMIT 1)
        FROM seen WHERE seen.value IS NOT NULL
      )
      SELECT value FROM seen WHERE value IS NOT NULL LIMIT ${limit}`;
  };
  const [providers, models] = await Promise.all([distinct("provider", 50), distinct("model", 200)]);
  return { providers: providers.map((r) => r.value), models: models.map((r) => r.value) };
}

// ---- one key ---------------------------------------------------------------------------

export interface KeyDay {
  /** YYYY-MM-DD (UTC, the quota's day). */
  day: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** Per-day usage of a key from key_daily_usage (the quota's own counters), last `days` UTC days, zeros filled in. */
export async function getKeyDailyUsage(keyId: string, days: number, now = new Date()): Promise<KeyDay[]> {
  const rows = await getDb().$queryRaw<{ day: Date; requests: number; prompt_tokens: number; completion_tokens: number }[]>`
    SELECT g::date AS day,
           coalesce(u.requests, 0)::int AS requests,
           coalesce(u.prompt_tokens, 0)::float8 AS prompt_tokens,
           coalesce(u.completion_tokens, 0)::float8 AS completion_tokens
    FROM generate_series((${now}::timestamptz AT TIME ZONE 'UTC')::date - ${days - 1}::int,
                         (${now}::timestamptz AT TIME ZONE 'UTC')::date, interval '1 day') AS g
    LEFT JOIN key_daily_usage u ON u.key_id = ${keyId} AND u.day = g::date
    ORDER BY 1`;
  return rows.map((r) => ({
    day: r.day.toISOString().slice(0, 10),
    requests: Number(r.requests),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
  }));
}

export interface RequestLogView {
  id: string;
  createdAt: string;
  requestId: string;
  keyId: string | null;
  keyName: string | null;
  method: string;
  path: string;
  model: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  /** Redacted. */
  errorMessage: string | null;
  latencyMs: number;
  ttfbMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  clientIp: string | null;
  stream: boolean;
}

const requestLogSelect = {
  id: true,
  createdAt: true,
  requestId: true,
  keyId: true,
  method: true,
  path: true,
  model: true,
  provider: true,
  status: true,
  errorCode: true,
  errorMessage: true,
  latencyMs: true,
  ttfbMs: true,
  promptTokens: true,
  completionTokens: true,
  cachedTokens: true,
  clientIp: true,
  stream: true,
  key: { select: { name: true } },
} satisfies Prisma.RequestLogSelect;

function toRequestLogView(row: Prisma.RequestLogGetPayload<{ select: typeof requestLogSelect }>): RequestLogView {
  const { key, id, createdAt, errorMessage, ...rest } = row;
  return { ...rest, id: id.toString(), createdAt: createdAt.toISOString(), errorMessage: redactSecrets(errorMessage), keyName: key?.name ?? null };
}

export async function listRecentRequests(keyId: string, limit = 20): Promise<RequestLogView[]> {
  const rows = await getDb().requestLog.findMany({
    where: { keyId },
    select: requestLogSelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(toRequestLogView);
}

export async function getRequestLog(id: bigint): Promise<RequestLogView | null> {
  const row = await getDb().requestLog.findUnique({ where: { id }, select: requestLogSelect });
  return row ? toRequestLogView(row) : null;
}

export interface RequestErrorFilter {
  from: Date;
  to: Date;
  level?: "warn" | "error";
  keyId?: string;
  text?: string;
}

/** Failed requests (status ≥ 400), newest first; 5xx count as errors, 4xx as warnings. */
export async function listRequestErrors(f: RequestErrorFilter, take: number): Promise<RequestLogView[]> {
  const where: Prisma.RequestLogWhereInput = {
    createdAt: { gte: f.from, lt: f.to },
    status: f.level === "error" ? { gte: 500 } : f.level === "warn" ? { gte: 400, lt: 500 } : { gte: 400 },
    ...(f.keyId ? { keyId: f.keyId } : {}),
    ...(f.text
      ? {
          OR: [
            { errorMessage: { contains: f.text, mode: "insensitive" } },
            { errorCode: { contains: f.text, mode: "insensitive" } },
            { model: { contains: f.text, mode: "insensitive" } },
            { requestId: f.text },
            { clientIp: f.text },
          ],
        }
      : {}),
  };
  const rows = await getDb().requestLog.findMany({ where, select: requestLogSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  return rows.map(toRequestLogView);
}
