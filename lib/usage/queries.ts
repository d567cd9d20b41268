// The console's statistics over the request log, the one module that reads usage_hourly
// (the per-request reads are lib/usage/request-log-reads.ts). Every aggregation is SQL on
// the server:
//  - counts, tokens and status breakdowns come from usage_hourly (whole UTC hours, kept
//    equal to the log by triggers; see its migration) plus the log's own rows for the
//    partial hours at either end of the range, so they are exact and cost about one row
//    per hour, key, model and status instead of one per request;
//  - latency percentiles need every latency, so they read request_logs, through the
//    (created_at, latency_ms) index without touching the table;
//  - charts with buckets under an hour read the log (such ranges are short).
// Times are bucketed on the admin's wall clock (AT TIME ZONE), so a "day" bar is the
// admin's day. bench/stats.ts measures all of it on a million requests.
import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";
import { zoneOffsetMs } from "@/lib/time-zone";
import { BUCKET_MS, type Bucket } from "./buckets";
import { LATENCY_EDGES_MS, statusClass, type StatusClass } from "./stats-shared";

export interface UsageFilter {
  from: Date;
  to: Date;
  /** IANA zone the buckets follow. */
  timeZone: string;
  provider?: string;
  keyId?: string;
  model?: string;
}

const HOUR_MS = 3_600_000;

/** The range and filters on request_logs. */
function logWhere(f: Pick<UsageFilter, "provider" | "keyId" | "model">, range: Prisma.Sql): Prisma.Sql {
  const parts = [range];
  if (f.provider) parts.push(Prisma.sql`provider = ${f.provider}`);
  if (f.keyId) parts.push(Prisma.sql`key_id = ${f.keyId}`);
  if (f.model) parts.push(Prisma.sql`model = ${f.model}`);
  return Prisma.join(parts, " AND ");
}

// request_logs rows grouped the way usage_hourly is (the migration's grouping, repeated).
const LOG_AS_HOURLY = Prisma.sql`
  date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
  coalesce(key_id, '') AS key_id, coalesce(provider, '') AS provider, coalesce(model, '') AS model, status,
  status < 400 AND error_code IS NOT NULL AND error_code <> 'client_closed_request' AS failed,
  count(*)::int AS requests, coalesce(sum(prompt_tokens), 0)::bigint AS prompt_tokens,
  coalesce(sum(completion_tokens), 0)::bigint AS completion_tokens, sum(latency_ms)::bigint AS latency_ms_sum`;

/**
 * The range's requests per UTC hour and (key, provider, model, status, failed), in
 * usage_hourly's columns: whole hours from usage_hourly, the partial hours at either end
 * from request_logs.
 */
function hourlyRows(f: UsageFilter): Prisma.Sql {
  const from = f.from.getTime();
  const to = f.to.getTime();
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (lastHour <= firstHour) {
    return Prisma.sql`SELECT ${LOG_AS_HOURLY} FROM request_logs
      WHERE ${logWhere(f, Prisma.sql`created_at >= ${f.from} AND created_at < ${f.to}`)} GROUP BY 1, 2, 3, 4, 5, 6`;
  }
  const rollup = [Prisma.sql`hour >= ${new Date(firstHour)}`, Prisma.sql`hour < ${new Date(lastHour)}`];
  if (f.provider) rollup.push(Prisma.sql`provider = ${f.provider}`);
  if (f.keyId) rollup.push(Prisma.sql`key_id = ${f.keyId}`);
  if (f.model) rollup.push(Prisma.sql`model = ${f.model}`);
  const edges = Prisma.sql`((created_at >= ${f.from} AND created_at < ${new Date(firstHour)}) OR (created_at >= ${new Date(lastHour)} AND created_at < ${f.to}))`;
  return Prisma.sql`
    SELECT hour, key_id, provider, model, status, failed, requests, prompt_tokens, completion_tokens, latency_ms_sum
    FROM usage_hourly WHERE ${Prisma.join(rollup, " AND ")}
    UNION ALL
    SELECT ${LOG_AS_HOURLY} FROM request_logs WHERE ${logWhere(f, edges)} GROUP BY 1, 2, 3, 4, 5, 6`;
}

