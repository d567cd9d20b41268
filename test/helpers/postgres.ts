// A real PostgreSQL server for one test file: initdb into a temp directory, started on a
// free port, removed afterwards. Uses the newest /usr/lib/postgresql/<version>/bin.
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { createPrisma, setDb } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { freePort, waitFor } from "./ports";

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, "bin")).find((dir) => existsSync(join(dir, "postgres")));
  if (!found) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
  return found;
}

const asRoot = process.getuid?.() === 0;

function command(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
}

export interface PostgresServer {
  /** postgresql:// URL of a database created for this server's user. */
  url: string;
  port: number;
  /** Creates another empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Applies the project's migrations to `url` (default: this server's database). */
  migrate(url?: string): Promise<void>;
  /** Stops the server (fast shutdown: connections are cut), keeping its data. */
  pause(): Promise<void>;
  /** Starts it again on the same data and port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "akm-pg-"));
  chmodSync(dir, 0o777); // the postgres user writes here when we run as root
  const data = join(dir, "data");
  const [initdb, initArgs] = command(join(bin, "initdb"), ["-D", data, "-U", "akm", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale"]);
  const init = spawnSync(initdb, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);

  const port = await freePort();
  const adminUrl = `postgresql://akm@127.0.0.1:${port}/postgres`;
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  let child: ChildProcess;
  let exited: Promise<void>;
  const launch = async () => {
    const [postgres, args] = command(join(bin, "postgres"), [
      "-D", data, "-p", String(port), "-k", dir,
      "-c", "listen_addresses=127.0.0.1",
      // Durability is not under test here; speed is welcome.
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
      "-c", "max_connections=300",
    ]);
    const started: ChildProcess = spawn(postgres, args, { stdio: ["ignore", "ignore", "pipe"] });
    child = started;
    let stderr = "";
    started.stderr?.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    exited = new Promise<void>((resolve) => started.once("exit", () => resolve()));
    try {
      await waitFor("PostgreSQL to accept connections", async () => {
        if (started.exitCode !== null) throw Object.assign(new Error(`postgres exited: ${stderr}`), { fatal: true });
        await query("SELECT 1");
      });
    } catch (error) {
      started.kill("SIGKILL");
      throw error;
    }
  };
  const halt = async () => {
    if (child.exitCode === null) {
      // Signal the postmaster itself: runuser does not pass signals on. SIGINT = fast shutdown.
      const pid = Number.parseInt(readFileSync(join(data, "postmaster.pid"), "utf8"), 10);
      process.kill(pid, "SIGINT");
      await exited;
    }
  };
  await launch();

  const createDatabase = async (name: string) => {
    await query(`CREATE DATABASE "${name}"`);
    return `postgresql://akm@127.0.0.1:${port}/${name}`;
  };
  const url = await createDatabase("akm_test");
  return {
    url,
    port,
    createDatabase,
    migrate: async (target = url) => {
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      try {
        await applyMigrations({ exec: (sql) => client.query(sql), query: async (sql, params) => ({ rows: (await client.query(sql, params)).rows }) });
      } finally {
        await client.end();
      }
    },
    pause: halt,
    resume: launch,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a test file: a migrated PostgreSQL, with a Prisma client that is also the process's
 * (getDb()). The handle is filled in before the first test.
 */
export function useTestPostgres(): { server: PostgresServer; prisma: PrismaClient } {
  const handle = {} as { server: PostgresServer; prisma: PrismaClient };
  beforeAll(async () => {
    handle.server = await startPostgres();
    await handle.server.migrate();
    handle.prisma = createPrisma(handle.server.url);
    setDb(handle.prisma);
  }, 60_000);
  afterAll(async () => {
    setDb(undefined);
    await handle.prisma?.$disconnect();
    await handle.server?.stop();
  });
  return handle;
}
