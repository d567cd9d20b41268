// Console administrators (table admin_users), the one module that queries them: the admin
// service (creation, sign-in) and the console's sessions (lib/auth/session.ts), which check
// every use against the admin's password hash and session version. Not "server-only": the
// CLI creates admins directly.
import type { Prisma } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";

const adminSelect = { id: true, email: true, name: true } satisfies Prisma.AdminUserSelect;
export type AdminRow = Prisma.AdminUserGetPayload<{ select: typeof adminSelect }>;

// What a sign-in is checked against.
const adminSignInSelect = { ...adminSelect, passwordHash: true } satisfies Prisma.AdminUserSelect;
export type AdminSignInRow = Prisma.AdminUserGetPayload<{ select: typeof adminSignInSelect }>;

// What a session is checked against: a session stamp is made from the last two.
const adminStampSelect = { ...adminSelect, passwordHash: true, sessionVersion: true } satisfies Prisma.AdminUserSelect;
export type AdminStampRow = Prisma.AdminUserGetPayload<{ select: typeof adminStampSelect }>;

/** The admin with this (normalised) e-mail, with the password hash to check a sign-in against. */
export async function findAdminByEmail(email: string): Promise<AdminSignInRow | null> {
  return getDb().adminUser.findUnique({ where: { email }, select: adminSignInSelect });
}

export async function insertAdmin(admin: { email: string; passwordHash: string; name: string | null }): Promise<AdminRow> {
  return getDb().adminUser.create({ data: admin, select: adminSelect });
}

/** Sets a new password hash, and the name when one is given. */
export async function updateAdminPassword(id: string, changes: { passwordHash: string; name?: string }): Promise<AdminRow> {
  return getDb().adminUser.update({ where: { id }, data: changes, select: adminSelect });
}

export async function touchAdminLogin(id: string, at: Date): Promise<void> {
  await getDb().adminUser.update({ where: { id }, data: { lastLoginAt: at }, select: { id: true } });
}

export async function findAdminStamp(id: string): Promise<AdminStampRow | null> {
  return getDb().adminUser.findUnique({ where: { id }, select: adminStampSelect });
}

/**
 * Ends the admin's sessions by bumping the session version, only from `fromVersion`: two
 * concurrent sign-outs bump it once.
 */
export async function bumpSessionVersion(id: string, fromVersion: number): Promise<void> {
  await getDb().adminUser.updateMany({ where: { id, sessionVersion: fromVersion }, data: { sessionVersion: { increment: 1 } } });
}
