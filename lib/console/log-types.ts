// The kinds of things the logs page lists, named as their writers name them: event types
// (lib/gateway/errors.ts, lib/auth/authorize.ts), request_logs.error_code values of the
// gateway's own errors (lib/gateway/errors.ts) and audit actions (lib/audit/record.ts).
// Each has a label in messages/*.json under logs.types (audit actions with "_" for ".").
// Codes nobody listed here (a provider's own error codes) are shown as they are.
import type { AuditAction } from "@/lib/audit/record";
import type { GatewayErrorCode } from "@/lib/gateway/errors";
import { isMessageKey, type Translate } from "@/lib/i18n/translate";

/** Security events, each with the request_logs codes of the same refusals. */
export const SECURITY_TYPES = {
  invalid_api_key: ["invalid_api_key", "missing_api_key", "malformed_api_key"],
  key_disabled: ["api_key_disabled"],
  key_expired: ["api_key_expired"],
  ip_not_allowed: ["ip_not_allowed"],
  model_not_allowed: ["model_not_allowed"],
  daily_quota_exceeded: ["daily_quota_exceeded"],
  rate_limited: ["rate_limit_exceeded"],
  host_not_allowed: ["host_not_allowed"],
  signin_failed: [],
  signin_rate_limited: [],
  signin_succeeded: [],
  signed_out: [],
  local_credential_refused: [],
} as const satisfies Record<string, readonly GatewayErrorCode[]>;

/** System events, each with the request_logs codes of the failed requests behind them. */
export const SYSTEM_TYPES = {
  upstream_error: ["upstream_unreachable", "upstream_bad_response", "upstream_stream_error", "upstream_timeout", "upstream_error", "upstream_overloaded"],
  provider_not_configured: ["provider_not_configured"],
  limits_unavailable: ["limits_unavailable"],
  internal_error: ["internal_error"],
} as const satisfies Record<string, readonly GatewayErrorCode[]>;

/** The gateway's request errors that have no event of their own. */
export const REQUEST_CODES = ["invalid_json", "invalid_request", "request_too_large", "model_not_found", "unknown_url", "method_not_allowed", "request_timeout", "client_closed_request"] as const satisfies readonly GatewayErrorCode[];

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

// Compile-time completeness: a new gateway error code or audit action must be placed above.
type Listed = (typeof SECURITY_TYPES)[keyof typeof SECURITY_TYPES][number] | (typeof SYSTEM_TYPES)[keyof typeof SYSTEM_TYPES][number] | (typeof REQUEST_CODES)[number];
// Both sides are `never` while the lists are complete, which is what the check wants.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents, @typescript-eslint/no-duplicate-type-constituents
type Unlisted = Exclude<GatewayErrorCode, Listed> | Exclude<AuditAction, (typeof AUDIT_ACTIONS)[number]>;
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
