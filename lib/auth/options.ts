// next-auth configuration, built per request: whether cookies are Secure depends on how
// the browser reached us (HTTPS through a trusted proxy), and the client IP feeds the
// sign-in limits.
//
// NEXTAUTH_URL is not needed. next-auth uses it to build absolute URLs; our flow only
// ever returns paths (callbacks.redirect), and the sign-in form reads nothing else from
// them, so the console works under any host name, behind a proxy or not. If an operator
// sets NEXTAUTH_URL anyway it changes nothing. NEXTAUTH_SECRET is ignored: `secret` is
// SECRET_KEY.
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getEnv } from "@/lib/config/env";
import { getDb } from "@/lib/db/client";
import { authorizeSignIn, SigninRefused } from "./authorize";
import { safeCallbackPath } from "./callback-url";
import { passwordStamp, SESSION_MAX_AGE_SECONDS } from "./session";
import { log } from "@/lib/log";

export interface AuthRequestContext {
  secure: boolean;
  ip: string | null;
}

// next-auth's own logger prints metadata objects; keep its codes, drop the rest, and
// skip the NEXTAUTH_URL warning (see above).
const logger = {
  error: (code: string) => log.error(`[auth] next-auth error ${code}`),
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
            const row = await getDb().adminUser.findUniqueOrThrow({ where: { id: admin.id }, select: { passwordHash: true } });
            const user = { id: admin.id, email: admin.email, name: admin.name, pv: passwordStamp(row.passwordHash) };
            return user;
          } catch (error) {
            // next-auth puts the message into the `error` query the sign-in form reads.
            if (error instanceof SigninRefused) throw new Error(error.code);
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) return { sub: user.id, email: user.email, name: user.name, pv: (user as { pv?: string }).pv };
        return token;
      },
      session({ session, token }) {
        return { expires: session.expires, user: { email: token.email ?? null, name: token.name ?? null } };
      },
      redirect({ url }) {
        return safeCallbackPath(url);
      },
    },
  };
}
