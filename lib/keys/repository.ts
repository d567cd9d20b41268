// The API keys (table api_keys), the one module that queries them: the key service's
// changes, the gateway's lookup by hash and its change poll, the expiry sweep, and the
// console's key lists. Rows come back as plain objects. Not "server-only": the CLI and the
// gateway's host load it outside Next.
import { Prisma, type KeyStatus } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";
import type { KeyRow } from "./cache";
import type { KeyStatusName } from "./schemas";

// Everything a caller may see; the hash is not selected, so it cannot leak by accident.
const keyViewSelect = {
  id: true,
  name: true,
  prefix: true,
  enabled: true,
  status: true,
  expiresAt: true,
  dailyLimit: true,
  rateLimit: true,
  allowedIps: true,
  allowedModels: true,
  lastUsedAt: true,
  rotatedAt: true,
  createdAt: true,
  createdBy: true,
} satisfies Prisma.ApiKeySelect;
export type KeyViewRow = Prisma.ApiKeyGetPayload<{ select: typeof keyViewSelect }>;

// What the gateway's admission check needs (lib/keys/cache.ts), the hash included.
const keyCheckSelect = {
  id: true,
  hash: true,
  name: true,
  prefix: true,
  enabled: true,
  status: true,
  expiresAt: true,
  dailyLimit: true,
  rateLimit: true,
  allowedIps: true,
  allowedModels: true,
  deletedAt: true,
} satisfies Prisma.ApiKeySelect;

const live = { deletedAt: null } satisfies Prisma.ApiKeyWhereInput;

export interface NewKey {
  name: string;
  prefix: string;
  hash: string;
  enabled: boolean;
  status: KeyStatus;
  expiresAt: Date;
  dailyLimit: number;
  rateLimit: number;
  allowedIps: string[];
  allowedModels: string[];
  createdBy: string;
}

/** Fields a change sets; undefined leaves a field as it is. */
export interface KeyChanges {
  name?: string;
  enabled?: boolean;
  status?: KeyStatus;
  expiresAt?: Date;
  dailyLimit?: number;
  rateLimit?: number;
  allowedIps?: string[];
  allowedModels?: string[];
  hash?: string;
  prefix?: string;
  rotatedAt?: Date;
  deletedAt?: Date;
}

export interface KeyListFilter {
  /** As of `now`: expiry wins over the stored status, which the sweep may not have caught up with. */
  status?: KeyStatusName;
  /** Part of the name (any case), the start of the prefix, or the whole id. */
  search?: string;
  now: Date;
  skip: number;
  take: number;
}

export async function insertKey(key: NewKey): Promise<KeyViewRow> {
  return getDb().apiKey.create({ data: key, select: keyViewSelect });
}

/** A key that has not been deleted, or null. */
export async function findLiveKey(id: string): Promise<KeyViewRow | null> {
  return getDb().apiKey.findFirst({ where: { id, ...live }, select: keyViewSelect });
}

/** Newest first, with the number of keys the filter matches. */
export async function findLiveKeys(f: KeyListFilter): Promise<{ rows: KeyViewRow[]; total: number }> {
  const where: Prisma.ApiKeyWhereInput = { ...live };
  if (f.status === "expired") where.expiresAt = { lte: f.now };
  if (f.status === "active") Object.assign(where, { enabled: true, expiresAt: { gt: f.now } });
  if (f.status === "disabled") Object.assign(where, { enabled: false, expiresAt: { gt: f.now } });
  if (f.search) {
    where.OR = [{ name: { contains: f.search, mode: "insensitive" } }, { prefix: { startsWith: f.search } }, { id: f.search }];
  }
  const db = getDb();
  const [rows, total] = await Promise.all([
    db.apiKey.findMany({ where, select: keyViewSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: f.skip, take: f.take }),
    db.apiKey.count({ where }),
  ]);
  return { rows, total };
}

/** Changes a key that has not been deleted; null when there is none (deleted meanwhile). */
export async function updateLiveKey(id: string, changes: KeyChanges): Promise<KeyViewRow | null> {
  try {
    return await getDb().apiKey.update({ where: { id, ...live }, data: changes, select: keyViewSelect });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") return null;
    throw error;
  }
}

/** Sets status "expired" on live keys past their expiry; returns how many changed. */
export async function markExpiredKeys(now: Date): Promise<number> {
  const { count } = await getDb().apiKey.updateMany({
    where: { ...live, expiresAt: { lte: now }, status: { not: "expired" } },
    data: { status: "expired" },
  });
  return count;
}

/** The key a secret's hash belongs to, deleted ones included (deletedAt says so). */
export async function findKeyByHash(hash: string): Promise<KeyRow | null> {
  return getDb().apiKey.findUnique({ where: { hash }, select: keyCheckSelect });
}

/** The database's clock: the api_keys trigger stamps updated_at with it, not with ours. */
export async function readDatabaseClock(): Promise<Date> {
  const [{ now }] = await getDb().$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
  return now;
}

/** Keys whose admission fields changed after `since` (updated_at, set by a trigger). */
export async function findKeyIdsChangedSince(since: Date): Promise<string[]> {
  const rows = await getDb().apiKey.findMany({ where: { updatedAt: { gt: since } }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** Names of keys by id, deleted ones included (their history is still in the logs). */
export async function findKeyNames(ids: string[]): Promise<Map<string, string>> {
  const rows = ids.length ? await getDb().apiKey.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  return new Map(rows.map((k) => [k.id, k.name]));
}

export interface ExpiringKey {
  id: string;
  name: string;
  prefix: string;
  expiresAt: string;
}

/** Enabled keys that expire within the next `withinDays`, soonest first (the dashboard's list). */
export async function listKeysExpiringSoon(withinDays: number, now = new Date(), limit = 10): Promise<ExpiringKey[]> {
  const rows = await getDb().apiKey.findMany({
    where: { ...live, enabled: true, expiresAt: { gt: now, lte: new Date(now.getTime() + withinDays * 86_400_000) } },
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

/** Every key for the console's filter menus, deleted ones last (their history is still in the logs). */
export async function listKeyOptions(limit = 500): Promise<KeyOption[]> {
  const rows = await getDb().apiKey.findMany({
    select: { id: true, name: true, prefix: true, deletedAt: true },
    orderBy: [{ deletedAt: { sort: "asc", nulls: "first" } }, { name: "asc" }],
    take: limit,
  });
  return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, deleted: r.deletedAt !== null }));
}
