import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPrisma } from "@/lib/db/client";
import { Journal } from "./journal";
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

  it("keeps a record whose key was removed from the database, without its key", async () => {
    const r = recorder();
    r.record(record("no-such-key", { requestId: "orphan-1" }));
    await r.flush();
    expect(r.pending).toBe(0);
    expect(await db.prisma.requestLog.findFirstOrThrow({ where: { requestId: "orphan-1" } })).toMatchObject({ keyId: null, status: 200 });
  });

  it("stores text the database could not hold as text it can: NUL characters, endless model names, huge counts", async () => {
    const r = recorder();
    r.record(record(null, { requestId: "nul-1", model: "gpt\u0000-4o" + "x".repeat(10_000), errorMessage: "bad\u0000byte", promptTokens: 1e12 }), [
      { category: "security", level: "warn", type: "invalid_api_key", message: "nul\u0000here", details: { model: "a\u0000b" } },
    ]);
    await r.flush();
    expect(r.pending).toBe(0);
    const row = await db.prisma.requestLog.findFirstOrThrow({ where: { requestId: "nul-1" } });
    expect(row.model).toBe(("gpt\uFFFD-4o" + "x".repeat(10_000)).slice(0, 256));
    expect(row.errorMessage).toBe("bad\uFFFDbyte");
    expect(row.promptTokens).toBe(2_147_483_647);
    expect(await db.prisma.event.findFirstOrThrow({ where: { message: "nul\uFFFDhere" } })).toMatchObject({ details: { model: "a\uFFFDb" } });
  });

  it("sets aside only the entry the database refuses, after retries, and writes the rest", async () => {
    const logs: string[] = [];
    const r = recorder({ log: (line) => logs.push(line) });
    r.record(record(null, { requestId: "good-1" }));
    r.event({ category: "bogus" as "system", level: "warn", type: "poison", message: "not a category" });
    r.record(record(null, { requestId: "good-2" }));
    await r.close();
    expect(await db.prisma.requestLog.count({ where: { requestId: { in: ["good-1", "good-2"] } } })).toBe(2);
    expect(await db.prisma.event.count({ where: { type: "poison" } })).toBe(0);
    expect(logs.join("\n")).toMatch(/dropped event poison, which the database refuses/);
  });

  describe("with its journal", () => {
    const dirs: string[] = [];
    afterEach(() => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    });
    const journalIn = (dir: string, maxBytes = 1 << 24) => Journal.open({ dir, maxBytes, fsyncMs: 60_000 });
    const newDir = () => {
      const dir = mkdtempSync(join(tmpdir(), "akm-recorder-"));
      dirs.push(dir);
      return dir;
    };
    const countRows = (ids: string[]) => db.prisma.requestLog.count({ where: { requestId: { in: ids } } });

    it("replays at the next start what a killed process had journaled but not written, counting it toward the day meanwhile", async () => {
      const { key } = await createKey({ name: "crash" }, { actor: "cli" });
      const dir = newDir();
      const before = recorder({ journal: journalIn(dir) });
      const ids = ["crash-1", "crash-2", "crash-3"];
      for (const id of ids) before.record(record(key.id, { requestId: id }), [{ category: "system", level: "error", type: "upstream_error", message: `for ${id}`, requestId: id }]);
      // The process dies here: nothing flushed. Its journal file is all that is left.
      (before as unknown as { journal: Journal }).journal.close();
      recorders.splice(recorders.indexOf(before), 1);

      const after = recorder({ journal: journalIn(dir) });
      expect(after.pending).toBe(1);
      expect(after.unflushedRequests(key.id, "2026-11-30")).toBe(3);
      await after.flush();
      expect(after.pending).toBe(0);
      expect(after.unflushedRequests(key.id, "2026-11-30")).toBe(0);
      expect(await countRows(ids)).toBe(3);
      expect(await db.prisma.event.count({ where: { requestId: { in: ids }, type: "upstream_error" } })).toBe(3);
      expect(await db.prisma.keyDailyUsage.findUniqueOrThrow({ where: { keyId_day: { keyId: key.id, day: new Date("2026-11-30") } } })).toMatchObject({ requests: 3 });
    });

    it("writes each row once when a replay repeats a batch the database already has (a crash between write and checkpoint)", async () => {
      const { key } = await createKey({ name: "replay" }, { actor: "cli" });
      const dir = newDir();
      const first = recorder({ journal: journalIn(dir) });
      const ids = ["twice-1", "twice-2"];
      for (const id of ids) first.record(record(key.id, { requestId: id }), [{ category: "security", level: "warn", type: "rate_limited", message: id, requestId: id }]);
      await first.close();
      rmSync(join(dir, "checkpoint.json")); // as if the checkpoint had not been written

      const second = recorder({ journal: journalIn(dir) });
      expect(second.pending).toBe(1);
      await second.close();
      expect(await countRows(ids)).toBe(2);
      expect(await db.prisma.event.count({ where: { requestId: { in: ids } } })).toBe(2);
      expect(await db.prisma.keyDailyUsage.findUniqueOrThrow({ where: { keyId_day: { keyId: key.id, day: new Date("2026-11-30") } } })).toMatchObject({ requests: 2 });
    });

    it("keeps memory bounded while the database is away: later records wait in the journal and are written in order", async () => {
      const { key } = await createKey({ name: "outage" }, { actor: "cli" });
      const unreachable = createPrisma(`postgresql://akm@127.0.0.1:${await freePort()}/nothing`);
      let reachable = false;
      const r = recorder({ journal: journalIn(newDir()), maxQueued: 5, db: () => (reachable ? db.prisma : unreachable) });
      const ids = Array.from({ length: 2500 }, (_, i) => `out-${i}`);
      for (const id of ids) r.record(record(key.id, { requestId: id }));
      await r.flush();
      expect((r as unknown as { queue: unknown[] }).queue.length).toBe(5);
      expect(r.unflushedRequests(key.id, "2026-11-30")).toBe(2500);

      reachable = true;
      await r.close();
      expect(r.pending).toBe(0);
      expect(r.unflushedRequests(key.id, "2026-11-30")).toBe(0);
      const rows = await db.prisma.requestLog.findMany({ where: { requestId: { startsWith: "out-" } }, orderBy: { id: "asc" }, select: { requestId: true } });
      expect(rows.map((x) => x.requestId)).toEqual(ids);
      await unreachable.$disconnect();
    });

    it("says so when the journal is full, keeps what fits in memory and counts what it could not keep", async () => {
      const unreachable = createPrisma(`postgresql://akm@127.0.0.1:${await freePort()}/nothing`);
      let reachable = false;
      const logs: string[] = [];
      const r = recorder({ journal: journalIn(newDir(), 2000), maxQueued: 3, db: () => (reachable ? db.prisma : unreachable), log: (line) => logs.push(line) });
      const ids = Array.from({ length: 10 }, (_, i) => `full-${i}`);
      for (const id of ids) r.record(record(null, { requestId: id }));
      expect(logs.join("\n")).toMatch(/request journal is full/);
      expect(logs.join("\n")).toMatch(/not recorded: 1 request record/);
      reachable = true;
      await r.close();
      const kept = await db.prisma.requestLog.findMany({ where: { requestId: { startsWith: "full-" } }, orderBy: { id: "asc" }, select: { requestId: true } });
      // The journal took the first few (about 500 bytes each), the rest was dropped.
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.map((k) => k.requestId)).toEqual(ids.slice(0, kept.length));
      expect(logs.join("\n")).toMatch(/recording again; \d+ request record\(s\) and event\(s\) could not be kept/);
      await unreachable.$disconnect();
    });
  });
});
