// Console administrators. Passwords are hashed with argon2id (OWASP's first choice);
// sign-in compares in constant time and spends the same work on unknown e-mails.
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { parseInput, plainText } from "@/lib/validation";
import { findAdminByEmail, insertAdmin, touchAdminLogin, updateAdminPassword } from "./repository";

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const adminEmail = z.email("must be an e-mail address").trim().toLowerCase();
export const adminPassword = z
  .string()
  .min(10, "must be at least 10 characters")
  .max(256, "must be at most 256 characters");

export const createAdminInput = z.object({ email: adminEmail, password: adminPassword, name: plainText(z.string().trim().max(100)).optional() }).strict();

export interface AdminView {
  id: string;
  email: string;
  name: string | null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** Creates an admin, or sets a new password when the e-mail exists already. */
export async function createAdmin(raw: unknown, who: Actor): Promise<{ admin: AdminView; created: boolean }> {
  const input = parseInput(createAdminInput, raw);
  const passwordHash = await hashPassword(input.password);
  const existing = await findAdminByEmail(input.email);
  const admin = existing
    ? await updateAdminPassword(existing.id, { passwordHash, name: input.name })
    : await insertAdmin({ email: input.email, passwordHash, name: input.name ?? null });
  await recordAudit(who, existing ? "admin.password" : "admin.create", { type: "admin", id: admin.id, name: admin.email });
  return { admin, created: !existing };
}

// A real argon2id hash of a random password, so unknown e-mails cost as much as known ones.
let decoy: Promise<string> | undefined;

/** The admin for these credentials, or null. Never says which part was wrong. */
export async function verifyAdminCredentials(email: string, password: string): Promise<AdminView | null> {
  const parsedEmail = adminEmail.safeParse(email);
  const row = parsedEmail.success ? await findAdminByEmail(parsedEmail.data) : null;
  const stored = row?.passwordHash ?? (await (decoy ??= hashPassword(crypto.randomUUID())));
  const ok = await verify(stored, password.slice(0, 256)).catch(() => false);
  if (!row || !ok) return null;
  await touchAdminLogin(row.id, new Date());
  return { id: row.id, email: row.email, name: row.name };
}
