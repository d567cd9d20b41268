// The time buckets the usage series is grouped in (lib/usage/queries.ts). The console picks
// one per range (lib/console/time.ts) and its charts label them, in the browser too.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Chart buckets, smallest first; each is a whole divisor of the next unit so buckets align to the clock. */
export const BUCKETS = ["1 minute", "5 minutes", "15 minutes", "1 hour", "1 day", "1 week"] as const;
export type Bucket = (typeof BUCKETS)[number];
export const BUCKET_MS: Record<Bucket, number> = {
  "1 minute": 60_000,
  "5 minutes": 300_000,
  "15 minutes": 900_000,
  "1 hour": HOUR,
  "1 day": DAY,
  "1 week": 7 * DAY,
};
