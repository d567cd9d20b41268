// Secret formats for gateway API keys and management tokens.
//
//   sk-akm_<40 random base62 chars><6 char base62 CRC32>      (API key, 53 chars)
//   akm_mt_<40 random base62 chars><6 char base62 CRC32>      (management token)
//
// 40 base62 characters carry 238 bits; the display prefix reveals the first 6 (36 bits),
// leaving 202 secret bits. The CRC32 lets the gateway reject a mistyped or truncated key
// without a database query. At rest only the SHA-256 is kept: with this much entropy a
// slow hash adds nothing but latency to every request.
import { createHash, randomInt } from "node:crypto";
import { crc32 } from "node:zlib";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 40;
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
const DISPLAY_LENGTH = 6;

export const SECRET_KINDS = {
  apiKey: "sk-akm_",
  managementToken: "akm_mt_",
} as const;
export type SecretKind = keyof typeof SECRET_KINDS;

export type ParsedSecret =
  | { ok: true; secret: string; prefix: string; hash: string }
  | { ok: false; reason: "format" | "checksum" };

function toBase62(value: number, width: number): string {
  let out = "";
  for (let n = value; n > 0; n = Math.floor(n / 62)) out = ALPHABET[n % 62] + out;
  return out.padStart(width, "0");
}

function checksumOf(text: string): string {
  return toBase62(crc32(text), CHECKSUM_LENGTH);
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function displayPrefix(kind: SecretKind, secret: string): string {
  return secret.slice(0, SECRET_KINDS[kind].length + DISPLAY_LENGTH);
}

/** A new secret with its display prefix and hash; the secret itself is shown once and never stored. */
export function generateSecret(kind: SecretKind): { secret: string; prefix: string; hash: string } {
  const head = SECRET_KINDS[kind];
  let body = head;
  // randomInt is uniform (no modulo bias) and draws from the CSPRNG.
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[randomInt(62)];
  const secret = body + checksumOf(body);
  return { secret, prefix: displayPrefix(kind, secret), hash: hashSecret(secret) };
}

const PATTERNS: Record<SecretKind, RegExp> = {
  apiKey: new RegExp(`^${SECRET_KINDS.apiKey}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`),
  managementToken: new RegExp(`^${SECRET_KINDS.managementToken}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`),
};

/** Checks shape and checksum without any I/O. */
export function parseSecret(kind: SecretKind, candidate: string): ParsedSecret {
  if (!PATTERNS[kind].test(candidate)) return { ok: false, reason: "format" };
  const body = candidate.slice(0, -CHECKSUM_LENGTH);
  if (checksumOf(body) !== candidate.slice(-CHECKSUM_LENGTH)) return { ok: false, reason: "checksum" };
  return { ok: true, secret: candidate, prefix: displayPrefix(kind, candidate), hash: hashSecret(candidate) };
}
