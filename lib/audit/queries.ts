// Read side of the audit log for the console's logs page.
import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { redactJson } from "@/lib/redact";
import { getDb } from "@/lib/db/client";

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
