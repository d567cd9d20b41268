import { MemoryLimiter } from "./memory";
import { LimitsUnavailableError, type LimitVerdict } from "./types";

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0); // 12:00:00 UTC, on a 60 s window boundary

function setup(options: { windowSeconds?: number; seeds?: Record<string, number>; loader?: (keyId: string, day: string) => Promise<number> } = {}) {
  let now = T0;
  const loads: string[] = [];
  const limiter = new MemoryLimiter({
    windowSeconds: options.windowSeconds ?? 60,
    now: () => now,
    loadDayCount:
      options.loader ??
      (async (keyId, day) => {
        loads.push(`${keyId}@${day}`);
        return options.seeds?.[`${keyId}@${day}`] ?? 0;
      }),
  });
  return { limiter, loads, advance: (ms: number) => (now += ms), set: (ms: number) => (now = ms) };
}

const limits = (rateLimit: number, dailyLimit: number, keyId = "k1") => ({ keyId, rateLimit, dailyLimit });
const tally = (verdicts: LimitVerdict[]) =>
  verdicts.reduce<Record<string, number>>((t, v) => {
    const k = v.allowed ? "ok" : v.reason;
    t[k] = (t[k] ?? 0) + 1;
    return t;
  }, {});

describe("memory limiter", () => {
  it("admits the rate limit per window, reports remaining and reset, and opens the next window", async () => {
    const { limiter, advance } = setup();
    const first = await limiter.check(limits(3, 100));
    expect(first).toMatchObject({ allowed: true, window: { limit: 3, remaining: 2, resetAt: T0 + 60_000 }, day: "2026-11-30" });
    await limiter.check(limits(3, 100));
    expect((await limiter.check(limits(3, 100))).window.remaining).toBe(0);
    advance(45_000);
    const refused = await limiter.check(limits(3, 100));
    expect(refused).toMatchObject({ allowed: false, reason: "rate_limited", retryAfterMs: 15_000, window: { remaining: 0 } });
    advance(15_000); // the next window
    expect(await limiter.check(limits(3, 100))).toMatchObject({ allowed: true, window: { remaining: 2, resetAt: T0 + 120_000 } });
  });

  it("refuses past the daily quota until 00:00 UTC, and a refusal counts nothing", async () => {
    const { limiter, advance, set } = setup();
    for (let i = 0; i < 5; i++) expect((await limiter.check(limits(2, 5))).allowed).toBe(i < 2);
    advance(60_000);
    await limiter.check(limits(2, 5));
    await limiter.check(limits(2, 5));
    advance(60_000);
    expect(await limiter.check(limits(2, 5))).toMatchObject({ allowed: true });
    advance(60_000);
    const refused = await limiter.check(limits(2, 5));
    expect(refused).toMatchObject({ allowed: false, reason: "daily_quota_exceeded", dailyLimit: 5, quotaResetAt: Date.UTC(2026, 11, 1) });
    // The quota refusal did not use up the window: raising the quota admits at once.
    expect(await limiter.check(limits(2, 6))).toMatchObject({ allowed: true, window: { remaining: 1 } });
    set(Date.UTC(2026, 11, 1, 0, 0, 0));
    expect(await limiter.check(limits(2, 6))).toMatchObject({ allowed: true, day: "2026-12-01" });
  });

  it("reports the quota before the rate limit when both refuse", async () => {
    const { limiter } = setup();
    await limiter.check(limits(1, 1));
    expect(await limiter.check(limits(1, 1))).toMatchObject({ allowed: false, reason: "daily_quota_exceeded" });
  });

  it("applies changed limits to the next request", async () => {
    const { limiter } = setup();
    await limiter.check(limits(10, 100));
    await limiter.check(limits(10, 100));
    expect(await limiter.check(limits(2, 100))).toMatchObject({ allowed: false, reason: "rate_limited" });
    expect(await limiter.check(limits(3, 100))).toMatchObject({ allowed: true });
  });

  it("seeds a key's day from what was already counted, once per key and day", async () => {
    const { limiter, loads, set } = setup({ seeds: { "k1@2026-11-30": 98, "k1@2026-12-01": 0 } });
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => limiter.check(limits(100, 100))));
    expect(tally(verdicts)).toEqual({ ok: 2, daily_quota_exceeded: 3 });
    await limiter.check(limits(100, 100, "k2"));
    set(Date.UTC(2026, 11, 1, 0, 0, 1));
    await limiter.check(limits(100, 100));
    expect(loads).toEqual(["k1@2026-11-30", "k2@2026-11-30", "k1@2026-12-01"]);
  });

  it("admits exactly the limit under 500 concurrent checks", async () => {
    const { limiter } = setup();
    expect(tally(await Promise.all(Array.from({ length: 500 }, () => limiter.check(limits(100, 1000)))))).toEqual({ ok: 100, rate_limited: 400 });
    const quota = setup().limiter;
    expect(tally(await Promise.all(Array.from({ length: 500 }, () => quota.check(limits(1000, 100)))))).toEqual({ ok: 100, daily_quota_exceeded: 400 });
  });

  it("fails with LimitsUnavailableError when the day count cannot be read, and tries again next time", async () => {
    let fail = true;
    const { limiter } = setup({
      loader: async () => {
        if (fail) throw new Error("database down");
        return 0;
      },
    });
    await expect(limiter.check(limits(5, 5))).rejects.toBeInstanceOf(LimitsUnavailableError);
    fail = false;
    expect(await limiter.check(limits(5, 5))).toMatchObject({ allowed: true });
  });
});
