// OpenAI error responses → what the gateway's client sees. OpenAI's body is already the
// shape /v1 returns, so it passes through with its status, except:
//  - 401/403 authentication failures concern the gateway's own OpenAI key, not the
//    client's: they become a 502 (the client's key is fine; the gateway is misconfigured),
//    and OpenAI's message (which quotes part of that key) is not passed on;
//  - a body that is not OpenAI's error shape (a proxy's HTML page) gets a generic message.
// @see https://platform.openai.com/docs/guides/error-codes
import { openAIError, providerAuthError, type MappedError } from "../types";

export function mapError(status: number, body: unknown): MappedError {
  const error = body && typeof body === "object" ? (body as { error?: unknown }).error : undefined;
  const e = error && typeof error === "object" ? (error as Record<string, unknown>) : null;
  const code = typeof e?.code === "string" ? e.code : null;
  if (status === 401 || (status === 403 && (code === "invalid_api_key" || code === "invalid_organization"))) {
    return providerAuthError("OpenAI", "OPENAI_API_KEY");
  }
  if (e && typeof e.message === "string") {
    return openAIError(status, e.message, typeof e.type === "string" ? e.type : "invalid_request_error", code, typeof e.param === "string" ? e.param : null);
  }
  const type = status >= 500 ? "upstream_error" : "invalid_request_error";
  return openAIError(status, `OpenAI answered with HTTP ${status}.`, type, `upstream_${status}`);
}
