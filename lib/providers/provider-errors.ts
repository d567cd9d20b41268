// Helpers shared by the adapters' error mappers. A provider's error message is forwarded to
// the client only after anything shaped like an API key is cut out of it, and only up to a
// bounded length: some upstreams (and proxies in front of them) echo request data.

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
