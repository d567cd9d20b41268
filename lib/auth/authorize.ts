// The credentials check behind next-auth's Credentials provider: limits first (no argon2
// work for a blocked attempt), then the password, then a security event either way.
// The password is never logged, stored or put in an event.
import { z } from "zod";
import { adminEmail, verifyAdminCredentials, type AdminView } from "@/lib/admins/service";
import { recordEvent } from "@/lib/events/record";
import { getSigninGuard, type SigninGuard } from "./signin-guard";

/** Thrown to next-auth, which puts the message in the `error` query of its answer. */
export const SIGNIN_ERRORS = { invalid: "CredentialsSignin", rateLimited: "RateLimited" } as const;
export type SigninErrorCode = (typeof SIGNIN_ERRORS)[keyof typeof SIGNIN_ERRORS];

const credentials = z.object({ email: z.string().max(320).default(""), password: z.string().max(1024).default("") });

export class SigninRefused extends Error {
  constructor(readonly code: SigninErrorCode) {
    super(code);
  }
}

/** Signs an admin in, or throws SigninRefused. `ip` is null when the address cannot be known. */
export async function authorizeSignIn(raw: unknown, ip: string | null, guard: SigninGuard = getSigninGuard()): Promise<AdminView> {
  const parsed = credentials.safeParse(raw ?? {});
  const { email, password } = parsed.success ? parsed.data : { email: "", password: "" };
  const normalized = adminEmail.safeParse(email.trim());
  // Anything typed into the e-mail field that is not an address may be a password: never record it.
  const account = normalized.success ? normalized.data : "(not an e-mail address)";
  const address = ip ?? "unknown";

  const verdict = await guard.check(account, address);
  if (!verdict.allowed) {
    await recordEvent({
      category: "security",
      level: "warn",
      type: "signin_rate_limited",
      message: `Sign-in for ${account} refused: too many failed attempts (${verdict.reason.replace("_", " and ")})`,
      clientIp: ip,
      details: { account, reason: verdict.reason, retryAfterSeconds: verdict.retryAfterSeconds },
    });
    throw new SigninRefused(SIGNIN_ERRORS.rateLimited);
  }

  const admin = normalized.success && password ? await verifyAdminCredentials(normalized.data, password) : null;
  if (!admin) {
    await guard.recordFailure(account, address);
    await recordEvent({
      category: "security",
      level: "warn",
      type: "signin_failed",
      message: `Failed sign-in for ${account}`,
      clientIp: ip,
      details: { account },
    });
    throw new SigninRefused(SIGNIN_ERRORS.invalid);
  }
  await guard.recordSuccess(account, address);
  await recordEvent({
    category: "security",
    level: "info",
    type: "signin_succeeded",
    message: `${admin.email} signed in`,
    clientIp: ip,
    details: { account: admin.email },
  });
  return admin;
}
