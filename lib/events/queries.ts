// Read side of the events table for the console's logs page.
import "server-only";
import type { EventCategory, EventLevel, Prisma } from "@/generated/prisma/client";
import { redactJson, redactSecrets } from "@/lib/redact";
import { getDb } from "@/lib/db/client";

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
  const ids = [...new Set(rows.map((r) => r.keyId).filter((id): id is string => !!id))];
  const keys = ids.length ? await getDb().apiKey.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  const names = new Map(keys.map((k) => [k.id, k.name]));
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
