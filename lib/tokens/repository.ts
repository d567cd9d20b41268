// Management API tokens (table management_tokens), the one module that queries them. Not
// "server-only": the CLI manages tokens directly, and the server issues the local one.
import type { Prisma } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";

// What a caller may see; the hash is not selected.
const tokenViewSelect = { id: true, name: true, prefix: true, local: true, createdAt: true, lastUsedAt: true, revokedAt: true } satisfies Prisma.ManagementTokenSelect;
export type TokenRow = Prisma.ManagementTokenGetPayload<{ select: typeof tokenViewSelect }>;

// What the management API's bearer check needs.
const tokenCheckSelect = { id: true, name: true, local: true, revokedAt: true } satisfies Prisma.ManagementTokenSelect;
export type TokenCheckRow = Prisma.ManagementTokenGetPayload<{ select: typeof tokenCheckSelect }>;

export interface NewToken {
  name: string;
  prefix: string;
  hash: string;
  local: boolean;
}

export async function insertToken(token: NewToken): Promise<TokenRow> {
  return getDb().managementToken.create({ data: token, select: tokenViewSelect });
}

/** Tokens issued through the CLI or the API (not the server's local one), newest first. */
export async function findIssuedTokens(options: { includeRevoked: boolean }): Promise<TokenRow[]> {
  return getDb().managementToken.findMany({
    where: { local: false, ...(options.includeRevoked ? {} : { revokedAt: null }) },
    select: tokenViewSelect,
    orderBy: { createdAt: "desc" },
  });
}

/** Revokes an issued token that is not revoked yet; null when there is no such token. */
export async function markTokenRevoked(id: string, at: Date): Promise<TokenRow | null> {
  const db = getDb();
  const found = await db.managementToken.findFirst({ where: { id, local: false, revokedAt: null }, select: { id: true } });
  if (!found) return null;
  return db.managementToken.update({ where: { id }, data: { revokedAt: at }, select: tokenViewSelect });
}

/** The token a secret's hash belongs to, revoked ones included (revokedAt says so). */
export async function findTokenByHash(hash: string): Promise<TokenCheckRow | null> {
  return getDb().managementToken.findUnique({ where: { hash }, select: tokenCheckSelect });
}

export async function touchTokenUse(id: string, at: Date): Promise<void> {
  await getDb().managementToken.update({ where: { id }, data: { lastUsedAt: at }, select: { id: true } });
}

/** Replaces the server's local token (at most one exists) with a new one. */
export async function replaceLocalToken(token: Omit<NewToken, "local">): Promise<void> {
  const db = getDb();
  await db.managementToken.deleteMany({ where: { local: true } });
  await db.managementToken.create({ data: { ...token, local: true }, select: { id: true } });
}
