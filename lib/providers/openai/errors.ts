// OpenAI error responses → what the gateway's client sees. OpenAI's body is already the
// shape /v1 returns, so it passes through with its status, except:
//  - 401/403 authentication failures concern the gateway's own OpenAI key, not the
//    client's: they become a 502 (the client's key is fine; the gateway is misconfigured),
//    and OpenAI's message (which quotes part of that key) is not passed on;
//  - OpenAI's own failures (5xx) become 502 `upstream_error`, and 503 ("The engine is
//    currently overloaded") 503 `upstream_overloaded`, OpenAI's message kept: a provider's
//    500 is not the gateway's. 502 and 504 usually come from Cloudflare in front of the API
//    (type cf_bad_gateway / cf_gateway_timeout, the status as a numeric code);
//  - a body that is not OpenAI's error shape (a proxy's HTML page) gets a generic message.
// @see https://platform.openai.com/docs/guides/error-codes
import { openAIError, providerAuthError, upstreamFailureFor, type MappedError } from "../types";

export function mapError(status: number, body: unknown): MappedError {
  const error = body && typeof body === "object" ? (body as { error?: unknown }).error : undefined;
  const e = error && typeof error === "object" ? (error as Record<string, unknown>) : null;
  const code = typeof e?.code === "string" ? e.code : null;
  const message = typeof e?.message === "string" ? e.message : null;
  if (status === 401 || (status === 403 && (code === "invalid_api_key" || code === "invalid_organization"))) {
    return providerAuthError("OpenAI", "OPENAI_API_KEY");
  }
  if (status >= 500) {
    const failure = upstreamFailureFor(status);
    return openAIError(failure.status, message ?? `OpenAI answered with HTTP ${status}.`, failure.type, failure.code);
  }
  if (e && message !== null) {
    return openAIError(status, message, typeof e.type === "string" ? e.type : "invalid_request_error", code, typeof e.param === "string" ? e.param : null);
  }
  return openAIError(status, `OpenAI answered with HTTP ${status}.`, "invalid_request_error", `upstream_${status}`);
}
