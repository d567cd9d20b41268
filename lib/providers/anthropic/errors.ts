// Anthropic error responses (and `error` stream events) → OpenAI's error shape.
// @see https://platform.claude.com/docs/en/api/errors
//
// Status policy (shared with every adapter, see UPSTREAM_FAILURES):
// - client-side problems keep their meaning: 400, 402, 403, 404, 413, 429;
// - an HTTP 5xx is decided by its status: 529 overloaded_error (and a 503) become 503
//   `upstream_overloaded` (529 is not a standard status, and OpenAI clients already treat
//   503 as "temporarily unavailable, retry"); 500 api_error, 504 timeout_error and any
//   other 5xx become 502 `upstream_error`: the upstream failed, not the gateway;
// - an `error` event inside a stream has no status: its type decides the same way.
// 401 means the gateway's own Anthropic key is wrong: like every adapter, a 502
// `upstream_auth_failed` naming ANTHROPIC_API_KEY (the client's key is fine). 403 means that
// key may not use the resource: a 403 with a fixed message. Neither passes on the
// provider's text, which could describe the key.
import { openAIError, providerAuthError, UPSTREAM_FAILURES, upstreamFailureFor, type MappedError } from "../types";
import { isRecord, parseMaybeJson, redactSecrets } from "../provider-errors";

interface Rule {
  status: number;
  type: string;
  /** The gateway's code instead of Anthropic's error type. */
  code?: string;
}

const BY_TYPE: Record<string, Rule> = {
  invalid_request_error: { status: 400, type: "invalid_request_error" },
  // The gateway's own key was refused (see providerAuthError).
  authentication_error: { status: 502, type: "upstream_error" },
  billing_error: { status: 402, type: "billing_error" },
  permission_error: { status: 403, type: "permission_error" },
  not_found_error: { status: 404, type: "not_found_error" },
  request_too_large: { status: 413, type: "invalid_request_error" },
  rate_limit_error: { status: 429, type: "rate_limit_error" },
  api_error: UPSTREAM_FAILURES.failed,
  timeout_error: UPSTREAM_FAILURES.failed,
  overloaded_error: UPSTREAM_FAILURES.overloaded,
};

function ruleForStatus(status: number): Rule {
  if (status >= 500) return upstreamFailureFor(status);
  if (status === 401) return BY_TYPE.authentication_error;
  if (status === 402) return BY_TYPE.billing_error;
  if (status === 403) return BY_TYPE.permission_error;
  if (status === 404) return BY_TYPE.not_found_error;
  if (status === 413) return BY_TYPE.request_too_large;
  if (status === 429) return BY_TYPE.rate_limit_error;
  if (status >= 400) return { status, type: "invalid_request_error" };
  return UPSTREAM_FAILURES.failed;
}

const FIXED_MESSAGES: Record<number, string> = {
  403: "The gateway's Anthropic key is not allowed to use this resource.",
};

/** Maps an HTTP error response from Anthropic (parsed JSON or raw text). */
export function mapError(status: number, body: unknown): MappedError {
  const parsed = parseMaybeJson(body);
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  const providerType = typeof error?.type === "string" ? error.type : undefined;
  const providerMessage = typeof error?.message === "string" ? error.message : undefined;
  const rule = (status < 500 && providerType && BY_TYPE[providerType]) || ruleForStatus(status);
  return build(rule, providerType ?? `http_${status}`, providerMessage, status);
}

/** Maps the payload of an `error` event received after the stream started (no HTTP status). */
export function mapStreamError(error: { type?: unknown; message?: unknown }): MappedError {
  const providerType = typeof error.type === "string" ? error.type : "api_error";
  const rule = BY_TYPE[providerType] ?? UPSTREAM_FAILURES.failed;
  return build(rule, providerType, typeof error.message === "string" ? error.message : undefined, undefined);
}

function build(rule: Rule, code: string, providerMessage: string | undefined, status: number | undefined): MappedError {
  if (rule === BY_TYPE.authentication_error) return providerAuthError("Anthropic", "ANTHROPIC_API_KEY");
  const fixed = FIXED_MESSAGES[rule.status];
  const message =
    fixed ??
    (providerMessage
      ? `Anthropic: ${redactSecrets(providerMessage)}`
      : `Anthropic returned an error${status ? ` (HTTP ${status})` : ""} without a message.`);
  return openAIError(rule.status, message, rule.type, rule.code ?? code);
}
