import { createPrisma } from "@/lib/db/client";
import { createKey } from "@/lib/keys/service";
import { freePort } from "@/test/helpers/ports";
import { useTestDb } from "@/test/helpers/db";
import { UsageRecorder, type RequestRecord } from "./recorder";

const db = useTestDb();
const recorders: UsageRecorder[] = [];
afterEach(async () => {
  for (const r of recorders.splice(0)) await r.close();
});

function recorder(options: ConstructorParameters<typeof UsageRecorder>[0] = {}) {
  // A long interval: the tests flush explicitly.
  const r = new UsageRecorder({ db: () => db.prisma, flushMs: 60_000, log: () => undefined, ...options });
  recorders.push(r);
  return r;
}

let seq = 0;
function record(keyId: string | null, fields: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: `req-${++seq}`,
    keyId,
    method: "POST",
    path: "/v1/chat/completions",
    model: "gpt-4o",
    provider: "openai",
    status: 200,
    errorCode: null,
    errorMessage: null,
    startedAt: Date.UTC(2026, 10, 30, 10, 0, seq),
    latencyMs: 12,
    ttfbMs: 5,
    promptTokens: 10,
    completionTokens: 3,
    cachedTokens: null,
    clientIp: "10.0.0.1",
    stream: false,
    countedDay: keyId ? "2026-11-30" : null,
    ...fields,
  };
}

describe("usage recorder", () => {
  it("writes request logs, events, per-day totals and last use in one flush, adding to existing totals", async () => {
    const { key } = await createKey({ name: "usage" }, { actor: "cli" });
    const r = recorder();
    r.record(record(key.id));
    r.record(record(key.id, { stream: true, promptTokens: 5, completionTokens: 7 }));
    r.record(record(key.id, { status: 429, errorCode: "rate_limit_exceeded", countedDay: null, promptTokens: null, completionTokens: null, ttfbMs: null }));
    r.record(record(null, { status: 401, errorCode: "invalid_api_key" }));
    r.event({ category: "security", level: "warn", type: "rate_limited", message: "Rate limit reached", keyId: key.id, requestId: "req-3", details: { limit: 5, path: "/v1/x" } });
    r.event({ category: "system", level: "error", type: "upstream_error", message: "unreachable" });
    expect(r.unflushedRequests(key.id, "2026-11-30")).toBe(2);
    await r.flush();
    expect(r.unflushedRequests(key.id, "2026-11-30")).toBe(0);

    const logs = await db.prisma.requestLog.findMany({ where: { keyId: key.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => [l.status, l.stream, l.promptTokens, l.errorCode])).toEqual([
      [200, false, 10, null],
      [200, true, 5, null],
      [429, false, null, "rate_limit_exceeded"],
    ]);
    expect(await db.prisma.requestLog.count({ where: { keyId: null, errorCode: "invalid_api_key" } })).toBe(1);
    expect(await db.prisma.event.findFirstOrThrow({ where: { requestId: "req-3" } })).toMatchObject({ category: "security", level: "warn", type: "rate_limited", keyId: key.id, details: { limit: 5, path: "/v1/x" } });
    expect(await db.prisma.event.findFirstOrThrow({ where: { type: "upstream_error", message: "unreachable" } })).toMatchObject({ category: "system", level: "error", keyId: null, details: null });
    const totals = () => db.prisma.keyDailyUsage.findUniqueOrThrow({ where: { keyId_day: { keyId: key.id, day: new Date("2026-11-30") } } });
    expect(await totals()).toMatchObject({ requests: 2, promptTokens: 15n, completionTokens: 10n });
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.lastUsedAt?.toISOString()).toBe(new Date(logs[1].createdAt).toISOString());

    // A second flush adds to the day's row instead of replacing it.
    r.record(record(key.id));
    await r.flush();
    expect(await totals()).toMatchObject({ requests: 3, promptTokens: 25n });
  });

  it("keeps records while the database is unreachable and writes them once it answers", async () => {
    const { key } = await createKey({ name: "retry" }, { actor: "cli" });
    const unreachable = createPrisma(`postgresql://akm@127.0.0.1:${await freePort()}/nothing`);
    let reachable = false;
    const logs: string[] = [];
    const r = recorder({ db: () => (reachable ? db.prisma : unreachable), log: (line) => logs.push(line) });
    r.record(record(key.id, { requestId: "kept-1" }));
    await r.flush();
    expect(r.pending).toBe(1);
    expect(r.unflushedRequests(key.id, "2026-11-30")).toBe(1);
    expect(logs[0]).toMatch(/could not write 1 request record/);
    reachable = true;
    await r.close(); // close retries until written
    expect(r.pending).toBe(0);
    expect(await db.prisma.requestLog.count({ where: { requestId: "kept-1" } })).toBe(1);
    await unreachable.$disconnect();
  });

  it("drops only the row the database refuses, after retries", async () => {
    const { key } = await createKey({ name: "poison" }, { actor: "cli" });
    const logs: string[] = [];
    const r = recorder({ log: (line) => logs.push(line) });
    r.record(record(key.id, { requestId: "good-1" }));
    r.record(record("no-such-key", { requestId: "poison-1" })); // violates the foreign key
    r.record(record(key.id, { requestId: "good-2" }));
    await r.close();
    expect(await db.prisma.requestLog.count({ where: { requestId: { in: ["good-1", "good-2"] } } })).toBe(2);
    expect(await db.prisma.requestLog.count({ where: { requestId: "poison-1" } })).toBe(0);
    expect(logs.join("\n")).toMatch(/dropped request record poison-1/);
  });
});
