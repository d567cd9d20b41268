// The logs page's one timeline over three sources: failed requests (request_logs),
// events (security and system) and the audit log. Each source is queried newest-first
// for just enough rows, then merged; pages are offset-based and capped.
import "server-only";
import { getAuditEntry, listAuditEntries, type AuditView } from "@/lib/audit/repository";
import { getEvent, listEvents, type EventView } from "@/lib/events/repository";
import { getRequestLog, listRequestErrors, requestLevel, type RequestLogView } from "@/lib/usage/request-log-reads";
import { typeFilterTargets } from "./log-types";

export const LOG_KINDS = ["request", "security", "system", "audit"] as const;
export type LogKind = (typeof LOG_KINDS)[number];
export const LOG_LEVELS = ["info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_PAGE_SIZE = 50;
export const LOG_MAX_PAGE = 100;

export interface LogFilter {
  from: Date;
  to: Date;
  kind?: LogKind;
  level?: LogLevel;
  keyId?: string;
  text?: string;
  /** An event type, request error code or audit action (lib/console/log-types.ts). */
  type?: string;
}

export interface LogEntry {
  kind: LogKind;
  id: string;
  createdAt: string;
  level: LogLevel;
  /** error code, event type or audit action */
  type: string;
  /** Redacted summary. */
  message: string;
  keyId: string | null;
  keyName: string | null;
  clientIp: string | null;
  status?: number;
  actor?: string;
}

export async function listLogEntries(f: LogFilter, page: number, pageSize = LOG_PAGE_SIZE): Promise<{ entries: LogEntry[]; hasMore: boolean }> {
  const take = Math.min(page, LOG_MAX_PAGE) * pageSize + 1;
  const wants = (kind: LogKind) => !f.kind || f.kind === kind;
  const text = f.text?.trim() || undefined;
  const type = f.type ? typeFilterTargets(f.type) : undefined;

  const [requests, security, system, audit] = await Promise.all([
    wants("request") && f.level !== "info"
      ? listRequestErrors({ from: f.from, to: f.to, level: f.level, keyId: f.keyId, text, codes: type?.requestCodes }, take)
      : [],
    wants("security") ? listEvents({ from: f.from, to: f.to, category: "security", level: f.level, keyId: f.keyId, text, type: type?.eventType }, take) : [],
    wants("system") ? listEvents({ from: f.from, to: f.to, category: "system", level: f.level, keyId: f.keyId, text, type: type?.eventType }, take) : [],
    wants("audit") && (!f.level || f.level === "info")
      ? listAuditEntries({ from: f.from, to: f.to, keyId: f.keyId, text, action: type?.auditAction }, take)
      : [],
  ]);

  const merged: LogEntry[] = [
    ...requests.map((r) => ({
      kind: "request" as const,
      id: r.id,
      createdAt: r.createdAt,
      level: requestLevel(r),
      type: r.errorCode ?? String(r.status),
      message: r.errorMessage ?? `${r.method} ${r.path} → ${r.status}`,
      keyId: r.keyId,
      keyName: r.keyName,
      clientIp: r.clientIp,
      status: r.status,
    })),
    ...[...security, ...system].map((e) => ({
      kind: e.category,
      id: e.id,
      createdAt: e.createdAt,
      level: e.level,
      type: e.type,
      message: e.message,
      keyId: e.keyId,
      keyName: e.keyName,
      clientIp: e.clientIp,
    })),
    ...audit.map((a) => ({
      kind: "audit" as const,
      id: a.id,
      createdAt: a.createdAt,
      level: "info" as const,
      type: a.action,
      message: `${a.actor}: ${a.targetType} ${a.targetName ?? a.targetId ?? ""}`.trim(),
      keyId: a.targetType === "key" ? a.targetId : null,
      keyName: a.targetType === "key" ? a.targetName : null,
      clientIp: a.clientIp,
      actor: a.actor,
    })),
  ];
  merged.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const start = (Math.min(page, LOG_MAX_PAGE) - 1) * pageSize;
  return { entries: merged.slice(start, start + pageSize), hasMore: merged.length > start + pageSize && page < LOG_MAX_PAGE };
}

export type LogDetail =
  | { kind: "request"; entry: RequestLogView }
  | { kind: "security" | "system"; entry: EventView }
  | { kind: "audit"; entry: AuditView };

/** One log entry by kind and id, or null (unknown kind, malformed id, or no such row). */
export async function getLogDetail(kind: string, id: string): Promise<LogDetail | null> {
  if (!/^\d{1,19}$/.test(id)) return null;
  const n = BigInt(id);
  if (kind === "request") {
    const entry = await getRequestLog(n);
    return entry ? { kind, entry } : null;
  }
  if (kind === "security" || kind === "system") {
    const entry = await getEvent(n);
    return entry && entry.category === kind ? { kind, entry } : null;
  }
  if (kind === "audit") {
    const entry = await getAuditEntry(n);
    return entry ? { kind, entry } : null;
  }
  return null;
}
