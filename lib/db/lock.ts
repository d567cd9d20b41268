// PGlite has no lock of its own: two processes on one data directory silently lose
// writes (measured). The first process to open it writes its pid to <dir>.lock; a second
// one is refused with a message that says who holds it.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dir} is in use by process ${pid}. ` +
        "Only one process can open it: stop that process, use the CLI (it talks to a running server), " +
        "or set DATABASE_URL=postgresql://… to share a PostgreSQL server.",
    );
  }
}

export function lockFileFor(dir: string): string {
  return `${dir.replace(/\/+$/, "")}.lock`;
}

/** The pid holding the lock on `dir`, or null when it is free or its holder is gone. */
export function lockHolder(dir: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(/*turbopackIgnore: true*/ lockFileFor(dir), "utf8"), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (pid === process.pid) return pid;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : null;
  }
}

const held = new Set<string>();

/** Takes the lock for this process; released when the process exits. */
export function lockDataDir(dir: string): void {
  const file = lockFileFor(dir);
  if (held.has(file)) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(/*turbopackIgnore: true*/ file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(file);
      process.once("exit", () => releaseDataDir(dir));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = lockHolder(dir);
      if (holder !== null && holder !== process.pid) throw new DataDirLockedError(dir, holder);
      rmSync(/*turbopackIgnore: true*/ file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${dir}`);
}

export function releaseDataDir(dir: string): void {
  const file = lockFileFor(dir);
  if (!held.delete(file)) return;
  try {
    if (readFileSync(/*turbopackIgnore: true*/ file, "utf8").trim() === String(process.pid)) rmSync(/*turbopackIgnore: true*/ file, { force: true });
  } catch {
    // already gone
  }
}
