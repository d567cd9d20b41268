// Time ranges for the console's filters: presets ("last 24 hours") and custom ranges typed
// as wall-clock times in the admin's time zone, plus the chart bucket that suits a range.
import { zoneOffsetMs } from "@/lib/time-zone";
import { BUCKET_MS, BUCKETS, type Bucket } from "@/lib/usage/buckets";

export const RANGE_PRESETS = ["1h", "6h", "24h", "7d", "30d", "90d"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const PRESET_MS: Record<RangePreset, number> = { "1h": HOUR, "6h": 6 * HOUR, "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "90d": 90 * DAY };
/** Longest custom range; longer ones would make every query a full scan for little insight. */
export const MAX_RANGE_MS = 400 * DAY;

const MAX_BUCKETS = 200;

/** The smallest bucket that keeps a chart under MAX_BUCKETS bars. */
export function chooseBucket(from: Date, to: Date): Bucket {
  const span = Math.max(0, to.getTime() - from.getTime());
  return BUCKETS.find((b) => span / BUCKET_MS[b] <= MAX_BUCKETS) ?? "1 week";
}

/** "2026-12-01T09:30" read as a wall-clock time in `timeZone`; null when it is not one. */
export function parseZonedDateTime(value: string | undefined, timeZone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value?.trim() ?? "");
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0"] = match;
  const naive = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(naive)) return null;
  // Two passes settle the offset across a DST change.
  let utc = naive - zoneOffsetMs(timeZone, new Date(naive));
  utc = naive - zoneOffsetMs(timeZone, new Date(utc));
  return new Date(utc);
}

/** The wall-clock form of an instant in `timeZone`, for <input type="datetime-local">. */
export function formatZonedDateTime(at: Date, timeZone: string): string {
  const local = new Date(at.getTime() + zoneOffsetMs(timeZone, at));
  return local.toISOString().slice(0, 16);
}

/** Midnight of the current day in `timeZone`. */
export function startOfZonedDay(now: Date, timeZone: string): Date {
  const local = formatZonedDateTime(now, timeZone).slice(0, 10);
  return parseZonedDateTime(local, timeZone) ?? now;
}

export interface TimeRange {
  from: Date;
  to: Date;
  preset: RangePreset | "custom";
}

export type RangeProblem = "validation.dateTime" | "validation.rangeOrder" | "validation.rangeTooLong";

/** Resolves the range part of a filter; falls back to the default preset with a problem to show. */
export function resolveRange(
  input: { range?: string; from?: string; to?: string },
  timeZone: string,
  now: Date,
  fallback: RangePreset = "24h",
): { range: TimeRange; problem?: RangeProblem } {
  const presetRange = (preset: RangePreset): TimeRange => ({ from: new Date(now.getTime() - PRESET_MS[preset]), to: now, preset });
  if (input.range !== "custom") {
    const preset = (RANGE_PRESETS as readonly string[]).includes(input.range ?? "") ? (input.range as RangePreset) : fallback;
    return { range: presetRange(preset) };
  }
  const from = parseZonedDateTime(input.from, timeZone);
  const to = input.to ? parseZonedDateTime(input.to, timeZone) : now;
  if (!from || !to) return { range: presetRange(fallback), problem: "validation.dateTime" };
  if (from >= to) return { range: presetRange(fallback), problem: "validation.rangeOrder" };
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) return { range: presetRange(fallback), problem: "validation.rangeTooLong" };
  return { range: { from, to, preset: "custom" } };
}
