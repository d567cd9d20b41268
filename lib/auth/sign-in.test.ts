// Sign-in end to end through next-auth's real route handler, the Credentials provider,
// the limits and the session reader.
jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);

import { createAdmin } from "@/lib/admins/service";
import { useTestDb } from "@/test/helpers/db";
import { consoleRequest, withRequest } from "@/test/console/request-context";
import * as harness from "@/test/console/sign-in";
import { attemptSignIn, fetchSession, signIn, signOut } from "@/test/console/sign-in";
import { encode } from "next-auth/jwt";
import { getEnv } from "@/lib/config/env";
import { createPrisma, setDb } from "@/lib/db/client";
import { resetSigninGuardForTests } from "./signin-guard";
import { currentAdmin, getAdminSession, newSessionClaims, SESSION_MAX_AGE_SECONDS, sessionFromToken } from "./session";

const db = useTestDb();
const PASSWORD = "correct-horse-battery";

beforeAll(async () => {
  await createAdmin({ email: "ops@example.com", password: PASSWORD }, { actor: "cli" });
  await createAdmin({ email: "second@example.com", password: PASSWORD }, { actor: "cli" });
});
beforeEach(() => resetSigninGuardForTests());

const text = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
const events = (type: string) => db.prisma.event.findMany({ where: { type }, orderBy: { id: "asc" } });