// Errors as statusClass counts them (client_error or server_error), on hourlyRows' columns.
const IS_ERROR = Prisma.sql`(failed OR (status >= 400 AND NOT (provider = '' AND status IN (401, 403, 429))))`;

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
  /** A status can appear twice: a 429 from the gateway (rate_limited) and one from a provider (server_error). */
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
 * Totals, the status breakdown, latency percentiles and the latency histogram. Counts and
 * tokens come from hourlyRows. The percentiles are exact and equal percentile_cont's,
 * without sorting every row: the log's latencies are counted per value (a hash aggregate
 * into a few thousand groups), and the value at sorted position i is the smallest
 * latency whose running count exceeds i.
 */
export async function getUsageOverview(f: UsageFilter): Promise<UsageOverview> {
  const db = getDb();
  const [groups, latency] = await Promise.all([
    db.$queryRaw<{ status: number; upstream: boolean; failed: boolean; requests: number; prompt_tokens: number; completion_tokens: number }[]>`
      SELECT status, provider <> '' AS upstream, failed, sum(requests)::int AS requests,
             sum(prompt_tokens)::float8 AS prompt_tokens, sum(completion_tokens)::float8 AS completion_tokens
      FROM (${hourlyRows(f)}) AS r
      GROUP BY 1, 2, 3
      ORDER BY 1, 2, 3`,
    db.$queryRaw<{ latency: (number | null)[] | null; histogram: number[] }[]>`
      WITH lat AS (
        SELECT latency_ms AS v, count(*) AS c FROM request_logs
        WHERE ${logWhere(f, Prisma.sql`created_at >= ${f.from} AND created_at < ${f.to}`)}
        GROUP BY 1
      ),
      running AS (SELECT v, sum(c) OVER (ORDER BY v) AS below, sum(c) OVER () AS n FROM lat),
      pos AS (SELECT p, (max(n) - 1) * p AS at FROM running, unnest(ARRAY[0.5, 0.95]) AS p GROUP BY p)
      SELECT
        (SELECT array_agg((lo + (at - floor(at)) * (hi - lo))::float8 ORDER BY p)
           FROM (SELECT p, at,
                        (SELECT min(v) FROM running WHERE below > floor(at)) AS lo,
                        (SELECT min(v) FROM running WHERE below > ceil(at)) AS hi
                 FROM pos) AS q) AS latency,
        (SELECT ${HISTOGRAM} FROM lat) AS histogram`,
  ]);
  const byClass = new Map<string, StatusCount>();
  let promptTokens = 0;
  let completionTokens = 0;
  for (const g of groups) {
    const cls = statusClass(g.status, { upstream: g.upstream, streamFailed: g.failed });
    const id = `${g.status}|${cls}`;
    const entry = byClass.get(id) ?? { status: g.status, statusClass: cls, requests: 0 };
    entry.requests += Number(g.requests);
    byClass.set(id, entry);
    promptTokens += Number(g.prompt_tokens);
    completionTokens += Number(g.completion_tokens);
  }
  const statuses = [...byClass.values()];
  const count = (cls: StatusClass) => statuses.filter((s) => s.statusClass === cls).reduce((n, s) => n + s.requests, 0);
  const requests = statuses.reduce((n, s) => n + s.requests, 0);
  const success = count("success");
  const l = latency[0];
  return {
    requests,
    success,
    refused: count("refused"),
    rateLimited: count("rate_limited"),
    errors: count("client_error") + count("server_error"),
    promptTokens,
    completionTokens,
    successRate: requests ? success / requests : null,
    p50Ms: l.latency?.[0] ?? null,
    p95Ms: l.latency?.[1] ?? null,
    latencyHistogram: l.histogram.map(Number),
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
  /** Mean latency; percentiles per row would need every row's latency (see getUsageOverview). */
  avgLatencyMs: number;
}

export interface UsageSeries {
  bucket: Bucket;
  /** Every bucket start in the range, also the empty ones, oldest first. */
  buckets: string[];
  rows: UsageSeriesRow[];
}

/** Offsets from UTC of `timeZone` at the ends of the range and around each year's changes. */
function zoneOffsets(timeZone: string, from: Date, to: Date): Set<number> {
  const probes = [from, to];
  for (let year = from.getUTCFullYear(); year <= to.getUTCFullYear(); year++) probes.push(new Date(Date.UTC(year, 0, 1)), new Date(Date.UTC(year, 6, 1)));
  return new Set(probes.map((at) => zoneOffsetMs(timeZone, at)));
}

/**
 * The zone's offset from UTC in seconds when it is the same all through the range (no
 * daylight-saving change: UTC, Asia/Shanghai, …), else null.
 */
export function fixedOffsetSeconds(timeZone: string, from: Date, to: Date): number | null {
  const offsets = zoneOffsets(timeZone, from, to);
  return offsets.size === 1 ? [...offsets][0] / 1000 : null;
}

/** True when the zone's hours start on UTC hours (not India's +5:30), so UTC-hour totals fall into one local bucket each. */
export function alignsWithUtcHours(timeZone: string, from: Date, to: Date): boolean {
  return [...zoneOffsets(timeZone, from, to)].every((offset) => offset % HOUR_MS === 0);
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
  const bucketOfTime = (at: Prisma.Sql): { key: Prisma.Sql; start: Prisma.Sql } => {
    if (offset === null) return { key: Prisma.sql`(${bucketStart(Prisma.sql`(${at} AT TIME ZONE ${tz})`, bucket)}) AT TIME ZONE ${tz}`, start: Prisma.sql`b` };
    const size = BUCKET_MS[bucket] / 1000;
    const shift = offset - (bucket === "1 week" ? MONDAY_EPOCH_SECONDS : 0);
    return {
      key: Prisma.sql`(floor(extract(epoch FROM ${at}))::bigint + ${shift}::bigint) / ${size}::bigint`,
      start: Prisma.sql`to_timestamp(b * ${size}::bigint - ${shift}::bigint)`,
    };
  };
  // Hour-sized buckets and larger add up whole hours; smaller ones need each request's time.
  const fromHours = BUCKET_MS[bucket] >= HOUR_MS && alignsWithUtcHours(tz, f.from, f.to);
  const source = fromHours
    ? Prisma.sql`SELECT hour AS at, provider, sum(requests) AS requests, sum(requests) FILTER (WHERE ${IS_ERROR}) AS errors,
                        sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens, sum(latency_ms_sum) AS latency_ms_sum
                 FROM (${hourlyRows(f)}) AS r GROUP BY hour, provider`
    : Prisma.sql`SELECT at, provider, 1 AS requests, CASE WHEN ${IS_ERROR} THEN 1 ELSE 0 END AS errors,
                        prompt_tokens, completion_tokens, latency_ms AS latency_ms_sum
                 FROM (SELECT created_at AS at, coalesce(provider, '') AS provider, status, latency_ms,
                              coalesce(prompt_tokens, 0) AS prompt_tokens, coalesce(completion_tokens, 0) AS completion_tokens,
                              status < 400 AND error_code IS NOT NULL AND error_code <> 'client_closed_request' AS failed
                       FROM request_logs WHERE ${logWhere(f, Prisma.sql`created_at >= ${f.from} AND created_at < ${f.to}`)}) AS l`;
  const { key, start } = bucketOfTime(Prisma.sql`at`);
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
      SELECT ${start} AS bucket,
             nullif(provider, '') AS provider,
             sum(requests)::int AS requests,
             coalesce(sum(errors), 0)::int AS errors,
             sum(prompt_tokens)::float8 AS prompt_tokens,
             sum(completion_tokens)::float8 AS completion_tokens,
             (sum(latency_ms_sum)::float8 / sum(requests)) AS avg_latency
      FROM (SELECT ${key} AS b, provider, requests, errors, prompt_tokens, completion_tokens, latency_ms_sum FROM (${source}) AS s) AS r
      GROUP BY b, provider
      ORDER BY b, provider = '', provider`,
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
      SELECT key_id, sum(requests)::int AS requests, coalesce(sum(requests) FILTER (WHERE ${IS_ERROR}), 0)::int AS errors,
             sum(prompt_tokens + completion_tokens)::float8 AS tokens
      FROM (${hourlyRows(f)}) AS r
      WHERE key_id <> ''
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
    SELECT model, nullif(max(provider), '') AS provider, sum(requests)::int AS requests,
           sum(prompt_tokens + completion_tokens)::float8 AS tokens
    FROM (${hourlyRows(f)}) AS r
    WHERE model <> ''
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
