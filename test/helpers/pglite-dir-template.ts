// Opening a new PGlite data directory takes 10-15 s (initdb in WebAssembly); reopening a
// migrated one takes 1-2 s. Servers started by tests get a copy of a directory migrated
// once per set of migrations.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPglite } from "@/lib/db/client";
import { releaseDataDir } from "@/lib/db/lock";
import { readMigrations } from "@/lib/db/migrate";

function templatePath(): string {
  const digest = createHash("sha256").update(readMigrations().map((m) => `${m.name}:${m.checksum}`).join("\n")).digest("hex").slice(0, 16);
  return join(tmpdir(), `akm-pglite-dir-${digest}`);
}

export async function ensurePgliteDirTemplate(): Promise<string> {
  const target = templatePath();
  if (existsSync(target)) return target;
  const staging = join(mkdtempSync(join(tmpdir(), "akm-pglite-staging-")), "pglite");
  const pg = await openPglite(staging);
  await pg.close();
  releaseDataDir(staging);
  try {
    renameSync(staging, target);
  } catch (error) {
    if (!existsSync(target)) throw error; // another run made it first
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

/** Copies the migrated template to `<dataDir>/pglite`, where the server looks by default. */
export function seedPgliteDir(dataDir: string): void {
  const template = templatePath();
  if (!existsSync(template)) throw new Error("PGlite template missing: the jest globalSetup (test/jest/global-build.ts) makes it");
  cpSync(template, join(dataDir, "pglite"), { recursive: true });
}
