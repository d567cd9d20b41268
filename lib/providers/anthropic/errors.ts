// Anthropic error responses (and `error` stream events) → OpenAI's error shape.
// @see https://platform.claude.com/docs/en/api/errors
//
// Status policy (shared with every adapter, see upstreamFailureFor):
// - client-side problems keep their meaning: 400, 402, 403, 404, 413, 429, passed on with
//   Anthropic's error type as the code and recorded as `upstream_rejected` (a body without
//   one says `upstream_rejected` too);
// - an HTTP 5xx is decided by its status: 529 overloaded_error (and a 503) become 503
//   `upstream_overloaded` (529 is not a standard status, and OpenAI clients already treat
//   503 as "temporarily unavailable, retry"); 500 api_error, 504 timeout_error and any
//   other 5xx become 502 `upstream_error`: the upstream failed, not the gateway;
// - an `error` event inside a stream has no status: its type decides the same way.
// 401 means the gateway's own Anthropic key is wrong: like every adapter, a 502
// `upstream_auth_failed` naming ANTHROPIC_API_KEY (the client's key is fine). 403 means that
// key may not use the resource: a 403 with a fixed message. Neither passes on the
// provider's text, which could describe the key. Error bodies are read with the zod
// schemas in wire-types.ts.
import { mappedError, providerRefusal, type MappedError } from "@/lib/gateway/errors";
import { parseMaybeJson, providerAuthError, redactSecrets, upstreamFailureFor } from "../provider-errors";
import { errorBody, errorObject } from "./wire-types";

/** What an Anthropic error becomes: a failure of the gateway's table, or a refusal passed on. */
type Rule = "upstream_error" | "upstream_overloaded" | "upstream_auth_failed" | { status: number; type: string };

const BY_TYPE: Record<string, Rule> = {
  invalid_request_error: { status: 400, type: "invalid_request_error" },
  // The gateway's own key was refused (see providerAuthError).
  authentication_error: "upstream_auth_failed",
  billing_error: { status: 402, type: "billing_error" },
  permission_error: { status: 403, type: "permission_error" },
  not_found_error: { status: 404, type: "not_found_error" },
  request_too_large: { status: 413, type: "invalid_request_error" },
  rate_limit_error: { status: 429, type: "rate_limit_error" },
  api_error: "upstream_error",
  timeout_error: "upstream_error",
  overloaded_error: "upstream_overloaded",
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
  return "upstream_error";
}

const FIXED_MESSAGES: Record<number, string> = {
  403: "The gateway's Anthropic key is not allowed to use this resource.",
};

/** Maps an HTTP error response from Anthropic (parsed JSON or raw text). */
export function mapError(status: number, body: unknown): MappedError {
  const parsed = errorBody.safeParse(parseMaybeJson(body));
  const error = parsed.success ? parsed.data.error : undefined;
  const rule = (status < 500 && error?.type && BY_TYPE[error.type]) || ruleForStatus(status);
  return build(rule, error?.type, error?.message, status);
}

/** Maps the payload of an `error` event received after the stream started (no HTTP status). */
export function mapStreamError(error: unknown): MappedError {
  const parsed = errorObject.safeParse(error);
  const providerType = (parsed.success && parsed.data.type) || "api_error";
  return build(BY_TYPE[providerType] ?? "upstream_error", providerType, parsed.success ? parsed.data.message : undefined, undefined);
}

function build(rule: Rule, providerType: string | undefined, providerMessage: string | undefined, status: number | undefined): MappedError {
  if (rule === "upstream_auth_failed") return providerAuthError("Anthropic", "ANTHROPIC_API_KEY", providerType);
  const message = providerMessage
    ? `Anthropic: ${redactSecrets(providerMessage)}`
    : `Anthropic returned an error${status ? ` (HTTP ${status})` : ""} without a message.`;
  if (typeof rule === "string") return mappedError(rule, message, { providerCode: providerType });
  return providerRefusal(rule.status, FIXED_MESSAGES[rule.status] ?? message, { type: rule.type, code: providerType });
}
