// `db migrate`: applies prisma/migrations to the configured database (the seed project's
// `flask db upgrade`). The embedded database also migrates itself when it is opened;
// PostgreSQL deployments run this before starting new app versions.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import type { Env } from "@/lib/config/env";
import { DataDirLockedError, lockDataDir, lockHolder, releaseDataDir } from "@/lib/db/lock";
import { applyMigrations, readMigrations, type Migration, type SqlRunner } from "@/lib/db/migrate";
import { readServerInfo } from "@/lib/runtime/local-files";
import { booleanFlag } from "../args";
import { pgliteDir } from "../backend";
import { jsonOption, type Command } from "../command";
import { CliFailure } from "../errors";

/** The PostgreSQL address without its password, for messages. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const runner: SqlRunner = {
      exec: (sql) => client.query(sql),
      query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as T[] }),
    };
    return await applyMigrations(runner, migrations);
  } finally {
    await client.end();
  }
}

async function migratePglite(env: Env, dir: string, migrations: Migration[], note: (text: string) => void): Promise<string[]> {
  if (dir === "memory://") throw new CliFailure("DATABASE_URL=pglite:memory:// is a new, empty database in every process: there is nothing to migrate");
  const holder = lockHolder(dir);
  if (holder !== null && holder !== process.pid) {
    const server = readServerInfo(env.dataDir);
    if (server?.pid === holder) {
      throw new CliFailure(
        `the server (pid ${holder}, ${server.url}) holds the embedded database in ${dir}. ` +
          "It applies pending migrations itself when it starts: restart it to apply new ones.",
      );
    }
    throw new DataDirLockedError(dir, holder);
  }
  if (!existsSync(dir) || readdirSync(dir).length === 0) note(`Creating the embedded database in ${dir} (the first time takes 10-20 seconds)…`);
  mkdirSync(dir, { recursive: true });
  lockDataDir(dir);
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const pg = await PGlite.create(dir);
    try {
      return await applyMigrations(pg, migrations);
    } finally {
      await pg.close();
    }
  } finally {
    releaseDataDir(dir);
  }
}

const migrate: Command = {
  name: "db migrate",
  summary: "apply pending database migrations",
  options: { ...jsonOption },
  help: `Usage: npm run db:migrate [-- --json]
       npm run cli -- db migrate [--json]

Applies the migrations in prisma/migrations that the database has not seen yet, in
order, and records them in Prisma's _prisma_migrations table. Safe to run again and
from several machines at once (they take turns).

Database: DATABASE_URL (PostgreSQL) or, when it is unset, the embedded database in
DATA_DIR, which also migrates itself whenever the server starts.

Options:
  --json                   print {"applied":[…],"total":<n>}
  -h, --help               show this help`,
  async run(args, ctx) {
    const env = ctx.env();
    const migrations = readMigrations();
    const dir = pgliteDir(env);
    const where = dir === null ? describePostgres(env.databaseUrl) : `The embedded database in ${dir}`;
    const applied = dir === null ? await migratePostgres(env.databaseUrl, migrations) : await migratePglite(env, dir, migrations, ctx.note);
    if (booleanFlag(args, "json")) return ctx.printJson({ applied, total: migrations.length });
    if (applied.length === 0) return ctx.print(`${where} is up to date (${migrations.length} migration(s)).`);
    ctx.print([`Applied ${applied.length} migration(s) to ${where.replace(/^The/, "the")}:`, ...applied.map((name) => `  ${name}`)].join("\n"));
  },
};

export const dbCommands: Command[] = [migrate];
