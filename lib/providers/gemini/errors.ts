// Gemini error responses (google.rpc.Status) and mid-stream errors → OpenAI's error shape.
// @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
// @see https://cloud.google.com/apis/design/errors (google.rpc.Status, ErrorInfo)
//
// Status policy (shared with every adapter, see upstreamFailureFor): client-side problems
// keep their meaning (400, 402, 403, 404, 429), passed on with the ErrorInfo reason or the
// Status name as the code and recorded as `upstream_rejected` (a body without one says
// `upstream_rejected` too); an HTTP 5xx is decided by its status:
// 503 (UNAVAILABLE: overloaded) becomes 503 `upstream_overloaded`, 500 INTERNAL, 504
// DEADLINE_EXCEEDED and any other 5xx 502 `upstream_error`. An error inside a stream has
// no HTTP status: its google.rpc status decides the same way (UNAVAILABLE overloaded;
// INTERNAL, UNKNOWN, CANCELLED, DEADLINE_EXCEEDED failed).
// Gemini reports a wrong key as 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID
// and a missing one as 403 PERMISSION_DENIED ("unregistered callers"); both (and 401
// UNAUTHENTICATED) mean the gateway's own key is wrong: like every adapter, a 502
// `upstream_auth_failed` naming GOOGLE_API_KEY, since the client's key is fine.
// A 429 carries how long to wait in a RetryInfo detail, not in a Retry-After header; it is
// passed on as retryAfterSeconds so the client still gets Retry-After. Error bodies are read
// with the zod schemas in wire-types.ts.
import { mappedError, providerRefusal, type MappedError } from "@/lib/gateway/errors";
import { parseMaybeJson, providerAuthError, redactSecrets, upstreamFailureFor } from "../provider-errors";
import { errorBody, rpcStatus, type GoogleRpcStatus } from "./wire-types";

/** What a Gemini error becomes: a failure of the gateway's table, or a refusal passed on. */
type Rule = "upstream_error" | "upstream_overloaded" | "upstream_auth_failed" | { status: number; type: string };

const BY_STATUS: Record<string, Rule> = {
  INVALID_ARGUMENT: { status: 400, type: "invalid_request_error" },
  FAILED_PRECONDITION: { status: 400, type: "invalid_request_error" },
  OUT_OF_RANGE: { status: 400, type: "invalid_request_error" },
  // The gateway's own key was refused (see providerAuthError).
  UNAUTHENTICATED: "upstream_auth_failed",
  PERMISSION_DENIED: { status: 403, type: "permission_error" },
  NOT_FOUND: { status: 404, type: "not_found_error" },
  RESOURCE_EXHAUSTED: { status: 429, type: "rate_limit_error" },
  CANCELLED: "upstream_error",
  UNKNOWN: "upstream_error",
  INTERNAL: "upstream_error",
  UNAVAILABLE: "upstream_overloaded",
  DEADLINE_EXCEEDED: "upstream_error",
};

const BILLING: Rule = { status: 402, type: "billing_error" };

function ruleForHttpStatus(status: number): Rule {
  if (status >= 500) return upstreamFailureFor(status);
  if (status === 401) return "upstream_auth_failed";
  if (status === 402) return BILLING;
  if (status === 403) return BY_STATUS.PERMISSION_DENIED;
  if (status === 404) return BY_STATUS.NOT_FOUND;
  if (status === 429) return BY_STATUS.RESOURCE_EXHAUSTED;
  if (status >= 400) return BY_STATUS.INVALID_ARGUMENT;
  return "upstream_error";
}

const FIXED_MESSAGES: Record<number, string> = {
  403: "The gateway's Google API key is not allowed to use this resource.",
};

/** Maps an HTTP error response from Gemini (parsed JSON or raw text). */
export function mapError(status: number, body: unknown): MappedError {
  let json = parseMaybeJson(body);
  // streamGenerateContent without alt=sse wraps everything, errors included, in an array.
  if (Array.isArray(json)) json = json[0];
  const parsed = errorBody.safeParse(json);
  if (!parsed.success) return build(ruleForHttpStatus(status), undefined, undefined, status);
  return mapStatus(parsed.data.error, status);
}

/** Maps the google.rpc.Status of an error received after the stream started (no HTTP status). */
export function mapStreamError(error: unknown): MappedError {
  const parsed = rpcStatus.safeParse(error);
  return mapStatus(parsed.success ? parsed.data : {}, undefined);
}

/** Maps a google.rpc.Status, from an error body or from a stream event (no HTTP status). */
function mapStatus(rpc: GoogleRpcStatus, httpStatus: number | undefined): MappedError {
  const code = httpStatus ?? rpc.code ?? 500;
  const reason = rpc.details?.find((d) => d.reason !== undefined)?.reason;
  let rule: Rule;
  if (reason === "API_KEY_INVALID" || (rpc.status === "PERMISSION_DENIED" && /unregistered callers/i.test(rpc.message ?? ""))) rule = "upstream_auth_failed";
  else if (code === 402) rule = BILLING;
  else if (httpStatus !== undefined && httpStatus >= 500) rule = upstreamFailureFor(httpStatus);
  else rule = (rpc.status && BY_STATUS[rpc.status]) || ruleForHttpStatus(code);
  const mapped = build(rule, reason ?? rpc.status, rpc.message, code);
  const retryAfter = retryDelaySeconds(rpc.details);
  return retryAfter === undefined ? mapped : { ...mapped, retryAfterSeconds: retryAfter };
}

/** RetryInfo.retryDelay ("17s", "0.5s": a google.protobuf.Duration in JSON), rounded up to whole seconds. */
function retryDelaySeconds(details: GoogleRpcStatus["details"]): number | undefined {
  const info = details?.find((d) => d["@type"] === "type.googleapis.com/google.rpc.RetryInfo");
  const match = info?.retryDelay !== undefined ? /^(\d+(?:\.\d+)?)s$/.exec(info.retryDelay) : null;
  return match ? Math.max(1, Math.ceil(Number(match[1]))) : undefined;
}

function build(rule: Rule, providerCode: string | undefined, providerMessage: string | undefined, status: number): MappedError {
  if (rule === "upstream_auth_failed") return providerAuthError("Google", "GOOGLE_API_KEY", providerCode);
  const message = providerMessage ? `Gemini: ${redactSecrets(providerMessage)}` : `Gemini returned an error (HTTP ${status}) without a message.`;
  if (typeof rule === "string") return mappedError(rule, message, { providerCode });
  return providerRefusal(rule.status, FIXED_MESSAGES[rule.status] ?? message, { type: rule.type, code: providerCode });
}
