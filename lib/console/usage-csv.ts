// The usage table as CSV: one row per time bucket and provider, the same rows the page shows.
import type { UsageSeries } from "@/lib/usage/queries";

function cell(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  // Quote when needed; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const USAGE_CSV_HEADER = ["bucket_start", "provider", "requests", "errors", "prompt_tokens", "completion_tokens", "latency_avg_ms"];

export function usageCsv(series: UsageSeries): string {
  const lines = [USAGE_CSV_HEADER.join(",")];
  for (const r of series.rows) {
    lines.push(
      [r.bucket, r.provider ?? "", r.requests, r.errors, r.promptTokens, r.completionTokens, Math.round(r.avgLatencyMs)]
        .map(cell)
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
