// Pages of the events table for the management API and the CLI: newest first, in keyset
// pages on (created_at, id) (lib/pagination.ts). category, type and key_id lead an index
// each ((column, created_at)); level and client_ip are checked on the rows the
// created_at order reaches, which on a large table is cheap only within a time range.
import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { redactJson, redactSecrets } from "@/lib/redact";
import { getDb } from "@/lib/db/client";
import { keysetPage, type RecordPage } from "@/lib/pagination";
import { parseInput } from "@/lib/validation";
import { listEventsQuery, type EventListItem, type ListEventsQuery } from "./event-list-schema";
import type { EventCategory, EventLevel } from "./record";

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

// Events are written without secrets; masking again on the way out also covers rows
// written before a pattern was known (the console does the same).
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
