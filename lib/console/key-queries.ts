// Key lookups the console needs beyond lib/keys' list: what expires soon, and names for
// filter menus (deleted keys included: their history is still in the logs).
import "server-only";
import { getDb } from "@/lib/db/client";

export interface ExpiringKey {
  id: string;
  name: string;
  prefix: string;
  expiresAt: string;
}

export async function listKeysExpiringSoon(withinDays: number, now = new Date(), limit = 10): Promise<ExpiringKey[]> {
  const rows = await getDb().apiKey.findMany({
    where: { deletedAt: null, enabled: true, expiresAt: { gt: now, lte: new Date(now.getTime() + withinDays * 86_400_000) } },
    select: { id: true, name: true, prefix: true, expiresAt: true },
    orderBy: [{ expiresAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  return rows.map((r) => ({ ...r, expiresAt: r.expiresAt.toISOString() }));
}

export interface KeyOption {
  id: string;
  name: string;
  prefix: string;
  deleted: boolean;
}

export async function listKeyOptions(limit = 500): Promise<KeyOption[]> {
  const rows = await getDb().apiKey.findMany({
    select: { id: true, name: true, prefix: true, deletedAt: true },
    orderBy: [{ deletedAt: { sort: "asc", nulls: "first" } }, { name: "asc" }],
    take: limit,
  });
  return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, deleted: r.deletedAt !== null }));
}
