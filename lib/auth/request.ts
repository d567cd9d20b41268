// What the auth code needs to know about a request, believing X-Forwarded-* only when it
// came through a trusted proxy (TRUSTED_PROXIES), like lib/http/client-ip.ts.
import { fromTrustedProxy } from "@/lib/http/client-ip";

/** True when the browser talks HTTPS to us: only a trusted proxy can say so, our own server speaks HTTP. */
export function isSecureRequest(headers: Headers): boolean {
  if (!fromTrustedProxy(headers)) return false;
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return proto === "https";
}

/** The host the browser used: X-Forwarded-Host from a trusted proxy, else Host. */
export function requestHost(headers: Headers): string | null {
  const forwarded = fromTrustedProxy(headers) ? headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return forwarded || headers.get("host");
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request check for cookie-authenticated requests that change something.
 * SameSite=Lax already keeps the session cookie off cross-site POSTs; this also refuses
 * requests from other sites on the same registrable domain.
 */
export function isSameOriginRequest(method: string, headers: Headers): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  const site = headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = headers.get("origin");
  if (!origin) return false;
  try {
    return new URL(origin).host === requestHost(headers);
  } catch {
    return false;
  }
}

/** The value of one cookie in a Cookie header. */
export function readCookie(headers: Headers, name: string): string | undefined {
  const header = headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}
