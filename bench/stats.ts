// How fast the console's pages get their data from a large request log (issue 5: "1M
// request records → page data in under a second"). Loads 1,000,000 request_logs rows
// (30 days, 50 keys, 6 models, a mix of statuses shaped as the gateway writes them:
// refusals without model and provider), 100,000 events and 10,000 audit entries into a
// real PostgreSQL — the usage_hourly triggers fill the rollup as they would in service —
// then times each page's queries the way the page runs them (in parallel), cold once and
// then warm, and prints the machine's load average with the figures (the machine is shared).
// Last, the rollup's price on the write path: the usage recorder's flush into the embedded
// database (in the gateway's own process), with and without the usage_hourly trigger.
//
//   npm run bench:stats                      # starts its own PostgreSQL (test/helpers/postgres.ts)
//   DATABASE_URL=postgresql://… npm run bench:stats   # an existing, EMPTY database
//   BENCH_ROWS=200000 npm run bench:stats    # a smaller log
//
// Runs with `--conditions=react-server` so the `server-only` guard of the query modules
// resolves as it does inside Next's server.
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { startPostgres, type PostgresServer } from "../test/helpers/postgres";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = 7;

let server: PostgresServer | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  process.stdout.write("starting PostgreSQL… ");
  server = await startPostgres();
  url = server.url;
  console.log("ok");
}
process.env.DATABASE_URL = url;
try {
  await run(url);
} finally {
  await server?.stop();
}

async function run(url: string): Promise<void> {
  process.env.LOG_LEVEL = "silent";

  const { applyMigrations } = await import("../lib/db/migrate");
  const { disconnectDb } = await import("../lib/db/client");
  const { getDashboard } = await import("../lib/console/dashboard");
  const { listLogEntries } = await import("../lib/console/logs");
  const { chooseBucket } = await import("../lib/console/time");
  const { getUsageFilterOptions, getUsageOverview, getUsageSeries } = await import("../lib/usage/queries");

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const runner = { exec: (sql: string) => client.query(sql), query: (sql: string, params?: unknown[]) => client.query(sql, params) };
  await applyMigrations(runner);
  const { rows: existing } = await client.query<{ n: string }>("SELECT count(*) AS n FROM request_logs");
  if (Number(existing[0].n) > 0) throw new Error("the database already has request logs; give bench:stats an empty one");

  const load = performance.now();
  process.stdout.write(`loading ${ROWS.toLocaleString("en")} request logs… `);
  await client.query(`
    INSERT INTO api_keys (id, name, prefix, hash, expires_at, daily_limit, rate_limit)
    SELECT 'bench_key_' || k, 'bench key ' || k, 'sk-akm_b' || lpad(k::text, 5, '0'), 'bench-hash-' || k, now() + interval '200 days', 100000, 600
    FROM generate_series(1, 50) AS k`);
  await client.query(
    `
    INSERT INTO request_logs (created_at, request_id, key_id, path, model, provider, status, error_code, error_message,
                              latency_ms, ttfb_ms, prompt_tokens, completion_tokens, client_ip, stream)
    SELECT created_at, 'req_' || g, CASE WHEN status = 401 AND g % 2 = 0 THEN NULL ELSE 'bench_key_' || (1 + g % 50) END,
           '/v1/chat/completions',
           CASE WHEN status IN (401, 429) THEN NULL ELSE (ARRAY['gpt-4o-mini','gpt-4o','claude-haiku-4-5','claude-sonnet-4-5','gemini-2.0-flash','gemini-2.5-pro'])[m] END,
           CASE WHEN status IN (401, 429) THEN NULL ELSE (ARRAY['openai','openai','anthropic','anthropic','gemini','gemini'])[m] END,
           status,
           CASE status WHEN 200 THEN (CASE WHEN g % 97 = 0 THEN 'upstream_stream_error' END) WHEN 429 THEN 'rate_limit_exceeded' WHEN 401 THEN 'invalid_api_key' ELSE 'upstream_unreachable' END,
           CASE status WHEN 200 THEN (CASE WHEN g % 97 = 0 THEN 'stream broke off' END) ELSE 'bench failure ' || status END,
           latency, CASE WHEN status = 200 THEN latency / 3 END,
           CASE WHEN status = 200 THEN 50 + (g::bigint * 7919) % 900 END,
           CASE WHEN status = 200 THEN 20 + (g::bigint * 104729) % 600 END,
           '203.0.113.' || (g % 200), g % 3 = 0
    FROM (
      SELECT g,
             now() - (random() ^ 1.3) * interval '30 days' AS created_at,
             1 + (g % 6) AS m,
             (ARRAY[200,200,200,200,200,200,200,200,200,200,200,200,200,200,200,200,200,429,401,502])[1 + (g % 20)] AS status,
             (200 + random() ^ 2 * 5000)::int AS latency
      FROM generate_series(1, $1::int) AS g
    ) AS r
    -- In time order, as the gateway appends them: a day's rows sit together on disk.
    ORDER BY created_at`,
    [ROWS],
  );
  await client.query(`
    INSERT INTO events (created_at, category, level, type, message, key_id, client_ip)
    SELECT now() - random() * interval '30 days', CASE WHEN g % 10 = 0 THEN 'system' ELSE 'security' END::"EventCategory",
           CASE WHEN g % 10 = 0 THEN 'error' ELSE 'warn' END::"EventLevel",
           (ARRAY['invalid_api_key','rate_limited','ip_not_allowed','signin_failed'])[1 + g % 4], 'bench event ' || g,
           'bench_key_' || (1 + g % 50), '198.51.100.' || (g % 200)
    FROM generate_series(1, 100000) AS g`);
  await client.query(`
    INSERT INTO audit_logs (created_at, actor, action, target_type, target_id, target_name, client_ip)
    SELECT now() - random() * interval '30 days', 'admin:bench@example.com', 'key.update', 'key', 'bench_key_' || (1 + g % 50), 'bench key', '192.0.2.1'
    FROM generate_series(1, 10000) AS g`);
  await client.query("VACUUM ANALYZE");
  console.log(`done in ${((performance.now() - load) / 1000).toFixed(1)} s`);
  const size = await client.query<{ size: string; rollup: string; rollup_size: string }>(
    "SELECT pg_size_pretty(pg_total_relation_size('request_logs')) AS size, (SELECT count(*) FROM usage_hourly) AS rollup, pg_size_pretty(pg_total_relation_size('usage_hourly')) AS rollup_size",
  );
  await client.end();

  const now = new Date();
  const timeZone = "Asia/Shanghai";
  const days = (n: number) => ({ from: new Date(now.getTime() - n * 86_400_000), to: now, timeZone });
  const usagePage = (f: ReturnType<typeof days> & { keyId?: string; provider?: string }) => () =>
    Promise.all([getUsageOverview(f), getUsageSeries(f, chooseBucket(f.from, f.to)), getUsageFilterOptions(f)]);

  const pages: [string, () => Promise<unknown>][] = [
    ["dashboard (today + 24 h, top keys/models)", () => getDashboard(now, timeZone)],
    ["usage, last 24 h", usagePage(days(1))],
    ["usage, last 7 days", usagePage(days(7))],
    ["usage, last 30 days (every row)", usagePage(days(30))],
    ["usage, 30 days, one key", usagePage({ ...days(30), keyId: "bench_key_7" })],
    ["usage, 30 days, one provider", usagePage({ ...days(30), provider: "anthropic" })],
    ["logs, 7 days, page 1", () => listLogEntries({ from: days(7).from, to: now }, 1)],
    ["logs, 7 days, text search", () => listLogEntries({ from: days(7).from, to: now, text: "upstream" }, 1)],
    ["logs, 30 days, page 20", () => listLogEntries({ from: days(30).from, to: now }, 20)],
  ];

  const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
  const load1 = () => loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`\nrequest_logs: ${ROWS.toLocaleString("en")} rows, ${size.rows[0].size}; usage_hourly: ${Number(size.rows[0].rollup).toLocaleString("en")} rows, ${size.rows[0].rollup_size}`);
  console.log(`${RUNS} warm runs per page; load average before: ${load1()}\n`);
  console.log(`${"page".padEnd(44)}${"cold".padStart(9)}${"median".padStart(9)}${"max".padStart(9)}`);
  for (const [name, run] of pages) {
    let start = performance.now();
    await run();
    const cold = performance.now() - start;
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`${name.padEnd(44)}${ms(cold)}${ms(times[Math.floor(RUNS / 2)])}${ms(times[RUNS - 1])}`);
  }
  console.log(`\nload average after: ${load1()} (1, 5, 15 min; ${availableParallelism()} cores)`);

  await disconnectDb();
  await measureFlush();
}

