// Masks secrets in text on its way out: recorded error messages and event and audit
// details (the console and the management API's lists), and errors the console logs.
// Applied on output, so rows written before a pattern was added are covered too. Keeps
// the well-known head (sk-proj-, AIza…) so an admin can tell what kind of credential it was.
const PATTERNS: RegExp[] = [
  // Authorization headers, whatever the token looks like.
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // Our own secrets (longer than the 6-character display prefix, which stays readable).
  /\bsk-akm_[A-Za-z0-9]{7,}/g,
  /\bakm_mt_[A-Za-z0-9]{7,}/g,
  // Provider keys: OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-…), Google (AIza…).
  /\bsk-(?:proj-|ant-(?:api\d+-|admin\d+-)?|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  // key=… / "api_key": "…" style pairs.
  /\b((?:api[_-]?key|x-api-key|x-goog-api-key|password|secret|token)["']?\s*[:=]\s*["']?)[^\s"',;&]{6,}/gi,
];

// The well-known start of a secret says what it was without giving away any of it.
const KNOWN_HEAD = /^(sk-akm_|akm_mt_|sk-proj-|sk-ant-|sk-svcacct-|sk-admin-|sk-|AIza)/;

function mask(match: string, ...groups: unknown[]): string {
  const label = typeof groups[0] === "string" ? groups[0] : undefined;
  if (label !== undefined) return /^(bearer|basic)$/i.test(label) ? `${label} [REDACTED]` : `${label}[REDACTED]`;
  return `${KNOWN_HEAD.exec(match)?.[1] ?? ""}…[REDACTED]`;
}

export function redactSecrets(text: string): string;
export function redactSecrets(text: string | null): string | null;
export function redactSecrets(text: string | null): string | null {
  if (!text) return text;
  let out = text;
  for (const pattern of PATTERNS) out = out.replace(pattern, mask);
  return out;
}

/** Redacts every string inside a JSON value (event details, audit details). */
export function redactJson(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, /^(api[_-]?key|password|secret|token|authorization)$/i.test(k) && typeof v === "string" ? "[REDACTED]" : redactJson(v)]),
    );
  }
  return value;
}
