// System and security events (table events), the one module that queries them: rare
// events written one at a time (lib/events/record.ts; the gateway's own go in batches
// through lib/usage/writes.ts), the console's logs page, and the management API's pages.
// Events are written without secrets; messages and details are masked again on the way
// out, which also covers rows written before a pattern was known.
import "server-only";
import { Prisma, type EventCategory, type EventLevel } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";
import { findKeyNames } from "@/lib/keys/repository";
import { keysetPage, type RecordPage } from "@/lib/pagination";
import { redactJson, redactSecrets } from "@/lib/redact";
import { parseInput } from "@/lib/validation";
import { listEventsQuery, type EventListItem, type ListEventsQuery } from "./event-list-schema";
import type { EventInput } from "./record";

export async function insertEvent(e: EventInput): Promise<void> {
  await getDb().event.create({
    data: {
      category: e.category,
      level: e.level,
      type: e.type,
      message: e.message,
      keyId: e.keyId ?? null,
      clientIp: e.clientIp ?? null,
      requestId: e.requestId ?? null,
      details: e.details,
      createdAt: e.createdAt,
    },
    select: { id: true },
  });
}

// ---- the console's logs page -----------------------------------------------------------

export interface EventFilter {
  from: Date;
  to: Date;
  category?: EventCategory;
  level?: EventLevel;
  keyId?: string;
  text?: string;
  /** Exact event type. */
  type?: string;
}

export interface EventView {
  id: string;
  createdAt: string;
  category: EventCategory;
  level: EventLevel;
  type: string;
  /** Redacted. */
  message: string;
  keyId: string | null;
  keyName: string | null;
  clientIp: string | null;
  requestId: string | null;
  /** Redacted. */
  details: unknown;
}

const eventSelect = {
  id: true,
  createdAt: true,
  category: true,
  level: true,
  type: true,
  message: true,
  keyId: true,
  clientIp: true,
  requestId: true,
  details: true,
} satisfies Prisma.EventSelect;

type EventRow = Prisma.EventGetPayload<{ select: typeof eventSelect }>;

async function withKeyNames(rows: EventRow[]): Promise<EventView[]> {
  // events.key_id has no foreign key (events outlive keys), so names are looked up.
  const names = await findKeyNames([...new Set(rows.map((r) => r.keyId).filter((id): id is string => !!id))]);
  return rows.map((r) => ({
    ...r,
    id: r.id.toString(),
    createdAt: r.createdAt.toISOString(),
    message: redactSecrets(r.message),
    keyName: r.keyId ? (names.get(r.keyId) ?? null) : null,
    details: redactJson(r.details),
  }));
}

/** Newest first. */
export async function listEvents(f: EventFilter, take: number): Promise<EventView[]> {
  const where: Prisma.EventWhereInput = {
    createdAt: { gte: f.from, lt: f.to },
    ...(f.category ? { category: f.category } : {}),
    ...(f.level ? { level: f.level } : {}),
    ...(f.keyId ? { keyId: f.keyId } : {}),
    ...(f.type ? { type: f.type } : {}),
    ...(f.text
      ? {
          OR: [
            { message: { contains: f.text, mode: "insensitive" } },
            { type: { contains: f.text, mode: "insensitive" } },
            { clientIp: f.text },
            { requestId: f.text },
          ],
        }
      : {}),
  };
  const rows = await getDb().event.findMany({ where, select: eventSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  return withKeyNames(rows);
}

export async function getEvent(id: bigint): Promise<EventView | null> {
  const row = await getDb().event.findUnique({ where: { id }, select: eventSelect });
  return row ? (await withKeyNames([row]))[0] : null;
}

// ---- the management API's and the CLI's pages -------------------------------------------
// Newest first, in keyset pages on (created_at, id) (lib/pagination.ts). category, type and
// key_id lead an index each ((column, created_at)); level and client_ip are checked on the
// rows the created_at order reaches, which on a large table is cheap only within a time range.

interface Row {
  id: bigint;
  created_at: Date;
  category: EventCategory;
  level: EventLevel;
  type: string;
  message: string;
  key_id: string | null;
  client_ip: string | null;
  request_id: string | null;
  details: unknown;
}

export async function listEventLog(raw: ListEventsQuery): Promise<RecordPage<EventListItem>> {
  const q = parseInput(listEventsQuery, raw);
  const where: Prisma.Sql[] = [];
  if (q.from) where.push(Prisma.sql`created_at >= ${q.from}`);
  if (q.to) where.push(Prisma.sql`created_at < ${q.to}`);
  // The first half bounds the index range; the second breaks ties on the same millisecond.
  if (q.cursor) where.push(Prisma.sql`created_at <= ${q.cursor.createdAt} AND (created_at < ${q.cursor.createdAt} OR id < ${q.cursor.id})`);
  if (q.category) where.push(Prisma.sql`category = ${q.category}::"EventCategory"`);
  if (q.level) where.push(Prisma.sql`level = ${q.level}::"EventLevel"`);
  if (q.type) where.push(Prisma.sql`type = ${q.type}`);
  if (q.keyId) where.push(Prisma.sql`key_id = ${q.keyId}`);
  if (q.clientIp) where.push(Prisma.sql`client_ip = ${q.clientIp}`);
  const rows = await getDb().$queryRaw<Row[]>`
    SELECT id, created_at, category::text AS category, level::text AS level, type, message, key_id, client_ip, request_id, details
    FROM events
    ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY created_at DESC, id DESC
    LIMIT ${q.limit + 1}`;
  return keysetPage(rows, q.limit, toItem);
}

function toItem(r: Row): EventListItem {
  return {
    id: r.id.toString(),
    createdAt: r.created_at.toISOString(),
    category: r.category,
    level: r.level,
    type: r.type,
    message: redactSecrets(r.message),
    keyId: r.key_id,
    clientIp: r.client_ip,
    requestId: r.request_id,
    details: redactJson(r.details),
  };
}
