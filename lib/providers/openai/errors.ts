// OpenAI error responses → what the gateway's client sees. OpenAI's body is already the
// shape /v1 returns, so a refusal passes through with its status, type, code and message
// (recorded as upstream_rejected, see lib/gateway/errors.ts), except:
//  - 401/403 authentication failures concern the gateway's own OpenAI key, not the
//    client's: they become 502 `upstream_auth_failed` (the client's key is fine; the
//    gateway is misconfigured), and OpenAI's message (which quotes part of that key) is
//    not passed on;
//  - OpenAI's own failures (5xx) become 502 `upstream_error`, and 503 ("The engine is
//    currently overloaded") 503 `upstream_overloaded`, OpenAI's message kept: a provider's
//    500 is not the gateway's. 502 and 504 usually come from Cloudflare in front of the API
//    (type cf_bad_gateway / cf_gateway_timeout, the status as a numeric code);
//  - a body that is not OpenAI's error shape (a proxy's HTML page) gets a generic message.
// An error event inside a stream reaches the client as OpenAI sent it (stream.ts); it is
// recorded as upstream_stream_error.
// @see https://platform.openai.com/docs/guides/error-codes
import { mappedError, providerRefusal, type MappedError } from "@/lib/gateway/errors";
import { parseMaybeJson, providerAuthError, upstreamFailureFor } from "../provider-errors";
import { errorBody, errorObject } from "./wire-types";

const AUTH_CODES = new Set(["invalid_api_key", "invalid_organization"]);

export function mapError(status: number, body: unknown): MappedError {
  const parsed = errorBody.safeParse(parseMaybeJson(body));
  const error = parsed.success ? parsed.data.error : undefined;
  const code = typeof error?.code === "string" ? error.code : undefined;
  if (status === 401 || (status === 403 && code !== undefined && AUTH_CODES.has(code))) return providerAuthError("OpenAI", "OPENAI_API_KEY", code);
  if (status >= 500) return mappedError(upstreamFailureFor(status), error?.message ?? `OpenAI answered with HTTP ${status}.`, { providerCode: code ?? error?.type });
  if (error?.message !== undefined) {
    return providerRefusal(status, error.message, { type: error.type ?? "invalid_request_error", code: code ?? null, param: error.param ?? null });
  }
  return providerRefusal(status, `OpenAI answered with HTTP ${status}.`, { type: "invalid_request_error" });
}

/** An error event inside a stream (`{"error": {…}}`), as the record keeps it. */
export function mapStreamError(error: unknown): MappedError {
  const parsed = errorObject.safeParse(error);
  const e = parsed.success ? parsed.data : undefined;
  const code = typeof e?.code === "string" ? e.code : undefined;
  return mappedError("upstream_stream_error", e?.message ?? "upstream error", { providerCode: code ?? e?.type });
}