/** CPU per flushed request record, embedded PGlite, with the rollup trigger and without it. */
async function measureFlush(): Promise<void> {
  const { PrismaClient } = await import("../generated/prisma/client");
  const { openPglite, pgliteAdapter } = await import("../lib/db/client");
  const { UsageRecorder } = await import("../lib/usage/recorder");
  const pg = await openPglite("memory://");
  const db = new PrismaClient({ adapter: await pgliteAdapter(pg) });
  const recorder = new UsageRecorder({ db: () => db, flushMs: 3_600_000, log: () => undefined });
  let seq = 0;
  const flush = async (rows: number) => {
    for (let i = 0; i < rows; i++) {
      seq++;
      recorder.record({
        requestId: `flush_${seq}`, keyId: null, method: "POST", path: "/v1/chat/completions", model: ["gpt-4o-mini", "claude-haiku-4-5"][seq % 2],
        provider: ["openai", "anthropic"][seq % 2], status: seq % 17 ? 200 : 429, errorCode: null, errorMessage: null, startedAt: Date.now(),
        latencyMs: 100 + (seq % 900), ttfbMs: 50, promptTokens: 10, completionTokens: 20, cachedTokens: null, clientIp: "10.0.0.1", stream: false, countedDay: null,
      });
    }
    const cpu = process.cpuUsage();
    await recorder.flush();
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / rows;
  };
  const median = async (rows: number) => {
    for (let i = 0; i < 3; i++) await flush(rows);
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) samples.push(await flush(rows));
    return samples.sort((a, b) => a - b)[7];
  };
  console.log(`\nusage recorder flush into embedded PGlite, CPU µs per request record (median of 15 flushes)`);
  console.log(`${"rows per flush".padEnd(20)}${"with rollup".padStart(14)}${"without".padStart(10)}`);
  for (const rows of [20, 200, 1000]) {
    const withRollup = await median(rows);
    await pg.exec("ALTER TABLE request_logs DISABLE TRIGGER request_logs_rollup_insert");
    const without = await median(rows);
    await pg.exec("ALTER TABLE request_logs ENABLE TRIGGER request_logs_rollup_insert");
    console.log(`${String(rows).padEnd(20)}${withRollup.toFixed(1).padStart(14)}${without.toFixed(1).padStart(10)}`);
  }
  await recorder.close();
  await db.$disconnect();
}
