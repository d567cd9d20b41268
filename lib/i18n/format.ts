// Numbers and dates per locale (Intl), dates in the admin's time zone.
import type { Locale } from "./locales";

export interface Formatter {
  locale: Locale;
  timeZone: string;
  number(value: number | bigint): string;
  compact(value: number): string;
  percent(ratio: number | null): string;
  ms(value: number | null): string;
  dateTime(value: string | Date | null): string;
  date(value: string | Date | null): string;
  time(value: string | Date | null): string;
}

export function createFormatter(locale: Locale, timeZone: string): Formatter {
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const millis = new Intl.NumberFormat(locale, { style: "unit", unit: "millisecond", unitDisplay: "short", maximumFractionDigits: 0 });
  const seconds = new Intl.NumberFormat(locale, { style: "unit", unit: "second", unitDisplay: "short", maximumFractionDigits: 2 });
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium", timeStyle: "medium" });
  const date = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium" });
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: "2-digit", minute: "2-digit" });
  const toDate = (value: string | Date) => (value instanceof Date ? value : new Date(value));
  const dash = "—";
  return {
    locale,
    timeZone,
    number: (value) => integer.format(value),
    compact: (value) => compact.format(value),
    percent: (ratio) => (ratio === null || !Number.isFinite(ratio) ? dash : percent.format(ratio)),
    ms: (value) => (value === null || !Number.isFinite(value) ? dash : value >= 1000 ? seconds.format(value / 1000) : millis.format(value)),
    dateTime: (value) => (value ? dateTime.format(toDate(value)) : dash),
    date: (value) => (value ? date.format(toDate(value)) : dash),
    time: (value) => (value ? time.format(toDate(value)) : dash),
  };
}
