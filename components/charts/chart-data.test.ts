import { createFormatter } from "@/lib/i18n/format";
import type { UsageSeries } from "@/lib/usage/queries";
import { isEmptyChart, keyDailyRequests, latencyDistribution, latencyLabels, providerColour, requestsByProvider, statusBreakdown, tokensOverTime } from "./chart-data";

const fmt = createFormatter("en", "UTC");
const row = (bucket: string, provider: string | null, requests: number, tokens = 0) => ({
  bucket,
  provider,
  requests,
  errors: 0,
  promptTokens: tokens,
  completionTokens: tokens * 2,
  avgLatencyMs: 150,
});

const SERIES: UsageSeries = {
  bucket: "1 hour",
  buckets: ["2026-06-15T09:00:00.000Z", "2026-06-15T10:00:00.000Z", "2026-06-15T11:00:00.000Z"],
  rows: [
    row("2026-06-15T09:00:00.000Z", "openai", 4, 10),
    row("2026-06-15T09:00:00.000Z", null, 1),
    row("2026-06-15T11:00:00.000Z", "anthropic", 2, 5),
    row("2026-06-15T11:00:00.000Z", "openai", 3, 1),
  ],
};

describe("chart shaping", () => {
  it("stacks requests by provider with empty buckets as zeros and refusals last", () => {
    const data = requestsByProvider(SERIES, fmt, "refused");
    expect(data.labels).toEqual(["09:00 AM", "10:00 AM", "11:00 AM"]);
    expect(data.datasets.map((d) => [d.label, d.data, d.stack])).toEqual([
      ["anthropic", [0, 0, 2], "requests"],
      ["openai", [4, 0, 3], "requests"],
      ["refused", [1, 0, 0], "requests"],
    ]);
    expect(data.datasets[1].backgroundColor).toBe(providerColour("openai"));
  });

  it("labels buckets in the admin's zone and language, with dates once the range spans days", () => {
    const zh = createFormatter("zh-CN", "Asia/Shanghai");
    expect(requestsByProvider(SERIES, zh, "x").labels).toEqual(["17:00", "18:00", "19:00"]);
    const days: UsageSeries = { bucket: "1 day", buckets: ["2026-06-13T16:00:00.000Z", "2026-06-14T16:00:00.000Z"], rows: [] };
    expect(requestsByProvider(days, zh, "x").labels).toEqual(["6月14日", "6月15日"]);
    const long: UsageSeries = { ...SERIES, buckets: ["2026-06-14T09:00:00.000Z", "2026-06-15T11:00:00.000Z"] };
    expect(requestsByProvider(long, fmt, "x").labels).toEqual(["6/14, 09:00 AM", "6/15, 11:00 AM"]);
  });

  it("sums prompt and completion tokens over providers", () => {
    const data = tokensOverTime(SERIES, fmt, { prompt: "in", completion: "out" });
    expect(data.datasets.map((d) => [d.label, d.data])).toEqual([
      ["in", [10, 0, 6]],
      ["out", [20, 0, 12]],
    ]);
  });

  it("labels the latency histogram's bars in the admin's units", () => {
    expect(latencyLabels(fmt)).toEqual(["< 100 ms", "100 ms – 250 ms", "250 ms – 500 ms", "500 ms – 1 sec", "1 sec – 2 sec", "2 sec – 5 sec", "5 sec – 10 sec", "10 sec – 30 sec", "≥ 30 sec"]);
    expect(latencyDistribution([4, 2], fmt, "Requests").datasets[0].data).toEqual([4, 2, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("groups statuses into classes and leaves out classes without requests", () => {
    const data = statusBreakdown(
      [
        { status: 200, statusClass: "success", requests: 11 },
        { status: 401, statusClass: "refused", requests: 2 },
        { status: 403, statusClass: "refused", requests: 1 },
        { status: 502, statusClass: "server_error", requests: 1 },
      ],
      (c) => c.toUpperCase(),
    );
    expect(data.labels).toEqual(["SUCCESS", "REFUSED", "SERVER_ERROR"]);
    expect(data.datasets[0].data).toEqual([11, 3, 1]);
  });

  it("charts a key's UTC days and knows an all-zero chart is empty", () => {
    const data = keyDailyRequests(
      [
        { day: "2026-06-14", requests: 0, promptTokens: 0, completionTokens: 0 },
        { day: "2026-06-15", requests: 7, promptTokens: 0, completionTokens: 0 },
      ],
      createFormatter("en", "Pacific/Auckland"),
      "Requests",
    );
    expect(data.labels).toEqual(["Jun 14", "Jun 15"]);
    expect(isEmptyChart(data)).toBe(false);
    expect(isEmptyChart({ labels: ["a"], datasets: [{ label: "x", data: [0], backgroundColor: "#000" }] })).toBe(true);
  });
});
