// Gemini error responses (google.rpc.Status) and mid-stream errors → OpenAI's error shape.
// @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
// @see https://cloud.google.com/apis/design/errors (google.rpc.Status, ErrorInfo)
//
// Status policy (shared with every adapter, see UPSTREAM_FAILURES): client-side problems
// keep their meaning (400, 402, 403, 404, 429); an HTTP 5xx is decided by its status:
// 503 (UNAVAILABLE: overloaded) becomes 503 `upstream_overloaded`, 500 INTERNAL, 504
// DEADLINE_EXCEEDED and any other 5xx 502 `upstream_error`. An error inside a stream has
// no HTTP status: its google.rpc status decides the same way (UNAVAILABLE overloaded;
// INTERNAL, UNKNOWN, CANCELLED, DEADLINE_EXCEEDED failed).
// Gemini reports a wrong key as 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID
// and a missing one as 403 PERMISSION_DENIED ("unregistered callers"); both (and 401
// UNAUTHENTICATED) mean the gateway's own key is wrong: like every adapter, a 502
// `upstream_auth_failed` naming GOOGLE_API_KEY, since the client's key is fine.
// A 429 carries how long to wait in a RetryInfo detail, not in a Retry-After header; it is
// passed on as retryAfterSeconds so the client still gets Retry-After.
import { openAIError, providerAuthError, UPSTREAM_FAILURES, upstreamFailureFor, type MappedError } from "../types";
import { isRecord, parseMaybeJson, redactSecrets } from "../provider-errors";
import type { GoogleRpcStatus } from "./wire-types";

interface Rule {
  status: number;
  type: string;
  /** The gateway's code instead of Google's status name. */
  code?: string;
}

/** The gateway's own key was refused (see providerAuthError). */
const AUTH: Rule = { status: 502, type: "upstream_error" };

const BY_STATUS: Record<string, Rule> = {
  INVALID_ARGUMENT: { status: 400, type: "invalid_request_error" },
  FAILED_PRECONDITION: { status: 400, type: "invalid_request_error" },
  OUT_OF_RANGE: { status: 400, type: "invalid_request_error" },
  UNAUTHENTICATED: AUTH,
  PERMISSION_DENIED: { status: 403, type: "permission_error" },
  NOT_FOUND: { status: 404, type: "not_found_error" },
  RESOURCE_EXHAUSTED: { status: 429, type: "rate_limit_error" },
  CANCELLED: UPSTREAM_FAILURES.failed,
  UNKNOWN: UPSTREAM_FAILURES.failed,
  INTERNAL: UPSTREAM_FAILURES.failed,
  UNAVAILABLE: UPSTREAM_FAILURES.overloaded,
  DEADLINE_EXCEEDED: UPSTREAM_FAILURES.failed,
};

const BILLING: Rule = { status: 402, type: "billing_error" };

function ruleForHttpStatus(status: number): Rule {
  if (status >= 500) return upstreamFailureFor(status);
  if (status === 401) return AUTH;
  if (status === 402) return BILLING;
  if (status === 403) return BY_STATUS.PERMISSION_DENIED;
  if (status === 404) return BY_STATUS.NOT_FOUND;
  if (status === 429) return BY_STATUS.RESOURCE_EXHAUSTED;
  if (status >= 400) return BY_STATUS.INVALID_ARGUMENT;
  return UPSTREAM_FAILURES.failed;
}

const FIXED_MESSAGES: Record<number, string> = {
  403: "The gateway's Google API key is not allowed to use this resource.",
};

/** Maps an HTTP error response from Gemini (parsed JSON or raw text). */
export function mapError(status: number, body: unknown): MappedError {
  let parsed = parseMaybeJson(body);
  // streamGenerateContent without alt=sse wraps everything, errors included, in an array.
  if (Array.isArray(parsed)) parsed = parsed[0];
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  if (!error) return build(ruleForHttpStatus(status), `http_${status}`, undefined, status);
  return mapStatus(error, status);
}

/** Maps the google.rpc.Status of an error received after the stream started (no HTTP status). */
export function mapStreamError(error: GoogleRpcStatus | Record<string, unknown>): MappedError {
  return mapStatus(error, undefined);
}

/** Maps a google.rpc.Status, from an error body or from a stream event (no HTTP status). */
function mapStatus(error: GoogleRpcStatus | Record<string, unknown>, httpStatus: number | undefined): MappedError {
  const rpc = error as GoogleRpcStatus;
  const status = typeof rpc.status === "string" ? rpc.status : undefined;
  const code = httpStatus ?? (typeof rpc.code === "number" ? rpc.code : 500);
  const message = typeof rpc.message === "string" ? rpc.message : undefined;
  const reason = Array.isArray(rpc.details)
    ? rpc.details.find((d) => isRecord(d) && typeof d.reason === "string")?.reason
    : undefined;

  let rule: Rule;
  if (reason === "API_KEY_INVALID" || (status === "PERMISSION_DENIED" && /unregistered callers/i.test(message ?? ""))) rule = AUTH;
  else if (code === 402) rule = BILLING;
  else if (httpStatus !== undefined && httpStatus >= 500) rule = upstreamFailureFor(httpStatus);
  else rule = (status && BY_STATUS[status]) || ruleForHttpStatus(code);
  const mapped = build(rule, reason ?? status ?? `http_${code}`, message, code);
  const retryAfter = retryDelaySeconds(rpc.details);
  return retryAfter === undefined ? mapped : { ...mapped, retryAfterSeconds: retryAfter };
}

/** RetryInfo.retryDelay ("17s", "0.5s": a google.protobuf.Duration in JSON), rounded up to whole seconds. */
function retryDelaySeconds(details: GoogleRpcStatus["details"]): number | undefined {
  const info = details?.find((d) => isRecord(d) && d["@type"] === "type.googleapis.com/google.rpc.RetryInfo");
  const match = typeof info?.retryDelay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(info.retryDelay) : null;
  return match ? Math.max(1, Math.ceil(Number(match[1]))) : undefined;
}

function build(rule: Rule, code: string, providerMessage: string | undefined, status: number): MappedError {
  if (rule === AUTH) return providerAuthError("Google", "GOOGLE_API_KEY");
  const fixed = FIXED_MESSAGES[rule.status];
  const message =
    fixed ?? (providerMessage ? `Gemini: ${redactSecrets(providerMessage)}` : `Gemini returned an error (HTTP ${status}) without a message.`);
  return openAIError(rule.status, message, rule.type, rule.code ?? code);
}
