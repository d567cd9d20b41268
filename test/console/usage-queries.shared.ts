// The console's read queries against the seeded log (test/console/usage-seed.ts). Run on
// embedded PGlite by the unit suite and on a real PostgreSQL by the integration suite.
import type { PrismaClient } from "@/generated/prisma/client";
import { getLogDetail, listLogEntries } from "@/lib/console/logs";
import {
  getKeyDailyUsage,
  getTopKeys,
  getTopModels,
  getUsageFilterOptions,
  getUsageOverview,
  getUsageSeries,
  fixedOffsetSeconds,
  type UsageFilter,
} from "@/lib/usage/queries";
import { listRecentRequests, listRequestErrors } from "@/lib/usage/request-log-reads";
import { DAY_AGO, LEAKY_PROVIDER_KEY, NOW, seedUsage } from "./usage-seed";

export function describeConsoleQueries(db: () => PrismaClient): void {
  const day = { from: DAY_AGO, to: NOW, timeZone: "UTC" };

  beforeAll(async () => {
    await seedUsage(db());
  });

  describe("usage statistics", () => {
    it("counts requests by outcome, sums tokens and interpolates latency percentiles", async () => {
      const o = await getUsageOverview(day);
      // The broken stream is an error, not a success.
      expect(o).toMatchObject({ requests: 17, success: 11, refused: 3, rateLimited: 1, errors: 2, promptTokens: 105, completionTokens: 207 });
      expect(o.successRate).toBeCloseTo(11 / 17);
      // 17 latencies; percentile_cont: p50 is the 9th (500), p95 a fifth of the way from 1500 to 12000.
      expect(o.p50Ms).toBeCloseTo(500);
      expect(o.p95Ms).toBeCloseTo(3600);
      expect(o.latencyHistogram).toEqual([4, 2, 2, 6, 2, 0, 0, 1, 0]);
    });

    it("computes the same percentiles as PostgreSQL's percentile_cont, for any filter", async () => {
      const filters: UsageFilter[] = [day, { ...day, provider: "anthropic" }, { ...day, keyId: "key_alpha" }, { ...day, from: new Date("2026-06-15T11:15:00Z") }, { ...day, from: new Date("2026-06-15T11:35:00Z") }];
      for (const f of filters) {
        const [expected] = await db().$queryRaw<{ p: number[] | null }[]>`
          SELECT percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY latency_ms) AS p
          FROM request_logs WHERE created_at >= ${f.from} AND created_at < ${f.to}
            AND (${f.provider ?? null}::text IS NULL OR provider = ${f.provider ?? null})
            AND (${f.keyId ?? null}::text IS NULL OR key_id = ${f.keyId ?? null})`;
        const o = await getUsageOverview(f);
        if (!expected.p) expect([o.p50Ms, o.p95Ms]).toEqual([null, null]);
        else expected.p.forEach((value, i) => expect([o.p50Ms, o.p95Ms][i]).toBeCloseTo(value, 6));
      }
    });

    it("returns zeros and no percentiles for an empty range", async () => {
      const o = await getUsageOverview({ from: new Date("2020-01-01T00:00:00Z"), to: new Date("2020-01-02T00:00:00Z"), timeZone: "UTC" });
      expect(o).toMatchObject({ requests: 0, successRate: null, p50Ms: null, p95Ms: null, statuses: [] });
      expect(o.latencyHistogram).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    });

    it("buckets by hour with every empty hour listed, per provider", async () => {
      const s = await getUsageSeries(day, "1 hour");
      expect(s.buckets).toHaveLength(24);
      expect(s.buckets[0]).toBe("2026-06-14T12:00:00.000Z");
      expect(s.buckets[23]).toBe("2026-06-15T11:00:00.000Z");
      expect(s.rows.map((r) => [r.bucket, r.provider, r.requests, r.errors])).toEqual([
        ["2026-06-14T23:00:00.000Z", null, 2, 0],
        ["2026-06-15T10:00:00.000Z", "openai", 10, 0],
        ["2026-06-15T11:00:00.000Z", "anthropic", 3, 2],
        ["2026-06-15T11:00:00.000Z", null, 2, 0],
      ]);
      const openai = s.rows[1];
      expect(openai).toMatchObject({ promptTokens: 100, completionTokens: 200 });
      expect(openai.avgLatencyMs).toBeCloseTo(550);
    });

    it("buckets days on the admin's clock: last night in UTC is this morning in Shanghai", async () => {
      const utc = await getUsageSeries(day, "1 day");
      expect(utc.buckets).toEqual(["2026-06-14T00:00:00.000Z", "2026-06-15T00:00:00.000Z"]);
      expect(utc.rows.filter((r) => r.bucket === "2026-06-14T00:00:00.000Z").map((r) => r.requests)).toEqual([2]);

      const shanghai = await getUsageSeries({ ...day, timeZone: "Asia/Shanghai" }, "1 day");
      expect(shanghai.buckets).toEqual(["2026-06-13T16:00:00.000Z", "2026-06-14T16:00:00.000Z"]);
      expect(new Set(shanghai.rows.map((r) => r.bucket))).toEqual(new Set(["2026-06-14T16:00:00.000Z"]));
      expect(shanghai.rows.reduce((n, r) => n + r.requests, 0)).toBe(17);
    });

    it("follows daylight-saving zones by their rules and aligns weeks to Monday", async () => {
      expect(fixedOffsetSeconds("Asia/Shanghai", DAY_AGO, NOW)).toBe(8 * 3600);
      expect(fixedOffsetSeconds("Europe/Berlin", DAY_AGO, NOW)).toBeNull();
      const berlin = await getUsageSeries({ ...day, timeZone: "Europe/Berlin" }, "1 day");
      expect(berlin.buckets).toEqual(["2026-06-13T22:00:00.000Z", "2026-06-14T22:00:00.000Z"]);
      expect(new Set(berlin.rows.map((r) => r.bucket))).toEqual(new Set(["2026-06-14T22:00:00.000Z"]));
      // 2026-06-15 is a Monday: Sunday night's refusals belong to the week before.
      const weeks = await getUsageSeries(day, "1 week");
      expect(weeks.buckets).toEqual(["2026-06-08T00:00:00.000Z", "2026-06-15T00:00:00.000Z"]);
      expect(weeks.rows.map((r) => [r.bucket, r.provider, r.requests])).toEqual([
        ["2026-06-08T00:00:00.000Z", null, 2],
        ["2026-06-15T00:00:00.000Z", "anthropic", 3],
        ["2026-06-15T00:00:00.000Z", "openai", 10],
        ["2026-06-15T00:00:00.000Z", null, 2],
      ]);
      // In Berlin those refusals came at 01:30 on Monday: the same week as the rest.
      const berlinWeeks = await getUsageSeries({ ...day, timeZone: "Europe/Berlin" }, "1 week");
      expect(berlinWeeks.buckets).toEqual(["2026-06-07T22:00:00.000Z", "2026-06-14T22:00:00.000Z"]);
      expect(berlinWeeks.rows.map((r) => [r.bucket, r.provider, r.requests])).toEqual([
        ["2026-06-14T22:00:00.000Z", "anthropic", 3],
        ["2026-06-14T22:00:00.000Z", "openai", 10],
        ["2026-06-14T22:00:00.000Z", null, 4],
      ]);
    });

    it("buckets by 15 minutes aligned to the clock", async () => {
      const s = await getUsageSeries({ ...day, provider: "anthropic" }, "15 minutes");
      expect(s.buckets).toHaveLength(96);
      expect(s.rows.map((r) => [r.bucket, r.requests])).toEqual([
        ["2026-06-15T11:00:00.000Z", 1],
        ["2026-06-15T11:30:00.000Z", 1],
        ["2026-06-15T11:45:00.000Z", 1],
      ]);
    });

    it("filters by provider, key and model", async () => {
      expect((await getUsageOverview({ ...day, provider: "anthropic" })).requests).toBe(3);
      expect((await getUsageOverview({ ...day, keyId: "key_alpha" })).requests).toBe(10);
      expect((await getUsageOverview({ ...day, model: "gpt-4o-mini", keyId: "key_beta" })).requests).toBe(0);
      expect((await getUsageOverview({ ...day, model: "claude-sonnet-4-5" })).requests).toBe(3);
      expect((await getUsageOverview({ ...day, keyId: "key_beta" })).statuses.map((s) => `${s.status}:${s.statusClass}`)).toEqual([
        "200:success",
        "200:server_error",
        "401:refused",
        "429:rate_limited",
        "500:server_error",
      ]);
    });

    it("breaks responses down by status", async () => {
      expect((await getUsageOverview(day)).statuses).toEqual([
        { status: 200, statusClass: "success", requests: 11 },
        { status: 200, statusClass: "server_error", requests: 1 },
        { status: 401, statusClass: "refused", requests: 3 },
        { status: 429, statusClass: "rate_limited", requests: 1 },
        { status: 500, statusClass: "server_error", requests: 1 },
      ]);
    });

    it("ranks keys and models by requests", async () => {
      expect(await getTopKeys(day)).toEqual([
        { keyId: "key_alpha", name: "alpha", prefix: "sk-akm_key_al", deleted: false, requests: 10, errors: 0, tokens: 300 },
        { keyId: "key_beta", name: "beta", prefix: "sk-akm_key_be", deleted: false, requests: 5, errors: 2, tokens: 12 },
      ]);
      const longAgo = { from: new Date("2026-05-31T00:00:00Z"), to: NOW, timeZone: "UTC" };
      expect((await getTopKeys(longAgo, 5)).find((k) => k.keyId === "key_gamma")).toMatchObject({ deleted: true, requests: 1 });
      expect(await getTopModels(day)).toEqual([
        { model: "gpt-4o-mini", provider: "openai", requests: 10, tokens: 300 },
        { model: "claude-sonnet-4-5", provider: "anthropic", requests: 3, tokens: 12 },
      ]);
    });

    it("lists the providers and models of a range for the filter menus", async () => {
      expect(await getUsageFilterOptions(day)).toEqual({ providers: ["anthropic", "openai"], models: ["claude-sonnet-4-5", "gpt-4o-mini"] });
    });

    it("reads a key's days from the quota counters, zeros filled in", async () => {
      expect((await getKeyDailyUsage("key_alpha", 3, NOW)).map((d) => [d.day, d.requests, d.promptTokens])).toEqual([
        ["2026-06-13", 3, 30],
        ["2026-06-14", 0, 0],
        ["2026-06-15", 10, 100],
      ]);
    });

    it("lists a key's recent requests newest first", async () => {
      const recent = await listRecentRequests("key_beta", 2);
      expect(recent.map((r) => r.requestId)).toEqual(["req_b4", "req_b3"]);
      expect(recent[1]).toMatchObject({ keyName: "beta", status: 401, errorCode: "api_key_disabled" });
    });
  });

  describe("logs", () => {
    it("lists failed requests with provider keys masked", async () => {
      const errors = await listRequestErrors(day, 10);
      // The broken stream is listed too: its client saw an error.
      expect(errors.map((e) => e.requestId)).toEqual(["req_b4", "req_b3", "req_b2", "req_b1", "req_x1", "req_x0"]);
      const upstream = errors[2];
      expect(upstream.errorMessage).not.toContain(LEAKY_PROVIDER_KEY);
      expect(upstream.errorMessage).toContain("sk-proj-…[REDACTED]");
      expect((await listRequestErrors({ ...day, level: "error" }, 10)).map((e) => e.status)).toEqual([200, 500]);
      expect((await listRequestErrors({ ...day, level: "warn" }, 10)).map((e) => e.status)).toEqual([401, 429, 401, 401]);
    });

    it("merges request errors, events and the audit log into one timeline, newest first", async () => {
      const { entries, hasMore } = await listLogEntries(day, 1);
      expect(hasMore).toBe(false);
      expect(entries.map((e) => e.kind)).toEqual(["request", "request", "request", "system", "request", "security", "security", "audit", "audit", "request", "request"]);
      expect(entries.map((e) => e.createdAt)).toEqual([...entries.map((e) => e.createdAt)].sort().reverse());
      expect(JSON.stringify(entries)).not.toContain("SECRETSECRET");
    });

    it("filters the timeline by type, level, key and text", async () => {
      const kinds = async (f: object) => (await listLogEntries({ ...day, ...f }, 1)).entries.map((e) => `${e.kind}:${e.type}`);
      expect(await kinds({ kind: "security" })).toEqual(["security:rate_limited", "security:signin_failed"]);
      expect(await kinds({ level: "error" })).toEqual(["request:upstream_stream_error", "request:upstream_error", "system:upstream_error"]);
      expect(await kinds({ level: "info" })).toEqual(["audit:key.disable", "audit:key.create"]);
      expect(await kinds({ keyId: "key_beta" })).toEqual([
        "request:upstream_stream_error",
        "request:api_key_disabled",
        "request:upstream_error",
        "request:rate_limit_exceeded",
        "security:rate_limited",
        "audit:key.disable",
      ]);
      expect(await kinds({ text: "SIGN-IN" })).toEqual(["security:signin_failed"]);
      expect(await kinds({ text: "192.0.2.10" })).toEqual(["audit:key.create"]);
      // A type names the event, and the request codes of the same refusal (the gateway's names differ).
      expect(await kinds({ type: "key_disabled" })).toEqual(["request:api_key_disabled"]);
      expect(await kinds({ type: "rate_limited" })).toEqual(["request:rate_limit_exceeded", "security:rate_limited"]);
      expect(await kinds({ type: "key.disable" })).toEqual(["audit:key.disable"]);
      expect(await kinds({ type: "upstream_error" })).toEqual(["request:upstream_stream_error", "request:upstream_error", "system:upstream_error"]);
    });

    it("pages through the timeline", async () => {
      const first = await listLogEntries(day, 1, 3);
      const last = await listLogEntries(day, 4, 3);
      expect(first).toMatchObject({ hasMore: true });
      expect(first.entries).toHaveLength(3);
      expect(last).toMatchObject({ hasMore: false });
      expect(last.entries.map((e) => e.id)).toHaveLength(2);
    });

    it("shows one entry in detail with secrets masked, and nothing for a wrong kind or id", async () => {
      const { entries } = await listLogEntries({ ...day, kind: "system" }, 1);
      const detail = await getLogDetail("system", entries[0].id);
      expect(detail?.kind).toBe("system");
      const text = JSON.stringify(detail);
      expect(text).not.toContain(LEAKY_PROVIDER_KEY);
      expect(text).not.toContain("AIzaSyA1234567890");
      expect(text).not.toContain("SECRETSECRET");
      expect(detail?.entry).toMatchObject({ details: { header: "Bearer [REDACTED]", api_key: "[REDACTED]", note: "retry later" } });
      expect(await getLogDetail("security", entries[0].id)).toBeNull();
      expect(await getLogDetail("request", "12abc")).toBeNull();
      expect(await getLogDetail("nonsense", "1")).toBeNull();
    });
  });
}
