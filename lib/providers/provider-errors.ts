// Helpers shared by the adapters' error mappers. A provider's error message is forwarded to
// the client only after anything shaped like an API key is cut out of it, and only up to a
// bounded length: some upstreams (and proxies in front of them) echo request data.
import type { z } from "zod";
import { mappedError, type MappedError } from "@/lib/gateway/errors";

/**
 * The provider refused the gateway's own credentials. Every adapter answers this the same
 * way: the client's key is fine and retrying cannot help, so it is a 502 that names the
 * variable to fix, never a 401 (which an OpenAI client reads as "your key is wrong"), and
 * it never passes on the provider's text, which could describe the key.
 */
export function providerAuthError(provider: string, keyVariable: string, providerCode?: string): MappedError {
  return mappedError(
    "upstream_auth_failed",
    `The gateway's ${provider} credentials were refused by ${provider}; ask the gateway's administrator to check ${keyVariable}.`,
    { providerCode },
  );
}

/**
 * How a provider's own failure (an HTTP 5xx) reaches the client, for every adapter: never
 * as our 500, always with the provider's message. 503 (and Anthropic's 529
 * overloaded_error) means busy, worth a retry later; 500, 502, 504 and any other 5xx that
 * the provider failed, while the client's request may be fine.
 */
export function upstreamFailureFor(status: number): "upstream_error" | "upstream_overloaded" {
  return status === 503 || status === 529 ? "upstream_overloaded" : "upstream_error";
}

/**
 * A field of a provider's error body read leniently, as the adapters always have: a value of
 * another type counts as absent instead of failing the whole body.
 */
export const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const SECRET_PATTERNS = [
  /sk-ant-[A-Za-z0-9_-]{6,}/g, // Anthropic keys
  /AIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI-style keys, including this gateway's sk-akm_…
  /\b(?:Bearer|x-api-key:?|x-goog-api-key:?|key=)\s*[A-Za-z0-9._~+/=-]{8,}/gi,
];

const MAX_MESSAGE_LENGTH = 1000;

export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "[redacted]");
  return out.length > MAX_MESSAGE_LENGTH ? `${out.slice(0, MAX_MESSAGE_LENGTH)}…` : out;
}

/**
 * The gateway's own provider key, wherever an upstream's text quotes it, replaced. An exact
 * match, unlike the patterns above: it catches keys of any shape (a proxy's, an
 * OpenAI-compatible service's) and nothing else. For error texts only: applied to answers
 * it would garble any content that happens to contain a short key such as "ollama".
 */
export function redactKey(text: string, key: string): string {
  return key && text.includes(key) ? text.replaceAll(key, "[redacted]") : text;
}

/** A parsed JSON value (an error object) with redactKey applied to every string in it. */
export function redactKeyDeep<T>(value: T, key: string): T {
  if (typeof value === "string") return redactKey(value, key) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactKeyDeep(v, key)) as T;
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactKey(k, key), redactKeyDeep(v, key)])) as T;
  return value;
}

/** Parses a body that may still be raw text; returns it unchanged when it is not JSON. */
export function parseMaybeJson(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
