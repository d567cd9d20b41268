// Management API tokens: bearer credentials for /api/admin, created by the CLI. Like API
// keys, only the SHA-256 is stored and the secret is shown once.
import { chmodSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";
import { generateSecret, parseSecret } from "@/lib/keys/format";
import { localTokenPath } from "@/lib/runtime/local-files";
import { isRecordId, parseInput, plainText } from "@/lib/validation";
import { findIssuedTokens, findTokenByHash, insertToken, markTokenRevoked, replaceLocalToken, touchTokenUse, type TokenRow } from "./repository";

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  local: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function toView(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    local: row.local,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export const createTokenInput = z.object({ name: plainText(z.string().trim().min(1, "must not be empty").max(100)) }).strict();

export async function createToken(raw: unknown, who: Actor): Promise<{ token: TokenView; secret: string }> {
  const { name } = parseInput(createTokenInput, raw);
  const { secret, prefix, hash } = generateSecret("managementToken");
  const row = await insertToken({ name, prefix, hash, local: false });
  await recordAudit(who, "token.create", { type: "token", id: row.id, name });
  return { token: toView(row), secret };
}

export async function listTokens(options: { includeRevoked?: boolean } = {}): Promise<TokenView[]> {
  const rows = await findIssuedTokens({ includeRevoked: options.includeRevoked ?? false });
  return rows.map(toView);
}

export async function revokeToken(id: string, who: Actor): Promise<TokenView> {
  if (!isRecordId(id)) throw notFound("token");
  const row = await markTokenRevoked(id, new Date());
  if (!row) throw notFound(`token ${id}`);
  await recordAudit(who, "token.revoke", { type: "token", id, name: row.name });
  return toView(row);
}

/** The token behind a bearer secret, or null for anything unusable. */
export async function verifyToken(secret: string): Promise<{ id: string; name: string; local: boolean } | null> {
  const parsed = parseSecret("managementToken", secret);
  if (!parsed.ok) return null;
  const row = await findTokenByHash(parsed.hash);
  if (!row || row.revokedAt) return null;
  // Not awaited: bookkeeping must not slow the call down.
  touchTokenUse(row.id, new Date()).catch(() => undefined);
  return { id: row.id, name: row.name, local: row.local };
}

/**
 * Issues a fresh local credential for the CLI at every server start and keeps it in the
 * data directory (mode 0600), replacing the previous one: whoever can read the data
 * directory already owns the embedded database. The server takes it over loopback only
 * (lib/admin-api/auth.ts), so a copy of the directory does not manage it from elsewhere.
 */
export async function issueLocalToken(dataDir: string): Promise<void> {
  const { secret, prefix, hash } = generateSecret("managementToken");
  await replaceLocalToken({ name: "local CLI", prefix, hash });
  const file = localTokenPath(dataDir);
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
}
