// The audit log (table audit_logs), the one module that queries it: the services that
// change keys, tokens and admins add an entry per change (lib/audit/record.ts), the
// console's logs page reads them back. Not "server-only": the CLI changes keys directly.
import type { Prisma } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";
import { redactJson } from "@/lib/redact";

/** One change, as lib/audit/record.ts describes it. */
export interface NewAuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  targetName: string;
  clientIp: string | null;
  details?: Prisma.InputJsonValue;
}

export async function insertAuditEntry(entry: NewAuditEntry): Promise<void> {
  await getDb().auditLog.create({ data: entry, select: { id: true } });
}

export interface AuditFilter {
  from: Date;
  to: Date;
  /** Entries about this key. */
  keyId?: string;
  text?: string;
  /** Exact action, e.g. key.disable. */
  action?: string;
}

export interface AuditView {
  id: string;
  createdAt: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  clientIp: string | null;
  /** Redacted. */
  details: unknown;
}

const auditSelect = {
  id: true,
  createdAt: true,
  actor: true,
  action: true,
  targetType: true,
  targetId: true,
  targetName: true,
  clientIp: true,
  details: true,
} satisfies Prisma.AuditLogSelect;

function toView(row: Prisma.AuditLogGetPayload<{ select: typeof auditSelect }>): AuditView {
  return { ...row, id: row.id.toString(), createdAt: row.createdAt.toISOString(), details: redactJson(row.details) };
}

/** Newest first. */
export async function listAuditEntries(f: AuditFilter, take: number): Promise<AuditView[]> {
  const where: Prisma.AuditLogWhereInput = {
    createdAt: { gte: f.from, lt: f.to },
    ...(f.keyId ? { targetType: "key", targetId: f.keyId } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.text
      ? {
          OR: [
            { actor: { contains: f.text, mode: "insensitive" } },
            { action: { contains: f.text, mode: "insensitive" } },
            { targetName: { contains: f.text, mode: "insensitive" } },
            { clientIp: f.text },
          ],
        }
      : {}),
  };
  const rows = await getDb().auditLog.findMany({ where, select: auditSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  return rows.map(toView);
}

export async function getAuditEntry(id: bigint): Promise<AuditView | null> {
  const row = await getDb().auditLog.findUnique({ where: { id }, select: auditSelect });
  return row ? toView(row) : null;
}
