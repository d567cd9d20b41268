// The kinds of things the logs page lists, named as their writers name them: event types
// (lib/gateway/errors.ts, lib/auth/authorize.ts, lib/admin-api/auth.ts), request_logs.error_code
// values (lib/gateway/errors.ts) and audit actions (lib/audit/record.ts). Each has a label
// in messages/*.json under logs.types (audit actions with "_" for ".").
// What the gateway writes is read from its error table, so a new code is offered as a filter
// and found under its event without anyone listing it here; what other writers record is
// listed below. A code nobody listed (records older than the table) is shown as it is.
import type { AuditAction } from "@/lib/audit/record";
import { GATEWAY_ERRORS, type GatewayErrorCode } from "@/lib/gateway/errors";
import { isMessageKey, type Translate } from "@/lib/i18n/translate";

/** Security events of the console's sign-in and of the management API (no request behind them). */
const ACCOUNT_SECURITY_TYPES = ["signin_failed", "signin_rate_limited", "signin_succeeded", "signed_out", "local_credential_refused"] as const;

const table: Record<GatewayErrorCode, { status: number; security?: string; system?: string }> = GATEWAY_ERRORS;
const gatewayCodes = Object.keys(table) as GatewayErrorCode[];

/** Each event type the gateway writes, with the request_logs codes recorded with it. */
function codesByEvent(kind: "security" | "system"): Record<string, GatewayErrorCode[]> {
  const byEvent: Record<string, GatewayErrorCode[]> = {};
  for (const code of gatewayCodes) {
    const event = table[code][kind];
    if (event) (byEvent[event] ??= []).push(code);
  }
  return byEvent;
}

/** Security events, each with the request_logs codes of the same refusals. */
export const SECURITY_TYPES: Record<string, readonly GatewayErrorCode[]> = {
  ...codesByEvent("security"),
  ...Object.fromEntries(ACCOUNT_SECURITY_TYPES.map((type) => [type, []])),
};

/** System events, each with the request_logs codes of the failed requests behind them. */
export const SYSTEM_TYPES: Record<string, readonly GatewayErrorCode[]> = codesByEvent("system");

/** The gateway's request errors that have no event of their own. */
export const REQUEST_CODES: readonly GatewayErrorCode[] = gatewayCodes.filter((code) => !table[code].security && !table[code].system);

export const AUDIT_ACTIONS = [
  "key.create",
  "key.update",
  "key.enable",
  "key.disable",
  "key.rotate",
  "key.delete",
  "token.create",
  "token.revoke",
  "admin.create",
  "admin.password",
] as const satisfies readonly AuditAction[];

// Compile-time completeness: a new audit action must be placed above.
type Unlisted = Exclude<AuditAction, (typeof AUDIT_ACTIONS)[number]>;
export const LOG_TYPES_COMPLETE: [Unlisted] extends [never] ? true : Unlisted = true;

/** Every value the logs' type filter offers, grouped as the page shows them. */
export const LOG_TYPE_GROUPS = {
  security: Object.keys(SECURITY_TYPES),
  system: Object.keys(SYSTEM_TYPES),
  request: [...REQUEST_CODES],
  audit: [...AUDIT_ACTIONS],
} as const;

/** What a type filter matches in each source: an event type, request_logs codes, an audit action. */
export function typeFilterTargets(type: string): { eventType: string; requestCodes: string[]; auditAction: string } {
  const groups: Record<string, readonly string[]> = { ...SECURITY_TYPES, ...SYSTEM_TYPES };
  return { eventType: type, requestCodes: [...(groups[type] ?? [type])], auditAction: type };
}

/** The label of an event type, error code or audit action; null for codes without one. */
export function logTypeLabel(t: Translate, type: string): string | null {
  const key = `logs.types.${type.replace(/\./g, "_")}`;
  return isMessageKey(key) ? t(key) : null;
}
