// One production instance with in-memory limits (no Redis) on a real PostgreSQL:
// exactness under concurrency, the day's count surviving a restart, and SIGTERM letting
// a stream finish and flushing its record before the process exits.
import { getDb } from "@/lib/db/client";
import { parseSse } from "@/lib/providers/sse";
import type { AppServer } from "@/test/helpers/app-server";
import { waitFor } from "@/test/helpers/ports";
import { startGatewayHarness, tally, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

function complete(server: AppServer, secret: string, body: object = {}): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], ...body }),
  });
}

async function statuses(requests: Promise<Response>[]): Promise<number[]> {
  return Promise.all(requests.map(async (r) => {
    const response = await r;
    await response.arrayBuffer();
    return response.status;
  }));
}

describe("one instance with in-memory limits", () => {
  it("admits exactly the limit for 500 concurrent requests", async () => {
    const server = await h.startServer({ RATE_LIMIT_WINDOW: "3600" });
    expect(server.output()).toMatch(/limits: in memory/);
    const rate = await h.createKey({ name: "rate", rateLimit: 100, dailyLimit: 100_000 });
    expect(tally(await statuses(Array.from({ length: 500 }, () => complete(server, rate.secret))))).toEqual({ 200: 100, 429: 400 });
    const quota = await h.createKey({ name: "quota", rateLimit: 100_000, dailyLimit: 100 });
    expect(tally(await statuses(Array.from({ length: 500 }, () => complete(server, quota.secret))))).toEqual({ 200: 100, 403: 400 });
    await server.stop();
  }, 60_000);

  it("keeps the day's count across a restart", async () => {
    const { secret } = await h.createKey({ name: "restart", dailyLimit: 5, rateLimit: 1000 });
    const first = await h.startServer();
    expect(await statuses([0, 1, 2].map(() => complete(first, secret)))).toEqual([200, 200, 200]);
    expect(await first.stop("SIGTERM")).toBe(0);
    const second = await h.startServer();
    expect(tally(await statuses(Array.from({ length: 5 }, () => complete(second, secret))))).toEqual({ 200: 2, 403: 3 });
    await second.stop();
  }, 60_000);

  it("on SIGTERM lets a stream in flight finish, then writes its record before exiting", async () => {
    const { id, secret } = await h.createKey({ name: "sigterm" });
    const server = await h.startServer();
    const response = await complete(server, secret, { model: "gpt-4o-mini:gate:chunks=4", stream: true });
    const requestId = response.headers.get("x-request-id")!;
    const reader = response.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('"role":"assistant"');

    const exit = server.stop("SIGTERM");
    await waitFor("the server to start draining", () => expect(server.output()).toMatch(/SIGTERM: no new connections; waiting for 1 request/));
    h.fake.openGate();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    const events = parseSse(text);
    expect(events.at(-1)!.data).toBe("[DONE]");
    expect(events.filter((e) => e.data.includes('"content":"word')).length).toBe(4);
    expect(await exit).toBe(0);

    // Written by the shutdown flush: the process is gone, nothing polls any more.
    const log = await getDb().requestLog.findFirst({ where: { requestId } });
    expect(log).toMatchObject({ keyId: id, status: 200, stream: true, completionTokens: 4, errorCode: null });
  }, 60_000);
});
