// The migration that partitions request_logs, applied to a database that already has a
// log: every row, the hourly rollup and the id sequence come through unchanged.
import { PGlite } from "@electric-sql/pglite";
import { applyMigrations, readMigrations } from "@/lib/db/migrate";

const PARTITIONING = "request_logs_partitioned";

it("keeps an existing log, its statistics and its ids when request_logs becomes partitioned", async () => {
  const migrations = readMigrations();
  const at = migrations.findIndex((m) => m.name.endsWith(PARTITIONING));
  expect(at).toBeGreaterThan(0);
  const pg = await PGlite.create();
  try {
    await applyMigrations(pg, migrations.slice(0, at));
    await pg.exec(`
      INSERT INTO api_keys (id, name, prefix, hash, expires_at, daily_limit, rate_limit)
        VALUES ('k1', 'old', 'sk-akm_old0', 'h-old', now() + interval '1 year', 100, 10);
      INSERT INTO request_logs (created_at, request_id, key_id, path, model, provider, status, latency_ms, prompt_tokens, completion_tokens)
        SELECT timestamptz '2025-10-30 22:00:00+00' + n * interval '7 hours', 'old-' || n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'k1' END,
               '/v1/chat/completions', 'gpt-4o-mini', 'openai', CASE WHEN n % 5 = 0 THEN 429 ELSE 200 END, 10 + n, n, 2 * n
        FROM generate_series(1, 300) AS n;`);
    const snapshot = async () => ({
      log: (await pg.query(`SELECT id, created_at, request_id, key_id, status, latency_ms, prompt_tokens FROM request_logs ORDER BY id`)).rows,
      hourly: (await pg.query(`SELECT * FROM usage_hourly ORDER BY hour, key_id, status`)).rows,
    });
    const before = await snapshot();

    expect(await applyMigrations(pg, migrations)).toEqual(migrations.slice(at).map((m) => m.name));

    expect(await snapshot()).toEqual(before);
    const parts = (await pg.query<{ name: string }>(`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'request_logs'::regclass ORDER BY 1`)).rows.map((r) => r.name);
    expect(parts).toEqual(expect.arrayContaining(["request_logs_default", "request_logs_p2025_10", "request_logs_p2025_11", "request_logs_p2026_01"]));
    expect((await pg.query(`SELECT count(*)::int AS n FROM request_logs_default`)).rows).toEqual([{ n: 0 }]);
    // New rows continue the id sequence and still feed the rollup.
    await pg.exec(`INSERT INTO request_logs (created_at, request_id, key_id, path, status, latency_ms) VALUES ('2025-11-01 00:30:00+00', 'new-1', 'k1', '/v1/models', 200, 5)`);
    const { rows } = await pg.query<{ id: number; max: number }>(`SELECT id::int, (SELECT max(id)::int FROM request_logs WHERE request_id LIKE 'old-%') AS max FROM request_logs WHERE request_id = 'new-1'`);
    expect(rows[0].id).toBeGreaterThan(rows[0].max);
    const hour = await pg.query(`SELECT requests FROM usage_hourly WHERE hour = '2025-11-01 00:00:00+00' AND key_id = 'k1' AND status = 200 AND provider = ''`);
    expect(hour.rows).toEqual([{ requests: 1 }]);
  } finally {
    await pg.close();
  }
}, 120_000);
