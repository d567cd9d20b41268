// Key management: the one service behind the CLI, the management API and the console.
// Every change is written to the audit log and evicts the key from this process's cache
// (other instances notice through lib/keys/cache.ts's poller).
import type { KeyStatus, Prisma } from "@/generated/prisma/client";
import { recordAudit, type Actor, type AuditAction } from "@/lib/audit/record";
import { getEnv } from "@/lib/config/env";
import { invalidInput, notFound } from "@/lib/errors";
import { isRecordId, parseInput } from "@/lib/validation";
import { keyCache } from "./cache";
import { generateSecret } from "./format";
import { findLiveKey, findLiveKeys, insertKey, markExpiredKeys, updateLiveKey, type KeyChanges, type KeyViewRow } from "./repository";
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

async function getKeyOrThrow(id: string): Promise<KeyViewRow> {
  // An id no key can have never reaches the database (a NUL in it would fail there), nor the message.
  if (!isRecordId(id)) throw notFound("key");
  const row = await findLiveKey(id);
  if (!row) throw notFound(`key ${id}`);
  return row;
}

export async function createKey(raw: CreateKeyInput, who: Actor): Promise<{ key: KeyView; secret: string }> {
  const input = parseInput(createKeyInput, raw);
  const env = getEnv();
  const now = Date.now();
  const expiresAt = resolveExpiry(input, now) ?? new Date(now + env.MAX_TOKEN_AGE * DAY_MS);
  const { secret, prefix, hash } = generateSecret("apiKey");
  const row = await insertKey({
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
  });
  await recordAudit(who, "key.create", { type: "key", id: row.id, name: row.name }, { prefix });
  keyCache.evictHash(hash);
  return { key: toKeyView(row, now), secret };
}

export async function listKeys(raw: ListKeysInput = {}): Promise<{ items: KeyView[]; total: number; page: number; pageSize: number }> {
  const input = parseInput(listKeysInput, raw);
  const now = new Date();
  const { rows, total } = await findLiveKeys({
    status: input.status,
    search: input.search,
    now,
    skip: (input.page - 1) * input.pageSize,
    take: input.pageSize,
  });
  return { items: rows.map((r) => toKeyView(r, now.getTime())), total, page: input.page, pageSize: input.pageSize };
}

export async function getKey(id: string): Promise<KeyView> {
  return toKeyView(await getKeyOrThrow(id));
}

export async function updateKey(id: string, raw: UpdateKeyInput, who: Actor): Promise<KeyView> {
  const input = parseInput(updateKeyInput, raw);
  const now = Date.now();
  const current = await getKeyOrThrow(id);
  const expiresAt = resolveExpiry(input, now) ?? current.expiresAt;
  const enabled = input.enabled ?? current.enabled;
  const data: KeyChanges = {
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
  await getKeyOrThrow(id);
  const { secret, prefix, hash } = generateSecret("apiKey");
  const row = await writeKey(id, { hash, prefix, rotatedAt: new Date() }, who, "key.rotate", { prefix });
  keyCache.evictHash(hash);
  return { key: toKeyView(row), secret };
}

export async function deleteKey(id: string, who: Actor): Promise<void> {
  await getKeyOrThrow(id);
  // The row stays so usage history keeps its owner; the hash becomes unmatchable.
  await writeKey(id, { deletedAt: new Date(), enabled: false, status: "disabled", hash: `deleted:${id}` }, who, "key.delete");
}

async function writeKey(id: string, changes: KeyChanges, who: Actor, action: AuditAction, details?: Prisma.InputJsonValue): Promise<KeyViewRow> {
  const row = await updateLiveKey(id, changes);
  if (!row) throw notFound(`key ${id}`); // deleted between the read and the write
  keyCache.evict(id);
  await recordAudit(who, action, { type: "key", id, name: row.name }, details);
  return row;
}

/** Marks keys past their expiry; admission checks expiresAt itself, so this only keeps lists and filters tidy. */
export async function sweepExpiredKeys(now = new Date()): Promise<number> {
  const count = await markExpiredKeys(now);
  if (count) keyCache.clear();
  return count;
}
