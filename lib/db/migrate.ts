// Applies prisma/migrations/*/migration.sql in order and records each one in Prisma's own
// `_prisma_migrations` table (sha256 checksum of the file), so this runner and
// `prisma migrate deploy` agree about what has been applied. It exists because Prisma's
// migrate commands need a native engine that Prisma downloads from its own servers.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { log } from "@/lib/log";

export interface SqlRunner {
  /** Runs a script of one or more statements without parameters. */
  exec(sql: string): Promise<unknown>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

// Prisma takes this advisory lock too; concurrent starters wait instead of racing.
const MIGRATION_LOCK = 72707369;

export function defaultMigrationsDir(): string {
  return join(/*turbopackIgnore: true*/ process.cwd(), "prisma", "migrations");
}

export function readMigrations(dir = defaultMigrationsDir()): Migration[] {
  if (!existsSync(/*turbopackIgnore: true*/ dir)) {
    throw new Error(`migrations folder not found: ${dir} (run from the project directory)`);
  }
  return readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(/*turbopackIgnore: true*/ join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Applies the migrations not yet recorded; returns the names it applied. */
export async function applyMigrations(db: SqlRunner, migrations = readMigrations()): Promise<string[]> {
  // Before anything else: even CREATE TABLE IF NOT EXISTS fails when two starters race.
  await db.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await db.query<{ migration_name: string; checksum: string; finished_at: unknown }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const unfinished = rows.filter((r) => r.finished_at == null).map((r) => r.migration_name);
    if (unfinished.length) {
      throw new Error(`migration(s) started but never finished: ${unfinished.join(", ")}; repair the database by hand`);
    }
    const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    const done: string[] = [];
    for (const m of migrations) {
      const previous = applied.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) log.warn(`[db] migration ${m.name} was edited after it was applied`);
        continue;
      }
      await db.exec("BEGIN");
      try {
        await db.exec(m.sql);
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await db.exec("COMMIT");
      } catch (error) {
        await db.exec("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
      }
      done.push(m.name);
    }
    return done;
  } finally {
    await db.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
  }
}
