// Console sessions: next-auth issues them (lib/auth/options.ts) as encrypted JWTs in a
// cookie; this module reads them for pages, server actions, route handlers and the
// management API. A session carries a stamp of the admin's password hash and session
// version, checked against the database on every use: a password change or a sign-out
// (which bumps the version) ends the admin's sessions at once, and so does deleting the
// admin. A session lasts at most SESSION_MAX_AGE from sign-in, however often next-auth
// renews the cookie.
//
// Sign-out ends all of the admin's sessions, not only the one signing out: sessions are
// not stored, so the only thing the server can revoke is "every session of this admin
// issued before now". That is also what sign-out is for here — a session cookie copied
// from any device (a shared machine, a leaked browser profile) stops working when the
// admin signs out anywhere. The cost is signing in again on the admin's other devices.
import "server-only";
import { createHash } from "node:crypto";
import { decode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { bumpSessionVersion, findAdminStamp } from "@/lib/admins/repository";
import { getEnv } from "@/lib/config/env";
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

/** What a session token holds besides next-auth's own iat/exp/jti. */
const sessionClaims = z.object({
  sub: z.string().min(1),
  email: z.string(),
  name: z.string().nullish(),
  /** sessionStamp() of the admin at sign-in. */
  stamp: z.string(),
  /** Sign-in time in seconds; next-auth renews iat and exp, never this. */
  authTime: z.number().int(),
});
export type SessionClaims = z.infer<typeof sessionClaims>;

/** Changes whenever the password or the session version does; reveals neither. */
function sessionStamp(admin: { passwordHash: string; sessionVersion: number }): string {
  return createHash("sha256").update(`${admin.passwordHash}\n${admin.sessionVersion}`).digest("base64url").slice(0, 22);
}

/** The claims of a new session for an admin who has just proved their password. */
export async function newSessionClaims(adminId: string, now = Date.now()): Promise<SessionClaims> {
  const admin = await findAdminStamp(adminId);
  if (!admin) throw new Error(`no admin ${adminId}`);
  return { sub: admin.id, email: admin.email, name: admin.name, stamp: sessionStamp(admin), authTime: Math.floor(now / 1000) };
}

/** The admin behind decoded session claims and the version they are valid for, or null when the session has ended. */
async function liveSession(payload: unknown, now = Date.now()): Promise<{ admin: AdminSession; sessionVersion: number } | null> {
  const parsed = sessionClaims.safeParse(payload);
  if (!parsed.success) return null;
  const { sub, stamp, authTime } = parsed.data;
  if (authTime * 1000 + SESSION_MAX_AGE_SECONDS * 1000 <= now) return null;
  const row = await findAdminStamp(sub);
  if (!row || sessionStamp(row) !== stamp) return null;
  return { admin: { id: row.id, email: row.email, name: row.name }, sessionVersion: row.sessionVersion };
}

/** Whether decoded claims (next-auth's jwt callback) still stand for a live session. */
export async function isSessionLive(payload: unknown): Promise<boolean> {
  return (await liveSession(payload)) !== null;
}

/** The admin a session token stands for, or null (missing, forged, expired, or ended). */
export async function sessionFromToken(token: string | undefined): Promise<AdminSession | null> {
  if (!token) return null;
  let payload: unknown;
  try {
    payload = await decode({ token, secret: getEnv().SECRET_KEY });
  } catch {
    return null;
  }
  return (await liveSession(payload))?.admin ?? null;
}

/**
 * Sign-out: ends every session of the admin behind these decoded claims by bumping the
 * session version. Returns the admin, or null when the session had ended already — so an
 * old copied cookie cannot be used to sign the admin out of their current sessions.
 */
export async function endAdminSessions(payload: unknown): Promise<AdminSession | null> {
  const live = await liveSession(payload);
  if (!live) return null;
  // Only from the version this session belongs to: a concurrent sign-out does not bump twice.
  await bumpSessionVersion(live.admin.id, live.sessionVersion);
  return live.admin;
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
