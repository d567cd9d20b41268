// Key management: the one service behind the CLI, the management API and the console.
// Every change is written to the audit log and evicts the key from this process's cache
// (other instances notice through lib/keys/cache.ts's poller).
import { Prisma, type KeyStatus } from "@/generated/prisma/client";
import { auditEntry, type Actor } from "@/lib/audit/record";
import { getEnv } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import { invalidInput, notFound } from "@/lib/errors";
import { isRecordId, parseInput } from "@/lib/validation";
import { keyCache } from "./cache";
import { generateSecret } from "./format";
import {
  createKeyInput,
  listKeysInput,
  updateKeyInput,
  type CreateKeyInput,
  type KeyStatusName,
  type KeyView,
  type ListKeysInput,
  type UpdateKeyInput,
} from "./schemas";

const DAY_MS = 86_400_000;

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
type KeyViewRow = Prisma.ApiKeyGetPayload<{ select: typeof keyViewSelect }>;

/** The status a key has now: expiry wins over the stored value, which the sweep may not have caught up with. */
export function effectiveStatus(row: { enabled: boolean; expiresAt: Date }, now = Date.now()): KeyStatusName {
  if (row.expiresAt.getTime() <= now) return "expired";
  return row.enabled ? "active" : "disabled";
}

function storedStatus(enabled: boolean, expiresAt: Date, now = Date.now()): KeyStatus {
  return effectiveStatus({ enabled, expiresAt }, now);
}

export function toKeyView(row: KeyViewRow, now = Date.now()): KeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    enabled: row.enabled,
    status: effectiveStatus(row, now),
    expiresAt: row.expiresAt.toISOString(),
    dailyLimit: row.dailyLimit,
    rateLimit: row.rateLimit,
    allowedIps: row.allowedIps,
    allowedModels: row.allowedModels,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    rotatedAt: row.rotatedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}

function resolveExpiry(input: { expiresInDays?: number; expiresAt?: Date }, now: number): Date | undefined {
  const maxDays = getEnv().MAX_TOKEN_AGE;
  if (input.expiresInDays !== undefined) {
    if (input.expiresInDays > maxDays) throw invalidInput("expiresInDays", `must be at most ${maxDays} days (MAX_TOKEN_AGE)`);
    return new Date(now + input.expiresInDays * DAY_MS);
  }
  if (input.expiresAt !== undefined) {
    if (input.expiresAt.getTime() <= now) throw invalidInput("expiresAt", "must be in the future");
    if (input.expiresAt.getTime() > now + maxDays * DAY_MS) {
      throw invalidInput("expiresAt", `must be at most ${maxDays} days from now (MAX_TOKEN_AGE)`);
    }
    return input.expiresAt;
  }
  return undefined;
}

const live = { deletedAt: null } satisfies Prisma.ApiKeyWhereInput;

async function findLiveKey(id: string): Promise<KeyViewRow> {
  // An id no key can have never reaches the database (a NUL in it would fail there), nor the message.
  if (!isRecordId(id)) throw notFound("key");
  const row = await getDb().apiKey.findFirst({ where: { id, ...live }, select: keyViewSelect });
  if (!row) throw notFound(`key ${id}`);
  return row;
}

export async function createKey(raw: CreateKeyInput, who: Actor): Promise<{ key: KeyView; secret: string }> {
  const input = parseInput(createKeyInput, raw);
  const env = getEnv();
  const now = Date.now();
  const expiresAt = resolveExpiry(input, now) ?? new Date(now + env.MAX_TOKEN_AGE * DAY_MS);
  const { secret, prefix, hash } = generateSecret("apiKey");
  const db = getDb();
  const row = await db.apiKey.create({
      data: {
        name: input.name,
        prefix,
        hash,
        enabled: true,
        status: "active",
        expiresAt,
        dailyLimit: input.dailyLimit ?? env.DEFAULT_RATE_LIMIT,
        rateLimit: input.rateLimit ?? env.DEFAULT_WINDOW_LIMIT,
        allowedIps: input.allowedIps ?? [],
        allowedModels: input.allowedModels ?? [],
        createdBy: who.actor,
      },
      select: keyViewSelect,
    });
  await db.auditLog.create({ data: auditEntry(who, "key.create", { type: "key", id: row.id, name: row.name }, { prefix }) });
  keyCache.evictHash(hash);
  return { key: toKeyView(row, now), secret };
}

