// Fixed windows aligned to the epoch, so every instance agrees on where a window starts,
// and UTC days for the quota (the quota resets at 00:00 UTC).
export const DAY_MS = 86_400_000;

let cachedDayStart = -1;
let cachedDay = "";

/** "YYYY-MM-DD" of the UTC day containing `ms`. */
export function utcDay(ms: number): string {
  const start = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
  if (start !== cachedDayStart) {
    cachedDay = new Date(start).toISOString().slice(0, 10);
    cachedDayStart = start;
  }
  return cachedDay;
}

/** The next 00:00 UTC after `ms`. */
export function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

/** The fixed window containing `ms`: its number and when it ends. */
export function windowAt(ms: number, windowSeconds: number): { index: number; resetAt: number } {
  const length = windowSeconds * 1000;
  const index = Math.floor(ms / length);
  return { index, resetAt: (index + 1) * length };
}
