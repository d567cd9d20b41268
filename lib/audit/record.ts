// Who changed what: every change to a key, token or admin is written to the audit log
// (lib/audit/repository.ts) by the service that made it, whoever asked for it.
import type { Prisma } from "@/generated/prisma/client";
import { insertAuditEntry } from "./repository";

/** Who is acting, for the audit log: "admin:<email>", "token:<name>" or "cli". */
export interface Actor {
  actor: string;
  ip?: string | null;
}

export type AuditAction =
  | "key.create"
  | "key.update"
  | "key.enable"
  | "key.disable"
  | "key.rotate"
  | "key.delete"
  | "token.create"
  | "token.revoke"
  | "admin.create"
  | "admin.password";

export function recordAudit(
  who: Actor,
  action: AuditAction,
  target: { type: "key" | "token" | "admin"; id: string; name: string },
  details?: Prisma.InputJsonValue,
): Promise<void> {
  return insertAuditEntry({
    actor: who.actor,
    action,
    targetType: target.type,
    targetId: target.id,
    targetName: target.name,
    clientIp: who.ip ?? null,
    details,
  });
}
