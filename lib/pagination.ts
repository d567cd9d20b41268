// Keyset pages over append-only logs (request_logs, events), newest first. A page ends at
// a position (created_at, id) and the next one starts strictly below it, so rows written
// meanwhile never shift a page the way an offset would: nothing is repeated or skipped.
// Row ids alone are not enough: request_logs is partitioned on created_at and its
// primary key is (id, created_at). No database access here: the CLI validates its flags
// with the same rules before it sends anything.
import { z } from "zod";

/** What every list endpoint answers: `nextCursor` is null on the last page. */
export interface RecordPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagePosition {
  /** created_at of the last row of the previous page (millisecond precision, as stored). */
  createdAt: Date;
  id: bigint;
}

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

// A version tag inside the cursor lets its layout change without old cursors being misread.
const CURSOR = /^v1\.(\d{1,16})\.(\d{1,19})$/;

/** Opaque to clients: base64url of "v1.<epoch ms>.<id>". */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`v1.${position.createdAt.getTime()}.${position.id}`).toString("base64url");
}

/**
 * A page from rows fetched with LIMIT limit + 1 in (created_at DESC, id DESC) order: the
 * extra row only says that another page follows.
 */
export function keysetPage<R extends { created_at: Date; id: bigint }, T>(rows: R[], limit: number, toItem: (row: R) => T): RecordPage<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

export function decodeCursor(cursor: string): PagePosition | null {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) return null;
  const match = CURSOR.exec(Buffer.from(cursor, "base64url").toString("latin1"));
  if (!match) return null;
  const ms = Number(match[1]);
  const id = BigInt(match[2]);
  if (!Number.isSafeInteger(ms) || Number.isNaN(new Date(ms).getTime()) || id > 9_223_372_036_854_775_807n) return null;
  return { createdAt: new Date(ms), id };
}

// ISO 8601 with a zone, to the millisecond: a time without a zone would mean different
// instants on the client and the server. A bare date is that day's UTC midnight.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i;

export const TIMESTAMP_HINT = "an ISO 8601 timestamp with a time zone (2026-12-01T09:30:00Z) or a date (2026-12-01, UTC)";

/** The instant an ISO 8601 timestamp or date names, or null when it is not one (2026-02-30 included). */
export function parseTimestamp(text: string): Date | null {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date.parse rolls 2026-02-30 over into March; refuse a day the month does not have.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  if (match[4] !== undefined && (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6] ?? 0) > 59)) return null;
  const ms = Date.parse(match[4] === undefined ? `${match[1]}-${match[2]}-${match[3]}T00:00:00Z` : text.trim().toUpperCase());
  return Number.isNaN(ms) ? null : new Date(ms);
}

const timestamp = z.string().transform((value, ctx) => {
  const date = parseTimestamp(value);
  if (!date) {
    ctx.addIssue({ code: "custom", message: `must be ${TIMESTAMP_HINT}, got "${value.slice(0, 40)}"` });
    return z.NEVER;
  }
  return date;
});

const limit = z
  .string()
  .regex(/^\d{1,7}$/, `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`)
  .transform(Number)
  .pipe(z.number().min(1, `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`).max(MAX_PAGE_LIMIT, `must be at most ${MAX_PAGE_LIMIT}`));

const cursor = z.string().transform((value, ctx) => {
  const position = decodeCursor(value);
  if (!position) {
    ctx.addIssue({ code: "custom", message: "is not a cursor this API handed out (pass nextCursor from the previous page unchanged)" });
    return z.NEVER;
  }
  return position;
});

/** Query parameters every log list takes: a time range (from inclusive, to exclusive), a page size and a cursor. */
export const pageQueryFields = {
  from: timestamp.optional(),
  to: timestamp.optional(),
  limit: limit.optional().transform((v) => v ?? DEFAULT_PAGE_LIMIT),
  cursor: cursor.optional(),
};

/** A filter value compared for equality: non-empty, bounded. */
export const exactText = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

/** Refuses a range that ends before it starts (an empty page would hide the mistake). */
export function checkRange(value: { from?: Date; to?: Date }, ctx: z.RefinementCtx): void {
  if (value.from && value.to && value.from >= value.to) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must be later than from" });
  }
}
