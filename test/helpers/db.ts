// A fresh embedded database per test file, in memory. Creating one and migrating it takes
// seconds; loading a migrated template takes a few hundred milliseconds, so the template
// is built once per set of migrations and kept in the OS temp directory.
import { PGlite } from "@electric-sql/pglite";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaClient } from "@/generated/prisma/client";
import { openPglite, pgliteAdapter, setDb } from "@/lib/db/client";
import { readMigrations } from "@/lib/db/migrate";

async function templateBlob(): Promise<Blob> {
  const migrations = readMigrations();
  const digest = createHash("sha256").update(migrations.map((m) => `${m.name}:${m.checksum}`).join("\n")).digest("hex").slice(0, 16);
  const file = join(tmpdir(), `akm-pglite-template-${digest}.tar`);
  if (!existsSync(file)) {
    const pg = await openPglite("memory://");
    const blob = await pg.dumpDataDir("none");
    await pg.close();
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
    renameSync(partial, file); // atomic: parallel workers never read half a file
  }
  return new Blob([readFileSync(file)]);
}

export interface TestDb {
  prisma: PrismaClient;
  pg: PGlite;
  close(): Promise<void>;
}

/** Opens a migrated in-memory database and makes it the process's client (getDb()). */
export async function openTestDb(): Promise<TestDb> {
  const pg = await PGlite.create({ loadDataDir: await templateBlob() });
  const prisma = new PrismaClient({ adapter: await pgliteAdapter(pg) });
  setDb(prisma);
  return {
    prisma,
    pg,
    close: async () => {
      setDb(undefined);
      await prisma.$disconnect();
      if (!pg.closed) await pg.close();
    },
  };
}

/** Registers beforeAll/afterAll hooks and returns a handle filled in before the first test. */
export function useTestDb(): TestDb {
  const handle = {} as TestDb;
  // The first suite after a change of migrations builds the template (a new embedded
  // database, migrated): seconds, more on a loaded machine.
  beforeAll(async () => {
    Object.assign(handle, await openTestDb());
  }, 120_000);
  afterAll(async () => {
    await handle.close?.();
  });
  return handle;
}

/**
 * Fills DATA_DIR's embedded database (<dataDir>/pglite) from the migrated template, for
 * suites that run processes on a data directory: creating one from scratch takes ~15 s.
 */
export async function seedDataDir(dataDir: string): Promise<void> {
  const dir = join(dataDir, "pglite");
  mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir, { loadDataDir: await templateBlob() });
  await pg.close();
}