export async function listKeys(raw: ListKeysInput = {}): Promise<{ items: KeyView[]; total: number; page: number; pageSize: number }> {
  const input = parseInput(listKeysInput, raw);
  const now = new Date();
  const where: Prisma.ApiKeyWhereInput = { ...live };
  if (input.status === "expired") where.expiresAt = { lte: now };
  if (input.status === "active") Object.assign(where, { enabled: true, expiresAt: { gt: now } });
  if (input.status === "disabled") Object.assign(where, { enabled: false, expiresAt: { gt: now } });
  if (input.search) {
    where.OR = [
      { name: { contains: input.search, mode: "insensitive" } },
      { prefix: { startsWith: input.search } },
      { id: input.search },
    ];
  }
  const db = getDb();
  const [rows, total] = await Promise.all([
    db.apiKey.findMany({
      where,
      select: keyViewSelect,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
    db.apiKey.count({ where }),
  ]);
  return { items: rows.map((r) => toKeyView(r, now.getTime())), total, page: input.page, pageSize: input.pageSize };
}

export async function getKey(id: string): Promise<KeyView> {
  return toKeyView(await findLiveKey(id));
}

export async function updateKey(id: string, raw: UpdateKeyInput, who: Actor): Promise<KeyView> {
  const input = parseInput(updateKeyInput, raw);
  const now = Date.now();
  const current = await findLiveKey(id);
  const expiresAt = resolveExpiry(input, now) ?? current.expiresAt;
  const enabled = input.enabled ?? current.enabled;
  const data: Prisma.ApiKeyUpdateInput = {
    name: input.name,
    enabled: input.enabled,
    expiresAt: expiresAt === current.expiresAt ? undefined : expiresAt,
    dailyLimit: input.dailyLimit,
    rateLimit: input.rateLimit,
    allowedIps: input.allowedIps,
    allowedModels: input.allowedModels,
    status: storedStatus(enabled, expiresAt, now),
  };
  const changes = Object.fromEntries(
    Object.entries({ ...input, expiresAt: data.expiresAt }).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
  const action = Object.keys(changes).length === 1 && input.enabled !== undefined ? (input.enabled ? "key.enable" : "key.disable") : "key.update";
  const row = await writeKey(id, data, who, action, changes);
  return toKeyView(row, now);
}

export function setKeyEnabled(id: string, enabled: boolean, who: Actor): Promise<KeyView> {
  return updateKey(id, { enabled }, who);
}

export async function rotateKey(id: string, who: Actor): Promise<{ key: KeyView; secret: string }> {
  await findLiveKey(id);
  const { secret, prefix, hash } = generateSecret("apiKey");
  const row = await writeKey(id, { hash, prefix, rotatedAt: new Date() }, who, "key.rotate", { prefix });
  keyCache.evictHash(hash);
  return { key: toKeyView(row), secret };
}

export async function deleteKey(id: string, who: Actor): Promise<void> {
  await findLiveKey(id);
  // The row stays so usage history keeps its owner; the hash becomes unmatchable.
  await writeKey(id, { deletedAt: new Date(), enabled: false, status: "disabled", hash: `deleted:${id}` }, who, "key.delete");
}

async function writeKey(
  id: string,
  data: Prisma.ApiKeyUpdateInput,
  who: Actor,
  action: Parameters<typeof auditEntry>[1],
  details?: Prisma.InputJsonValue,
): Promise<KeyViewRow> {
  const db = getDb();
  let row: KeyViewRow;
  try {
    row = await db.apiKey.update({ where: { id, ...live }, data, select: keyViewSelect });
  } catch (error) {
    // Deleted between the read and the write.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") throw notFound(`key ${id}`);
    throw error;
  }
  keyCache.evict(id);
  await db.auditLog.create({ data: auditEntry(who, action, { type: "key", id, name: row.name }, details) });
  return row;
}

/** Marks keys past their expiry; admission checks expiresAt itself, so this only keeps lists and filters tidy. */
export async function sweepExpiredKeys(now = new Date()): Promise<number> {
  const { count } = await getDb().apiKey.updateMany({
    where: { ...live, expiresAt: { lte: now }, status: { not: "expired" } },
    data: { status: "expired" },
  });
  if (count) keyCache.clear();
  return count;
}
