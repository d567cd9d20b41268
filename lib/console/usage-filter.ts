// The usage page's filters as they arrive in the query string, shared by the page and
// the CSV export so both show the same data.
import type { Bucket } from "@/lib/usage/buckets";
import type { UsageFilter } from "@/lib/usage/queries";
import { param, type SearchParams } from "./search-params";
import { chooseBucket, formatZonedDateTime, resolveRange, type RangePreset, type RangeProblem } from "./time";

export interface UsageQuery {
  filter: UsageFilter;
  bucket: Bucket;
  preset: RangePreset | "custom";
  /** What to put back into the form. */
  form: { range: string; from: string; to: string; provider: string; key: string; model: string };
  problem?: RangeProblem;
}

const short = (value: string | undefined, max: number) => (value && value.length <= max ? value : undefined);

export function parseUsageQuery(params: SearchParams | URLSearchParams, timeZone: string, now: Date): UsageQuery {
  const get = (name: string) => param(params, name);
  const { range, problem } = resolveRange({ range: get("range"), from: get("from"), to: get("to") }, timeZone, now);
  const provider = short(get("provider"), 40);
  const keyId = short(get("key"), 64);
  const model = short(get("model"), 200);
  return {
    filter: { from: range.from, to: range.to, timeZone, provider, keyId, model },
    bucket: chooseBucket(range.from, range.to),
    preset: range.preset,
    form: {
      range: range.preset,
      from: formatZonedDateTime(range.from, timeZone),
      to: formatZonedDateTime(range.to, timeZone),
      provider: provider ?? "",
      key: keyId ?? "",
      model: model ?? "",
    },
    problem,
  };
}

/** The query string of a usage filter (for links such as the CSV export). */
export function usageQueryString(q: UsageQuery): string {
  const entries: [string, string][] = [["range", q.preset]];
  if (q.preset === "custom") entries.push(["from", q.form.from], ["to", q.form.to]);
  if (q.form.provider) entries.push(["provider", q.form.provider]);
  if (q.form.key) entries.push(["key", q.form.key]);
  if (q.form.model) entries.push(["model", q.form.model]);
  return new URLSearchParams(entries).toString();
}
