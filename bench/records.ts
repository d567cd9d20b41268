// The request records' own costs, the last part of `npm run bench`:
//   1. the journal on the hot path: CPU per record to serialize it and append it with one
//      write (what every /v1 request pays before its last byte), next to serializing alone;
//   2. replay: rows per second from a journal of BENCH_REPLAY_ROWS records (default 100,000)
//      into the embedded database (in this process) and into PostgreSQL (started here);
//   3. what partitioning request_logs by month costs an insert: the recorder's flush into
//      the schema as migrated now and into the same schema before the partitioning
//      migration (given the same unique index, so both run the same idempotent insert).
//      CPU per row in this process for PGlite, wall time per row for PostgreSQL.
// Interleaved runs and medians, as in bench/run.ts; the machine is shared and noisy.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client";
import { createPrisma, pgliteAdapter, type Db } from "../lib/db/client";
import { applyMigrations, readMigrations } from "../lib/db/migrate";
import { Journal } from "../lib/usage/journal";
import { UsageRecorder, type RequestRecord } from "../lib/usage/recorder";
import { startPostgres } from "../test/helpers/postgres";

process.env.LOG_LEVEL = "silent";
const REPLAY_ROWS = Number(process.env.BENCH_REPLAY_ROWS ?? 100_000);
const quiet = () => undefined;

let seq = 0;
function record(): RequestRecord {
  seq++;
  return {
    requestId: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`, keyId: null, method: "POST", path: "/v1/chat/completions",
    model: ["gpt-4o-mini", "claude-haiku-4-5"][seq % 2], provider: ["openai", "anthropic"][seq % 2], status: seq % 17 ? 200 : 429,
    errorCode: seq % 17 ? null : "rate_limit_exceeded", errorMessage: null, startedAt: Date.now(), latencyMs: 100 + (seq % 900), ttfbMs: 50,
    promptTokens: 10, completionTokens: 20, cachedTokens: null, clientIp: "10.0.0.1", stream: seq % 2 === 0, countedDay: null,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function journalCost(): void {
  const dir = mkdtempSync(join(tmpdir(), "akm-bench-journal-"));
  const journal = Journal.open({ dir, maxBytes: 8 * 1024 ** 3, fsyncMs: 1000 });
  const N = 50_000;
  const serialize: number[] = [];
  const append: number[] = [];
  for (let round = 0; round < 7; round++) {
    const records = Array.from({ length: N }, record);
    let t = cpuNow();
    for (const r of records) JSON.stringify({ r });
    serialize.push((cpuNow() - t) / N);
    t = cpuNow();
    for (const r of records) journal.append(JSON.stringify({ r }));
    append.push((cpuNow() - t) / N);
  }
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`\njournal on the hot path (CPU per record, median of 7 × ${N.toLocaleString("en")})`);
  console.log(`  serialize only                 ${median(serialize).toFixed(2)} µs`);
  console.log(`  serialize + append (1 write)   ${median(append).toFixed(2)} µs`);
}

async function replayInto(name: string, db: Db): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "akm-bench-replay-"));
  let journal = Journal.open({ dir, maxBytes: 8 * 1024 ** 3, fsyncMs: 1000 });
  for (let i = 0; i < REPLAY_ROWS; i++) journal.append(JSON.stringify({ r: record() }));
  journal.close();
  journal = Journal.open({ dir, maxBytes: 8 * 1024 ** 3, fsyncMs: 1000 });
  const started = performance.now();
  const recorder = new UsageRecorder({ db: () => db, journal, flushMs: 3_600_000, log: quiet });
  await recorder.close(600_000);
  const seconds = (performance.now() - started) / 1000;
  rmSync(dir, { recursive: true, force: true });
  console.log(`  ${name.padEnd(30)} ${Math.round(REPLAY_ROWS / seconds).toLocaleString("en").padStart(8)} rows/s (${REPLAY_ROWS.toLocaleString("en")} in ${seconds.toFixed(1)} s)`);
}

const PARTITIONING = "request_logs_partitioned";
// The old table given what the idempotent insert needs, so only partitioning differs.
const UNPARTITIONED_EXTRAS = `
  CREATE UNIQUE INDEX request_logs_request_id_created_at_key ON request_logs (request_id, created_at);
  ALTER TABLE events ADD COLUMN uid UUID;
  CREATE UNIQUE INDEX events_uid_key ON events (uid);`;

async function flushCost(db: Db, wall: boolean, rows = 1000): Promise<number> {
  const recorder = new UsageRecorder({ db: () => db, flushMs: 3_600_000, log: quiet });
  for (let i = 0; i < rows; i++) recorder.record(record());
  const cpu = cpuNow();
  const t = performance.now();
  await recorder.flush();
  const cost = wall ? ((performance.now() - t) * 1000) / rows : (cpuNow() - cpu) / rows;
  await recorder.close();
  return cost;
}

async function compareFlush(name: string, partitioned: Db, unpartitioned: Db, wall: boolean): Promise<void> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) {
    await flushCost(partitioned, wall);
    await flushCost(unpartitioned, wall);
  }
  for (let i = 0; i < 15; i++) {
    a.push(await flushCost(partitioned, wall));
    b.push(await flushCost(unpartitioned, wall));
  }
  console.log(`  ${name.padEnd(30)} ${median(a).toFixed(1).padStart(8)} ${median(b).toFixed(1).padStart(14)} µs per row (${wall ? "wall" : "CPU"})`);
}

async function pglite(migrations: ReturnType<typeof readMigrations>, extra = ""): Promise<{ db: PrismaClient; close(): Promise<void> }> {
  const p = await PGlite.create();
  await applyMigrations(p, migrations);
  if (extra) await p.exec(extra);
  await p.refreshArrayTypes();
  const db = new PrismaClient({ adapter: await pgliteAdapter(p) });
  return { db, close: () => db.$disconnect() };
}

const migrations = readMigrations();
const before = migrations.slice(0, migrations.findIndex((m) => m.name.endsWith(PARTITIONING)));

journalCost();

console.log(`\nreplaying a journal (${REPLAY_ROWS.toLocaleString("en")} records, batches of 1,000)`);
const embedded = await pglite(migrations);
await replayInto("into embedded PGlite", embedded.db);
const server = await startPostgres();
try {
  await server.migrate();
  const postgres = createPrisma(server.url);
  await replayInto("into PostgreSQL", postgres);

  console.log(`\nrecorder flush of 1,000 records: partitioned request_logs vs the table before partitioning`);
  console.log(`  ${"".padEnd(30)} ${"partitioned".padStart(8)} ${"unpartitioned".padStart(14)}`);
  const oldEmbedded = await pglite(before, UNPARTITIONED_EXTRAS);
  await compareFlush("embedded PGlite", embedded.db, oldEmbedded.db, false);
  await oldEmbedded.close();
  const oldUrl = await server.createDatabase("unpartitioned");
  const client = new pg.Client({ connectionString: oldUrl });
  await client.connect();
  await applyMigrations({ exec: (sql) => client.query(sql), query: async (sql, params) => ({ rows: (await client.query(sql, params)).rows }) }, before);
  await client.query(UNPARTITIONED_EXTRAS);
  await client.end();
  const oldPostgres = createPrisma(oldUrl);
  await compareFlush("PostgreSQL", postgres, oldPostgres, true);
  await oldPostgres.$disconnect();
  await postgres.$disconnect();
} finally {
  await embedded.close();
  await server.stop();
}
console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(", ")} (1, 5, 15 min; ${availableParallelism()} cores)`);
