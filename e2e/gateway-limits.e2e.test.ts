// Limits shared by two production instances through a real Redis and a real PostgreSQL:
// exactness under concurrency, key changes reaching every instance, and Redis failing.
import { Redis } from "ioredis";
import { getDb } from "@/lib/db/client";
import { setKeyEnabled, updateKey } from "@/lib/keys/service";
import type { AppServer } from "@/test/helpers/app-server";
import { waitFor } from "@/test/helpers/ports";
import { startGatewayHarness, tally, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
let a: AppServer;
let b: AppServer;
beforeAll(async () => {
  h = await startGatewayHarness({ redis: true });
  // An hour-long window: 500 requests never straddle a window boundary.
  [a, b] = await Promise.all([h.startServer({ RATE_LIMIT_WINDOW: "3600" }), h.startServer({ RATE_LIMIT_WINDOW: "3600" })]);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

function complete(server: AppServer, secret: string, model = "gpt-4o-mini"): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
}

async function statuses(requests: Promise<Response>[]): Promise<number[]> {
  return Promise.all(requests.map(async (r) => {
    const response = await r;
    await response.arrayBuffer();
    return response.status;
  }));
}

const dayRow = (keyId: string) =>
  getDb().keyDailyUsage.findUnique({ where: { keyId_day: { keyId, day: new Date(new Date().toISOString().slice(0, 10)) } } });

describe("two instances sharing Redis and PostgreSQL", () => {
  it("admit exactly the rate limit for 500 concurrent requests spread over both", async () => {
    const { secret } = await h.createKey({ name: "rate-500", rateLimit: 100, dailyLimit: 100_000 });
    const result = tally(await statuses(Array.from({ length: 500 }, (_, i) => complete(i % 2 ? a : b, secret))));
    expect(result).toEqual({ 200: 100, 429: 400 });
  }, 60_000);

  it("admit exactly the daily quota for 500 concurrent requests spread over both, and record exactly that", async () => {
    const { id, secret } = await h.createKey({ name: "quota-500", rateLimit: 100_000, dailyLimit: 100 });
    const result = tally(await statuses(Array.from({ length: 500 }, (_, i) => complete(i % 2 ? a : b, secret))));
    expect(result).toEqual({ 200: 100, 403: 400 });
    await waitFor("both instances to flush", async () => expect((await dayRow(id))?.requests).toBe(100));
    await waitFor("every request log", async () => expect(await getDb().requestLog.count({ where: { keyId: id } })).toBe(500));
  }, 60_000);

  it("apply a change to a key on every instance within a second", async () => {
    const { id, secret } = await h.createKey({ name: "change", rateLimit: 1000 });
    expect(await statuses([complete(a, secret), complete(b, secret)])).toEqual([200, 200]); // both have it cached
    await setKeyEnabled(id, false, { actor: "cli" });
    await waitFor("both instances to refuse the disabled key", async () => expect(await statuses([complete(a, secret), complete(b, secret)])).toEqual([401, 401]), 1000, 25);
    await setKeyEnabled(id, true, { actor: "cli" });
    await waitFor("both instances to admit it again", async () => expect(await statuses([complete(a, secret), complete(b, secret)])).toEqual([200, 200]), 1000, 25);
    await updateKey(id, { allowedModels: ["gpt-4o"] }, { actor: "cli" });
    await waitFor("both instances to apply the model list", async () => expect(await statuses([complete(a, secret), complete(b, secret)])).toEqual([403, 403]), 1000, 25);
  });

  it("keep the day's count when Redis restarts empty", async () => {
    const { id, secret } = await h.createKey({ name: "redis-restart", dailyLimit: 10, rateLimit: 1000 });
    for (let i = 0; i < 6; i++) expect((await complete(i % 2 ? a : b, secret)).status).toBe(200);
    await waitFor("the count to be flushed", async () => expect((await dayRow(id))?.requests).toBe(6));
    await h.redis!.kill();
    await h.redis!.start();
    const probe = new Redis(h.redis!.url);
    try {
      // Both instances' clients reconnect by themselves.
      await waitFor("both instances to reconnect to Redis", async () => {
        const clients = String(await probe.client("LIST")).trim().split("\n").length;
        if (clients < 3) throw new Error(`${clients} client(s)`);
      }, 10_000);
    } finally {
      probe.disconnect();
    }
    const after = tally(await statuses(Array.from({ length: 10 }, (_, i) => complete(i % 2 ? a : b, secret))));
    expect(after).toEqual({ 200: 4, 403: 6 });
  }, 60_000);

  it("keep serving with local limits when Redis is down, without hanging, and share limits again when it returns", async () => {
    const { secret } = await h.createKey({ name: "redis-down", rateLimit: 1000 });
    expect((await complete(a, secret)).status).toBe(200);
    await h.redis!.kill();
    const started = performance.now();
    const during = await statuses(Array.from({ length: 20 }, (_, i) => complete(i % 2 ? a : b, secret)));
    const elapsed = performance.now() - started;
    expect(tally(during)).toEqual({ 200: 20 });
    expect(elapsed).toBeLessThan(5000); // nothing waits on the dead Redis (ioredis would queue for seconds)
    expect(a.output()).toMatch(/Redis unavailable .*per-instance limits/);

    await h.redis!.start();
    await waitFor("instance A to use Redis again", async () => {
      expect((await complete(a, secret)).status).toBe(200);
      expect(a.output()).toMatch(/Redis is back/);
    }, 10_000, 200);
  }, 60_000);
});
