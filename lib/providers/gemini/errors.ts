// Gemini error responses (google.rpc.Status) and mid-stream errors → OpenAI's error shape.
// @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
// @see https://cloud.google.com/apis/design/errors (google.rpc.Status, ErrorInfo)
//
// Status policy (the same as the Anthropic adapter's): client-side problems keep their
// meaning (400, 401, 402, 403, 404, 429); Google's own failures become 502 (INTERNAL,
// UNKNOWN, CANCELLED), 503 (UNAVAILABLE: overloaded) or 504 (DEADLINE_EXCEEDED).
// Gemini reports a wrong key as 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID
// and a missing one as 403 PERMISSION_DENIED ("unregistered callers"); both mean the
// gateway's provider key is wrong and become 401 with a fixed message.
import { openAIError, type MappedError } from "../types";
import { isRecord, parseMaybeJson, redactSecrets } from "../provider-errors";
import type { GoogleRpcStatus } from "./wire-types";

interface Rule {
  status: number;
  type: string;
}

const BY_STATUS: Record<string, Rule> = {
  INVALID_ARGUMENT: { status: 400, type: "invalid_request_error" },
  FAILED_PRECONDITION: { status: 400, type: "invalid_request_error" },
  OUT_OF_RANGE: { status: 400, type: "invalid_request_error" },
  UNAUTHENTICATED: { status: 401, type: "authentication_error" },
  PERMISSION_DENIED: { status: 403, type: "permission_error" },
  NOT_FOUND: { status: 404, type: "not_found_error" },
  RESOURCE_EXHAUSTED: { status: 429, type: "rate_limit_error" },
  CANCELLED: { status: 502, type: "server_error" },
  UNKNOWN: { status: 502, type: "server_error" },
  INTERNAL: { status: 502, type: "server_error" },
  UNAVAILABLE: { status: 503, type: "server_error" },
  DEADLINE_EXCEEDED: { status: 504, type: "server_error" },
};

const AUTH: Rule = { status: 401, type: "authentication_error" };
const BILLING: Rule = { status: 402, type: "billing_error" };

function ruleForHttpStatus(status: number): Rule {
  if (status === 401) return AUTH;
  if (status === 402) return BILLING;
  if (status === 403) return BY_STATUS.PERMISSION_DENIED;
  if (status === 404) return BY_STATUS.NOT_FOUND;
  if (status === 429) return BY_STATUS.RESOURCE_EXHAUSTED;
  if (status === 503) return BY_STATUS.UNAVAILABLE;
  if (status === 504) return BY_STATUS.DEADLINE_EXCEEDED;
  if (status >= 400 && status < 500) return BY_STATUS.INVALID_ARGUMENT;
  return BY_STATUS.INTERNAL;
}

const FIXED_MESSAGES: Record<number, string> = {
  401: "The Gemini API rejected the gateway's provider key. The gateway's operator must fix its Google configuration.",
  403: "The gateway's Google API key is not allowed to use this resource.",
};

/** Maps an HTTP error response from Gemini (parsed JSON or raw text). */
export function mapGeminiError(status: number, body: unknown): MappedError {
  let parsed = parseMaybeJson(body);
  // streamGenerateContent without alt=sse wraps everything, errors included, in an array.
  if (Array.isArray(parsed)) parsed = parsed[0];
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  if (!error) return build(ruleForHttpStatus(status), `http_${status}`, undefined, status);
  return mapGeminiStatus(error, status);
}

/** Maps a google.rpc.Status, from an error body or from a stream event (no HTTP status). */
export function mapGeminiStatus(error: GoogleRpcStatus | Record<string, unknown>, httpStatus: number | undefined): MappedError {
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
  else rule = (status && BY_STATUS[status]) || ruleForHttpStatus(code);
  return build(rule, reason ?? status ?? `http_${code}`, message, code);
}

function build(rule: Rule, code: string, providerMessage: string | undefined, status: number): MappedError {
  const fixed = FIXED_MESSAGES[rule.status];
  const message =
    fixed ?? (providerMessage ? `Gemini: ${redactSecrets(providerMessage)}` : `Gemini returned an error (HTTP ${status}) without a message.`);
  return openAIError(rule.status, message, rule.type, code);
}
