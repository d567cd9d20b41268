// Limits failed sign-ins without letting one person lock another out.
//
//  - per IP: FAILURES_PER_IP failures from one address (any accounts) block that address;
//  - per account and IP: FAILURES_PER_ACCOUNT_IP failures for one account from one
//    address block that pair only, so a stranger guessing an admin's password from
//    elsewhere never locks the admin out of their own machine;
//  - per account: past FAILURES_PER_ACCOUNT failures from all addresses together (a
//    distributed guess), the account is "under attack": an address that has failed for
//    it before is refused at once, but an address with no failures for it still gets its
//    password checked — so the admin signs in from a clean address with the right
//    password, and every attacking address gets at most one more guess.
// Blocked attempts are refused before the password is checked, so they cost no argon2 work.
// In memory: one instance. Counters are the durable part; a restart forgives everyone.
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";

export const SIGNIN_LIMITS = {
  windowSeconds: 15 * 60,
  failuresPerIp: 20,
  failuresPerAccountIp: 5,
  failuresPerAccount: 50,
} as const;

export type SigninVerdict = { allowed: true } | { allowed: false; reason: "ip" | "account_ip" | "account"; retryAfterSeconds: number };

export interface SigninGuard {
  /** Whether an attempt for this account from this address may be checked at all. */
  check(account: string, ip: string): Promise<SigninVerdict>;
  recordFailure(account: string, ip: string): Promise<void>;
  /** A correct password clears this address's failures for the account. */
  recordSuccess(account: string, ip: string): Promise<void>;
}

type Limits = { windowSeconds: number; failuresPerIp: number; failuresPerAccountIp: number; failuresPerAccount: number };

const seconds = (res: RateLimiterRes | null) => Math.max(1, Math.ceil((res?.msBeforeNext ?? 1000) / 1000));

export function createSigninGuard(limits: Limits = SIGNIN_LIMITS): SigninGuard {
  const make = (keyPrefix: string, points: number) => new RateLimiterMemory({ keyPrefix, points, duration: limits.windowSeconds });
  const byIp = make("signin-ip", limits.failuresPerIp);
  const byAccountIp = make("signin-account-ip", limits.failuresPerAccountIp);
  const byAccount = make("signin-account", limits.failuresPerAccount);
  const pair = (account: string, ip: string) => `${account}\n${ip}`;
  // Expired records linger until their timer fires; treat them as gone.
  const live = (res: RateLimiterRes | null) => (res && res.msBeforeNext > 0 ? res : null);

  return {
    async check(account, ip) {
      const [ipRes, pairRes, accountRes] = (await Promise.all([byIp.get(ip), byAccountIp.get(pair(account, ip)), byAccount.get(account)])).map(live);
      if (ipRes && ipRes.consumedPoints >= limits.failuresPerIp) return { allowed: false, reason: "ip", retryAfterSeconds: seconds(ipRes) };
      if (pairRes && pairRes.consumedPoints >= limits.failuresPerAccountIp) {
        return { allowed: false, reason: "account_ip", retryAfterSeconds: seconds(pairRes) };
      }
      if (accountRes && accountRes.consumedPoints >= limits.failuresPerAccount && pairRes && pairRes.consumedPoints > 0) {
        return { allowed: false, reason: "account", retryAfterSeconds: seconds(pairRes) };
      }
      return { allowed: true };
    },
    async recordFailure(account, ip) {
      await Promise.all([byIp.penalty(ip), byAccountIp.penalty(pair(account, ip)), byAccount.penalty(account)]);
    },
    async recordSuccess(account, ip) {
      await byAccountIp.delete(pair(account, ip));
    },
  };
}

let processGuard: SigninGuard | undefined;

/** The process's guard. */
export function getSigninGuard(): SigninGuard {
  return (processGuard ??= createSigninGuard());
}

/** Tests start from a clean slate. */
export function resetSigninGuardForTests(guard?: SigninGuard): void {
  processGuard = guard;
}
