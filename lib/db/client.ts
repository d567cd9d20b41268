// One Prisma client per process. DATABASE_URL picks the driver (lib/config/env.ts):
// PGlite in-process for the embedded mode, node-postgres for a PostgreSQL server.
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { mkdirSync } from "node:fs";
import { PrismaClient } from "@/generated/prisma/client";
import { getEnv } from "@/lib/config/env";
import { lockDataDir, releaseDataDir } from "./lock";
import { applyMigrations } from "./migrate";
import { log } from "@/lib/log";

export type Db = PrismaClient;

/** Opens (creating if needed) a PGlite database and brings its schema up to date. */
export async function openPglite(dir: string, options: { loadDataDir?: Blob } = {}): Promise<PGlite> {
  const { PGlite } = await import("@electric-sql/pglite");
  const memory = dir === "memory://";
  if (!memory) {
    mkdirSync(/*turbopackIgnore: true*/ dir, { recursive: true });
    lockDataDir(dir);
  }
  try {
    const pg = await PGlite.create(memory ? undefined : dir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
    const applied = await applyMigrations(pg);
    if (applied.length) {
      log.info(`[db] applied migrations: ${applied.join(", ")}`);
      // PGlite reads the array types it can serialize once, when it opens. Types the
      // migrations just created ("EventCategory"[] …) are unknown to it until this reload:
      // a JS array bound to them would go out as the text 'a,b' (22P02, malformed array
      // literal) until the next start.
      await pg.refreshArrayTypes();
    }
    return pg;
  } catch (error) {
    if (!memory) releaseDataDir(dir);
    throw error;
  }
}

/** A Prisma adapter over an already open PGlite (tests pass one built from a template). */
export async function pgliteAdapter(pg: PGlite | Promise<PGlite>, onClose?: () => void): Promise<SqlDriverAdapterFactory> {
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const db = await pg;
  const factory = new PrismaPGlite(db) as unknown as SqlDriverAdapterFactory;
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      // The adapter's own dispose() leaves PGlite open, and an open PGlite keeps the process alive.
      return Object.assign(adapter, {
        dispose: async () => {
          if (!db.closed) await db.close();
          onClose?.();
        },
      });
    },
  };
}

// PGlite starts lazily: importing this module opens nothing, so a CLI command that talks
// to a running server never touches the locked data directory.
function lazyPglite(dir: string): SqlDriverAdapterFactory {
  let ready: Promise<SqlDriverAdapterFactory> | undefined;
  return {
    provider: "postgres",
    adapterName: "pglite-lazy",
    connect: async () => {
      ready ??= pgliteAdapter(openPglite(dir), () => {
        ready = undefined;
        if (dir !== "memory://") releaseDataDir(dir);
      });
      ready.catch(() => (ready = undefined));
      return (await ready).connect();
    },
  };
}

export function createPrisma(url = getEnv().databaseUrl): PrismaClient {
  if (url.startsWith("pglite:")) return new PrismaClient({ adapter: lazyPglite(url.slice("pglite:".length)) });
  const env = getEnv();
  return new PrismaClient({
    adapter: new PrismaPg({
      connectionString: url,
      max: env.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: env.DATABASE_POOL_TIMEOUT * 1000,
    }),
  });
}

// One client per process: the host and Next's pages share this module (scripts/build.mjs),
// and two PGlite instances on one directory would corrupt it.
let db: PrismaClient | undefined;

export function getDb(): PrismaClient {
  return (db ??= createPrisma());
}

/** Replaces the process's client (tests) and returns the previous one. */
export function setDb(client: PrismaClient | undefined): PrismaClient | undefined {
  const previous = db;
  db = client;
  return previous;
}

export async function disconnectDb(): Promise<void> {
  const client = db;
  db = undefined;
  await client?.$disconnect();
}
