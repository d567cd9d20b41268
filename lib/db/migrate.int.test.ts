import pg from "pg";
import { applyMigrations, readMigrations } from "./migrate";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

function runner(client: pg.Client) {
  return { exec: (sql: string) => client.query(sql), query: (sql: string, params?: unknown[]) => client.query(sql, params) };
}

describe("migrations on a real PostgreSQL", () => {
  it("applies every migration once and records it the way Prisma does", async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const expected = readMigrations().map((m) => m.name);
      expect(await applyMigrations(runner(client))).toEqual(expected);
      expect(await applyMigrations(runner(client))).toEqual([]);
      const { rows } = await client.query(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`);
      expect(rows.map((r) => r.migration_name)).toEqual(expected);
      expect(rows.every((r) => r.finished_at instanceof Date && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
      const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
      expect(tables.rows.map((r) => r.tablename)).toEqual(
        expect.arrayContaining(["api_keys", "key_daily_usage", "request_logs", "events", "admin_users", "audit_logs", "management_tokens"]),
      );
    } finally {
      await client.end();
    }
  });

  it("lets concurrent starters race without applying anything twice", async () => {
    const url = await server.createDatabase("race");
    const clients = await Promise.all([0, 1, 2].map(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }));
    try {
      const results = await Promise.all(clients.map((c) => applyMigrations(runner(c))));
      expect(results.flat()).toEqual(readMigrations().map((m) => m.name));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});
