import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { childEnv } from "@/test/helpers/child-env";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";

const ROOT = resolve(__dirname, "../..");
let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe("scripts/backup.sh", () => {
  it("dumps with pg_dump, keeps the newest files, and the dump restores into an empty database", async () => {
    await server.migrate();
    await withClient(server.url, async (c) => {
      await c.query(
        `INSERT INTO api_keys (id, name, prefix, hash, expires_at, daily_limit, rate_limit) VALUES ('k1', 'backed-up', 'sk-akm_abcdef', 'h1', now() + interval '1 day', 10, 5)`,
      );
    });
    const dir = mkdtempSync(join(tmpdir(), "akm-backup-"));
    for (let i = 0; i < 3; i++) {
      const run = spawnSync("bash", [join(ROOT, "scripts/backup.sh"), dir], {
        env: childEnv({ DATABASE_URL: server.url, KEEP: "2" }),
        encoding: "utf8",
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      // Distinct file names need distinct seconds; wait for the clock, not a fixed time.
      const second = Math.floor(Date.now() / 1000);
      while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setImmediate(r));
    }
    const dumps = readdirSync(dir).filter((f) => f.endsWith(".dump")).sort();
    expect(dumps).toHaveLength(2);

    const target = await server.createDatabase("restored");
    const restore = spawnSync("pg_restore", ["--no-owner", "-d", target, join(dir, dumps[1])], { encoding: "utf8" });
    expect(restore.stderr).toBe("");
    expect(restore.status).toBe(0);
    const rows = await withClient(target, (c) => c.query(`SELECT name FROM api_keys`));
    expect(rows.rows).toEqual([{ name: "backed-up" }]);
  });

  it("refuses anything but a PostgreSQL URL with exit code 2", () => {
    const run = spawnSync("bash", [join(ROOT, "scripts/backup.sh")], { env: childEnv({ DATABASE_URL: "pglite:./data" }), encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/embedded database/);
  });
});
