// Runs for the console's pages only (see `config.matcher`): sends signed-out visitors of
// /admin to the sign-in page and sets security headers. It is a convenience, not the
// guard: every page, action and route checks the session itself (lib/auth/session.ts),
// and /v1 and /api/admin never pass through here (ARCHITECTURE.md: it would cost the
// gateway throughput, and a proxy must not be the only authorisation check).
import { NextResponse, type NextRequest } from "next/server";
import { isSecureRequest } from "@akm/core/auth/request";
import { getEnv } from "@akm/core/config/env";

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function contentSecurityPolicy(nonce: string, secure: boolean): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts loaded by Next's nonce'd scripts may load further chunks.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${getEnv().NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (progress bars, chart sizing) are harmless enough to allow.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // Only when served over HTTPS: on plain HTTP it would break every asset.
    ...(secure ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const secure = isSecureRequest(request.headers);

  if ((pathname === "/admin" || pathname.startsWith("/admin/")) && !SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const target = new URL("/signin", request.url);
    target.search = new URLSearchParams({ callbackUrl: pathname + search }).toString();
    // Next turns a same-host redirect into a relative Location, so the scheme and host the
    // browser used (perhaps through a proxy) are kept.
    return NextResponse.redirect(target);
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, secure);
  const requestHeaders = new Headers(request.headers);
  // Next reads the nonce from the request's CSP header and puts it on its own scripts.
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "same-origin");
  response.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  response.headers.set("Cross-Origin-Opener-Policy", "same-origin");
  response.headers.set("Cache-Control", "private, no-store");
  if (secure) response.headers.set("Strict-Transport-Security", "max-age=31536000");
  return response;
}

export const config = {
  matcher: ["/admin", "/admin/:path*", "/signin"],
};
