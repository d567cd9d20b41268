import { createSigninGuard } from "./signin-guard";

const LIMITS = { windowSeconds: 900, failuresPerIp: 8, failuresPerAccountIp: 3, failuresPerAccount: 6 };

async function fail(guard: ReturnType<typeof createSigninGuard>, account: string, ip: string, times: number) {
  for (let i = 0; i < times; i++) await guard.recordFailure(account, ip);
}

describe("sign-in guard", () => {
  afterEach(() => jest.useRealTimers());

  it("blocks an account from one address after its failures, not from another address", async () => {
    const guard = createSigninGuard(LIMITS);
    await fail(guard, "admin@x.io", "10.0.0.66", 2);
    expect(await guard.check("admin@x.io", "10.0.0.66")).toEqual({ allowed: true });
    await fail(guard, "admin@x.io", "10.0.0.66", 1);
    expect(await guard.check("admin@x.io", "10.0.0.66")).toMatchObject({ allowed: false, reason: "account_ip" });
    // The real admin, elsewhere, is not locked out by the stranger.
    expect(await guard.check("admin@x.io", "10.0.0.1")).toEqual({ allowed: true });
  });

  it("blocks an address that sprays many accounts", async () => {
    const guard = createSigninGuard(LIMITS);
    for (let i = 0; i < 8; i++) await guard.recordFailure(`user${i}@x.io`, "10.0.0.66");
    expect(await guard.check("someone-else@x.io", "10.0.0.66")).toMatchObject({ allowed: false, reason: "ip" });
    expect(await guard.check("someone-else@x.io", "10.0.0.67")).toEqual({ allowed: true });
  });

  it("under a distributed attack, refuses addresses that failed before but still checks a clean one", async () => {
    const guard = createSigninGuard(LIMITS);
    // Six attacking addresses, one failure each: the account-wide limit is reached.
    for (let i = 0; i < 6; i++) await guard.recordFailure("admin@x.io", `10.0.1.${i}`);
    expect(await guard.check("admin@x.io", "10.0.1.0")).toMatchObject({ allowed: false, reason: "account" });
    expect(await guard.check("admin@x.io", "192.168.1.20")).toEqual({ allowed: true });
    // Another account is unaffected.
    expect(await guard.check("other@x.io", "10.0.1.0")).toEqual({ allowed: true });
  });

  it("forgives an address's failures for an account once the right password is given", async () => {
    const guard = createSigninGuard(LIMITS);
    await fail(guard, "admin@x.io", "10.0.0.1", 2);
    await guard.recordSuccess("admin@x.io", "10.0.0.1");
    await fail(guard, "admin@x.io", "10.0.0.1", 2);
    expect(await guard.check("admin@x.io", "10.0.0.1")).toEqual({ allowed: true });
  });

  it("lifts a block when the window has passed, and says how long to wait before", async () => {
    jest.useFakeTimers({ now: new Date("2026-06-15T12:00:00Z") });
    const guard = createSigninGuard(LIMITS);
    await fail(guard, "admin@x.io", "10.0.0.66", 3);
    const blocked = await guard.check("admin@x.io", "10.0.0.66");
    expect(blocked).toMatchObject({ allowed: false, reason: "account_ip" });
    expect(blocked.allowed === false && blocked.retryAfterSeconds).toBe(900);
    jest.advanceTimersByTime(899_000);
    expect(await guard.check("admin@x.io", "10.0.0.66")).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    jest.advanceTimersByTime(1_000);
    expect(await guard.check("admin@x.io", "10.0.0.66")).toEqual({ allowed: true });
  });
});
