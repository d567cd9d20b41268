// Pure functions that turn query rows (lib/usage/queries.ts) into chart.js data. They run
// on the server; the client components only draw what they are given.
import type { Bucket } from "@/lib/usage/buckets";
import type { Formatter } from "@/lib/i18n/format";
import { LATENCY_EDGES_MS, STATUS_CLASSES, type StatusClass } from "@/lib/usage/stats-shared";
import type { ProviderId } from "@/lib/providers/types";
import type { KeyDay, StatusCount, UsageSeries } from "@/lib/usage/queries";

export interface Dataset {
  label: string;
  data: number[];
  backgroundColor: string | string[];
  borderColor?: string;
  stack?: string;
}

export interface ChartData {
  labels: string[];
  datasets: Dataset[];
}

// One per provider the gateway routes to (request_logs.provider is the adapter's id): a
// new provider without a colour here is a type error.
const PROVIDER_COLOURS: Record<ProviderId, string> = {
  openai: "#10a37f",
  anthropic: "#d97757",
  gemini: "#4285f4",
};
const OTHER_COLOURS = ["#8b5cf6", "#0ea5e9", "#f59e0b", "#ec4899", "#14b8a6"];
const NO_PROVIDER_COLOUR = "#94a3b8";

export function providerColour(provider: string | null, index = 0): string {
  if (provider === null) return NO_PROVIDER_COLOUR;
  return PROVIDER_COLOURS[provider as ProviderId] ?? OTHER_COLOURS[index % OTHER_COLOURS.length];
}

/** A bucket's label on the time axis: clock time for short buckets, dates for days and weeks. */
export function bucketLabel(iso: string, bucket: Bucket, fmt: Pick<Formatter, "locale" | "timeZone">, spansDays: boolean): string {
  const options: Intl.DateTimeFormatOptions =
    bucket === "1 day" || bucket === "1 week"
      ? { month: "short", day: "numeric" }
      : spansDays
        ? { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }
        : { hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(fmt.locale, { ...options, timeZone: fmt.timeZone }).format(new Date(iso));
}

function labelsOf(series: UsageSeries, fmt: Pick<Formatter, "locale" | "timeZone">): string[] {
  const first = series.buckets[0];
  const last = series.buckets[series.buckets.length - 1];
  const spansDays = !!first && !!last && Date.parse(last) - Date.parse(first) >= 86_400_000;
  return series.buckets.map((b) => bucketLabel(b, series.bucket, fmt, spansDays));
}

/** Requests per bucket, one stacked dataset per provider; refusals without a provider get their own. */
export function requestsByProvider(series: UsageSeries, fmt: Pick<Formatter, "locale" | "timeZone">, noProviderLabel: string): ChartData {
  const index = new Map(series.buckets.map((b, i) => [b, i]));
  const providers = [...new Set(series.rows.map((r) => r.provider))].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  return {
    labels: labelsOf(series, fmt),
    datasets: providers.map((provider, i) => {
      const data = new Array<number>(series.buckets.length).fill(0);
      for (const row of series.rows) {
        const at = index.get(row.bucket);
        if (row.provider === provider && at !== undefined) data[at] += row.requests;
      }
      return { label: provider ?? noProviderLabel, data, backgroundColor: providerColour(provider, i), stack: "requests" };
    }),
  };
}

/** Prompt and completion tokens per bucket, all providers together. */
export function tokensOverTime(series: UsageSeries, fmt: Pick<Formatter, "locale" | "timeZone">, labels: { prompt: string; completion: string }): ChartData {
  const index = new Map(series.buckets.map((b, i) => [b, i]));
  const prompt = new Array<number>(series.buckets.length).fill(0);
  const completion = new Array<number>(series.buckets.length).fill(0);
  for (const row of series.rows) {
    const at = index.get(row.bucket);
    if (at === undefined) continue;
    prompt[at] += row.promptTokens;
    completion[at] += row.completionTokens;
  }
  return {
    labels: labelsOf(series, fmt),
    datasets: [
      { label: labels.prompt, data: prompt, backgroundColor: "rgba(79, 70, 229, 0.15)", borderColor: "#4f46e5" },
      { label: labels.completion, data: completion, backgroundColor: "rgba(14, 165, 233, 0.15)", borderColor: "#0ea5e9" },
    ],
  };
}

/** Bar labels for the latency histogram: "< 100 ms", "100–250 ms", …, "≥ 30 s". */
export function latencyLabels(fmt: Pick<Formatter, "ms">): string[] {
  return [0, ...LATENCY_EDGES_MS].map((low, i) => {
    const high = LATENCY_EDGES_MS[i];
    if (i === 0) return `< ${fmt.ms(high)}`;
    if (high === undefined) return `≥ ${fmt.ms(low)}`;
    return `${fmt.ms(low)} – ${fmt.ms(high)}`;
  });
}

export function latencyDistribution(histogram: number[], fmt: Pick<Formatter, "ms">, label: string): ChartData {
  const labels = latencyLabels(fmt);
  return {
    labels,
    datasets: [{ label, data: labels.map((_, i) => histogram[i] ?? 0), backgroundColor: "#6366f1" }],
  };
}

const STATUS_COLOURS: Record<StatusClass, string> = {
  success: "#10b981",
  refused: "#f59e0b",
  rate_limited: "#eab308",
  client_error: "#f97316",
  server_error: "#ef4444",
};

/** Requests per status class (doughnut); classes without requests are left out. */
export function statusBreakdown(counts: StatusCount[], classLabel: (c: StatusClass) => string): ChartData {
  const totals = new Map<StatusClass, number>();
  for (const c of counts) totals.set(c.statusClass, (totals.get(c.statusClass) ?? 0) + c.requests);
  const present = STATUS_CLASSES.filter((c) => (totals.get(c) ?? 0) > 0);
  return {
    labels: present.map(classLabel),
    datasets: [{ label: "", data: present.map((c) => totals.get(c) ?? 0), backgroundColor: present.map((c) => STATUS_COLOURS[c]) }],
  };
}

/** A key's requests per UTC day (bars) from key_daily_usage. */
export function keyDailyRequests(days: KeyDay[], fmt: Pick<Formatter, "locale">, label: string): ChartData {
  const dateLabel = new Intl.DateTimeFormat(fmt.locale, { month: "short", day: "numeric", timeZone: "UTC" });
  return {
    labels: days.map((d) => dateLabel.format(new Date(`${d.day}T00:00:00Z`))),
    datasets: [{ label, data: days.map((d) => d.requests), backgroundColor: "#6366f1" }],
  };
}

/** True when every value of every dataset is zero (draw an empty state instead of a flat chart). */
export function isEmptyChart(data: ChartData): boolean {
  return data.datasets.every((d) => d.data.every((v) => v === 0));
}