describe("sign-in", () => {
  it("signs in with the right password and the session names the admin", async () => {
    const attempt = await attemptSignIn("OPS@example.com ", PASSWORD, "203.0.113.5");
    expect(attempt).toMatchObject({ status: 200, error: null, url: "/admin/keys" });
    expect(attempt.cookie).toMatch(/next-auth\.session-token=/);
    const session = await getAdminSession(consoleRequest("/api/admin/keys", { cookie: attempt.cookie }));
    expect(session).toMatchObject({ email: "ops@example.com" });
    const request = consoleRequest("/admin", { cookie: attempt.cookie });
    expect(await withRequest(request, () => currentAdmin())).toMatchObject({ email: "ops@example.com" });
    const ok = await events("signin_succeeded");
    expect(ok.at(-1)).toMatchObject({ category: "security", level: "info", clientIp: "203.0.113.5" });
  });

  it("refuses a wrong password and records it without the password", async () => {
    const attempt = await attemptSignIn("ops@example.com", "not-the-password-123", "203.0.113.6");
    expect(attempt).toMatchObject({ status: 401, error: "CredentialsSignin" });
    expect(attempt.cookie).not.toMatch(/session-token/);
    const failed = (await events("signin_failed")).at(-1);
    expect(failed).toMatchObject({ category: "security", level: "warn", clientIp: "203.0.113.6", message: "Failed sign-in for ops@example.com" });
    expect(text(failed)).not.toContain("not-the-password-123");
  });

  it("never records what was typed into the e-mail field when it is not an address", async () => {
    await attemptSignIn("hunter2-my-password", "x", "203.0.113.8");
    const failed = (await events("signin_failed")).at(-1);
    expect(text(failed)).not.toContain("hunter2");
  });

  it("limits failures per account and address, without locking the admin out elsewhere", async () => {
    for (let i = 0; i < 5; i++) expect((await attemptSignIn("ops@example.com", `guess-${i}-wrong`, "198.51.100.66")).error).toBe("CredentialsSignin");
    // Blocked from that address, even with the right password, and without checking it.
    expect(await attemptSignIn("ops@example.com", PASSWORD, "198.51.100.66")).toMatchObject({ status: 401, error: "RateLimited" });
    expect((await events("signin_rate_limited")).at(-1)).toMatchObject({ level: "warn", clientIp: "198.51.100.66" });
    // The admin at their own address is not affected, nor is another admin at the attacker's.
    expect((await attemptSignIn("ops@example.com", PASSWORD, "203.0.113.5")).error).toBeNull();
    expect((await attemptSignIn("second@example.com", PASSWORD, "198.51.100.66")).error).toBeNull();
  });

  it("limits an address that guesses many accounts", async () => {
    for (let i = 0; i < 20; i++) await attemptSignIn(`nobody${i}@example.com`, "wrong-password-x", "198.51.100.77");
    expect((await attemptSignIn("second@example.com", PASSWORD, "198.51.100.77")).error).toBe("RateLimited");
    expect((await attemptSignIn("second@example.com", PASSWORD, "198.51.100.78")).error).toBeNull();
  });

  it("sets Secure, HttpOnly, SameSite cookies when the browser came over HTTPS through a trusted proxy", async () => {
    const plain = await attemptSignIn("ops@example.com", PASSWORD, "203.0.113.5");
    expect(plain.error).toBeNull();
    const plainSession = harness.lastSetCookies.find((c) => c.startsWith("next-auth.session-token="));
    expect(plainSession).toMatch(/HttpOnly/i);
    expect(plainSession).toMatch(/SameSite=Lax/i);
    expect(plainSession).not.toMatch(/;\s*Secure/i);

    const secure = await attemptSignIn("ops@example.com", PASSWORD, "127.0.0.1", { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.5" });
    expect(secure.error).toBeNull();
    const secureSession = harness.lastSetCookies.find((c) => c.startsWith("__Secure-next-auth.session-token="));
    expect(secureSession).toMatch(/;\s*Secure/i);
    expect(secureSession).toMatch(/HttpOnly/i);
    // The client address behind the proxy is the one recorded.
    expect((await events("signin_succeeded")).at(-1)).toMatchObject({ clientIp: "203.0.113.5" });
  });

  it("ends every session when the password changes", async () => {
    const cookie = await signIn("second@example.com", PASSWORD, "203.0.113.9");
    expect(await getAdminSession(consoleRequest("/api/admin/keys", { cookie }))).not.toBeNull();
    await createAdmin({ email: "second@example.com", password: "a-brand-new-password" }, { actor: "cli" });
    expect(await getAdminSession(consoleRequest("/api/admin/keys", { cookie }))).toBeNull();
  });
});

describe("session checks", () => {
  let cookie: string;
  beforeAll(async () => {
    resetSigninGuardForTests();
    cookie = await signIn("ops@example.com", PASSWORD);
  });

  it("refuses a missing, forged or foreign session cookie", async () => {
    expect(await getAdminSession(consoleRequest("/api/admin/keys"))).toBeNull();
    expect(await getAdminSession(consoleRequest("/api/admin/keys", { cookie: "next-auth.session-token=eyJhbGciOiJkaXIifQ.forged.x.y.z" }))).toBeNull();
    const tampered = cookie.replace(/(session-token=[^;]{20})./, (_, head) => `${head}${head.endsWith("A") ? "B" : "A"}`);
    expect(await getAdminSession(consoleRequest("/api/admin/keys", { cookie: tampered }))).toBeNull();
  });

  it("accepts changes only from the console's own origin", async () => {
    const post = (headers: Record<string, string>) => consoleRequest("/api/admin/keys", { method: "POST", cookie, headers });
    expect(await getAdminSession(post({ origin: "http://console.test" }))).not.toBeNull();
    expect(await getAdminSession(post({ "sec-fetch-site": "same-origin" }))).not.toBeNull();
    expect(await getAdminSession(post({ origin: "https://evil.example" }))).toBeNull();
    expect(await getAdminSession(post({ "sec-fetch-site": "same-site", origin: "http://console.test" }))).toBeNull();
    expect(await getAdminSession(post({}))).toBeNull();
  });

  it("uses the Secure cookie name only behind a trusted HTTPS proxy", async () => {
    // Through 127.0.0.1 (a trusted proxy by default) saying https, the plain cookie is not the session.
    const viaProxy = consoleRequest("/api/admin/keys", { cookie, ip: "127.0.0.1", headers: { "x-forwarded-proto": "https" } });
    expect(await getAdminSession(viaProxy)).toBeNull();
    const secureCookie = cookie.replace("next-auth.session-token=", "__Secure-next-auth.session-token=");
    expect(await getAdminSession(consoleRequest("/api/admin/keys", { cookie: secureCookie, ip: "127.0.0.1", headers: { "x-forwarded-proto": "https" } }))).not.toBeNull();
    // A client claiming https on its own is not believed.
    expect(await getAdminSession(consoleRequest("/api/admin/keys", { cookie, ip: "198.51.100.1", headers: { "x-forwarded-proto": "https" } }))).not.toBeNull();
  });
});

describe("sign-out", () => {
  const SESSION = /(?:^|; )next-auth\.session-token=/;
  const sessionOf = (cookie: string) => getAdminSession(consoleRequest("/api/admin/keys", { cookie }));
  beforeEach(() => resetSigninGuardForTests());

  it("ends the session on the server: a copy of the cookie taken before is refused, and so are the admin's other sessions", async () => {
    const copied = await signIn("ops@example.com", PASSWORD);
    const otherDevice = await signIn("ops@example.com", PASSWORD, "203.0.113.44");
    const otherAdmin = await signIn("second@example.com", "a-brand-new-password");
    expect(await sessionOf(copied)).toMatchObject({ email: "ops@example.com" });

    const out = await signOut(copied, "203.0.113.45");
    expect(out.status).toBe(200);
    expect(out.cookie).not.toMatch(SESSION);
    expect(await sessionOf(copied)).toBeNull();
    expect(await withRequest(consoleRequest("/admin", { cookie: copied }), () => currentAdmin())).toBeNull();
    expect(await sessionOf(otherDevice)).toBeNull();
    // Another admin's sessions are theirs to end.
    expect(await sessionOf(otherAdmin)).toMatchObject({ email: "second@example.com" });
    expect((await events("signed_out")).at(-1)).toMatchObject({ category: "security", level: "info", clientIp: "203.0.113.45" });
    // Signing in again works at once.
    expect(await sessionOf(await signIn("ops@example.com", PASSWORD))).toMatchObject({ email: "ops@example.com" });
  });

  it("does not let an ended session's cookie sign the admin out again, or be renewed by next-auth's session endpoint", async () => {
    const old = await signIn("ops@example.com", PASSWORD);
    expect((await signOut(old)).status).toBe(200);
    const signOuts = (await events("signed_out")).length;
    const current = await signIn("ops@example.com", PASSWORD);
    expect((await signOut(old)).status).toBe(200);
    expect(await sessionOf(current)).not.toBeNull();
    expect(await events("signed_out")).toHaveLength(signOuts);

    const renewedOld = await fetchSession(old);
    expect(renewedOld.body).toEqual({});
    expect(renewedOld.setCookies.find((c) => c.startsWith("next-auth.session-token="))).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    const renewedCurrent = await fetchSession(current);
    expect(renewedCurrent.body).toMatchObject({ user: { email: "ops@example.com" } });
  });

  it("lasts at most SESSION_MAX_AGE from sign-in, however recently next-auth renewed the cookie", async () => {
    const admin = await db.prisma.adminUser.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    const token = async (signedInSecondsAgo: number) =>
      encode({ token: { ...(await newSessionClaims(admin.id, Date.now() - signedInSecondsAgo * 1000)) }, secret: getEnv().SECRET_KEY, maxAge: 3600 });
    expect(await sessionFromToken(await token(SESSION_MAX_AGE_SECONDS - 60))).toMatchObject({ email: "ops@example.com" });
    expect(await sessionFromToken(await token(SESSION_MAX_AGE_SECONDS + 1))).toBeNull();
  });

  it("answers 503 and keeps the session cookie when the database cannot end the session", async () => {
    const cookie = await signIn("ops@example.com", PASSWORD);
    const unreachable = createPrisma("postgresql://akm@127.0.0.1:1/akm");
    const previous = setDb(unreachable);
    let out;
    try {
      out = await signOut(cookie);
    } finally {
      setDb(previous);
      await unreachable.$disconnect();
    }
    expect(out.status).toBe(503);
    expect(out.cookie).toMatch(SESSION);
    // Still valid, as the answer said: the admin can try again.
    expect(await sessionOf(cookie)).not.toBeNull();
    expect((await signOut(cookie)).status).toBe(200);
    expect(await sessionOf(cookie)).toBeNull();
  });
});
