// next-auth configuration, built per request: whether cookies are Secure depends on how
// the browser reached us (HTTPS through a trusted proxy), the client IP feeds the
// sign-in limits and events, and sign-out reports back whether it ended the sessions.
//
// NEXTAUTH_URL is not needed. next-auth uses it to build absolute URLs; our flow only
// ever returns paths (callbacks.redirect), and the sign-in form reads nothing else from
// them, so the console works under any host name, behind a proxy or not. If an operator
// sets NEXTAUTH_URL anyway it changes nothing. NEXTAUTH_SECRET is ignored: `secret` is
// SECRET_KEY.
import type { AuthOptions } from "next-auth";
import credentials from "next-auth/providers/credentials";
import { getEnv } from "@/lib/config/env";
import { recordEvent } from "@/lib/events/record";
import { authorizeSignIn, SigninRefused } from "./authorize";
import { safeCallbackPath } from "./callback-url";
import { endAdminSessions, isSessionLive, newSessionClaims, SESSION_MAX_AGE_SECONDS, type SessionClaims } from "./session";
import { log } from "@/lib/log";

// next-auth is CommonJS with an ES-module default: Node's loader (the compiled core) hands
// over module.exports, a bundler the default itself.
const CredentialsProvider = (credentials as unknown as { default?: typeof credentials }).default ?? credentials;

export interface AuthRequestContext {
  secure: boolean;
  ip: string | null;
  /** Set when a sign-out could not end the sessions on the server (the database failed). */
  signOutFailed?: boolean;
}

// next-auth's own logger prints metadata objects; keep its codes, drop the rest, and
// skip the NEXTAUTH_URL warning (see above). JWT_SESSION_ERROR is an ended, expired or
// forged session presented to /api/auth/session: the client's problem, not ours.
const logger = {
  error: (code: string) => (code === "JWT_SESSION_ERROR" ? log.warn(`[auth] refused a session that has ended (${code})`) : log.error(`[auth] next-auth error ${code}`)),
  warn: (code: string) => {
    if (code !== "NEXTAUTH_URL") log.warn(`[auth] next-auth warning ${code}`);
  },
  debug: () => undefined,
};

export function buildAuthOptions(context: AuthRequestContext): AuthOptions {
  return {
    secret: getEnv().SECRET_KEY,
    useSecureCookies: context.secure,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin", signOut: "/signin" },
    logger,
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "E-mail and password",
        credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          try {
            const admin = await authorizeSignIn(credentials, context.ip);
            return { id: admin.id, email: admin.email, name: admin.name, claims: await newSessionClaims(admin.id) };
          } catch (error) {
            // next-auth puts the message into the `error` query the sign-in form reads.
            if (error instanceof SigninRefused) throw new Error(error.code, { cause: error });
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) return (user as unknown as { claims: SessionClaims }).claims;
        // /api/auth/session renews the cookie: not for a session that has ended (next-auth
        // then clears the cookie and answers with no session).
        if (!(await isSessionLive(token))) throw new Error("session ended");
        return token;
      },
      session({ session, token }) {
        return { expires: session.expires, user: { email: token.email ?? null, name: token.name ?? null } };
      },
      redirect({ url }) {
        return safeCallbackPath(url);
      },
    },
    events: {
      // After next-auth has checked the CSRF token; it clears the cookie whatever happens
      // here, so a failure is reported through the context (the route then answers 503).
      async signOut({ token }) {
        try {
          const admin = await endAdminSessions(token);
          if (!admin) return;
          await recordEvent({
            category: "security",
            level: "info",
            type: "signed_out",
            message: `${admin.email} signed out, ending all of their sessions`,
            clientIp: context.ip,
            details: { account: admin.email },
          });
        } catch (error) {
          context.signOutFailed = true;
          log.error(`[auth] sign-out could not end the sessions: ${(error as Error).message}`);
        }
      },
    },
  };
}
