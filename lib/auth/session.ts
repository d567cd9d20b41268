// Console sessions: next-auth issues them (lib/auth/options.ts) as encrypted JWTs in a
// cookie; this module reads them for pages, server actions, route handlers and the
// management API. A session also carries a stamp of the admin's password hash, so a
// password reset or a deleted admin ends every session at once, and it lasts at most
// SESSION_MAX_AGE from sign-in.
import "server-only";
import { createHash } from "node:crypto";
import { decode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getEnv } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import { isSameOriginRequest, isSecureRequest, readCookie } from "./request";

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export function sessionCookieName(secure: boolean): string {
  // next-auth's own names, so its sign-in and sign-out set and clear the same cookie.
  return secure ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

export interface AdminSession {
  id: string;
  email: string;
  name: string | null;
}

/** Changes whenever the password does; never the hash itself. */
export function passwordStamp(passwordHash: string): string {
  return createHash("sha256").update(passwordHash).digest("base64url").slice(0, 16);
}

const claims = z.object({ sub: z.string().min(1), email: z.string(), pv: z.string() });

/** The admin a session token stands for, or null (missing, forged, expired, or outdated). */
export async function sessionFromToken(token: string | undefined): Promise<AdminSession | null> {
  if (!token) return null;
  let payload: unknown;
  try {
    payload = await decode({ token, secret: getEnv().SECRET_KEY });
  } catch {
    return null;
  }
  const parsed = claims.safeParse(payload);
  if (!parsed.success) return null;
  const admin = await getDb().adminUser.findUnique({
    where: { id: parsed.data.sub },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  if (!admin || passwordStamp(admin.passwordHash) !== parsed.data.pv) return null;
  return { id: admin.id, email: admin.email, name: admin.name };
}

/**
 * The console session of a Request, for route handlers (CSV export) and the management
 * API. Requests that change something must come from our own pages (see isSameOriginRequest).
 */
export async function getAdminSession(request: Request): Promise<AdminSession | null> {
  if (!isSameOriginRequest(request.method, request.headers)) return null;
  return sessionFromToken(readCookie(request.headers, sessionCookieName(isSecureRequest(request.headers))));
}

/** The signed-in admin of the current render or server action, or null. */
export async function currentAdmin(): Promise<AdminSession | null> {
  const [headerList, cookieStore] = await Promise.all([headers(), cookies()]);
  const secure = isSecureRequest(new Headers(headerList));
  return sessionFromToken(cookieStore.get(sessionCookieName(secure))?.value);
}

/** For pages: the signed-in admin, or a redirect to the sign-in page that comes back here. */
export async function requireAdmin(returnTo = "/admin"): Promise<AdminSession> {
  const admin = await currentAdmin();
  if (!admin) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return admin;
}

/** The audit-log actor for an admin. */
export function adminActor(admin: AdminSession, ip: string | null) {
  return { actor: `admin:${admin.email}`, ip };
}
