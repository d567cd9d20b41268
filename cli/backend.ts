// Where a CLI command runs. PostgreSQL: always directly on the database (many processes may
// share it). Embedded PGlite: directly while no process holds the data directory; while
// the server holds it, through that server's management API with the local credential
// it keeps in DATA_DIR. A direct open of a held directory would fail (lib/db/lock.ts), so
// the database client is not even loaded on that path.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { ManagementApi } from "@/lib/admin-api/contract";
import type { Env } from "@/lib/config/env";
import { DataDirLockedError, lockHolder } from "@/lib/db/lock";
import { localTokenPath, readServerInfo } from "@/lib/runtime/local-files";
import { CliFailure } from "./errors";

export interface Backend extends ManagementApi {
  readonly kind: "direct" | "server";
  close(): Promise<void>;
}

/** The embedded database's directory, or null on PostgreSQL. */
export function pgliteDir(env: Env): string | null {
  return env.database === "pglite" ? env.databaseUrl.slice("pglite:".length) : null;
}

// A server writes server.json a moment after it locks the directory, and another CLI
// holds it for a second or two; wait that long before calling the directory taken.
const LOCK_WAIT_MS = 3_000;
const POLL_MS = 100;

type Route = { kind: "direct" } | { kind: "server"; url: string; token: string };

async function chooseRoute(env: Env): Promise<Route> {
  const dir = pgliteDir(env);
  if (dir === null || dir === "memory://") return { kind: "direct" };
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const holder = lockHolder(dir);
    if (holder === null || holder === process.pid) return { kind: "direct" };
    const server = readServerInfo(env.dataDir);
    if (server && server.pid === holder) return { kind: "server", url: server.url, token: readLocalToken(env.dataDir, server) };
    if (Date.now() >= deadline) throw new DataDirLockedError(dir, holder);
    await sleep(POLL_MS);
  }
}

function readLocalToken(dataDir: string, server: { pid: number; url: string }): string {
  const file = localTokenPath(dataDir);
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliFailure(
      `the server (pid ${server.pid}, ${server.url}) holds the embedded database, but its local credential ${file} cannot be read (${code}). ` +
        (code === "EACCES" ? "Run the CLI as the user that runs the server." : "Restart the server to issue a new one."),
    );
  }
}

async function directBackend(): Promise<Backend> {
  // Loaded here, not at the top: the server path never needs Prisma.
  const [keys, tokens, admins, contract, db] = await Promise.all([
    import("@/lib/keys/service"),
    import("@/lib/tokens/service"),
    import("@/lib/admins/service"),
    import("@/lib/admin-api/contract"),
    import("@/lib/db/client"),
  ]);
  const who = { actor: "cli" };
  return {
    kind: "direct",
    listKeys: (query) => keys.listKeys(query),
    createKey: async (input) => contract.withKeySecret(await keys.createKey(input, who)),
    getKey: (id) => keys.getKey(id),
    updateKey: (id, input) => keys.updateKey(id, input, who),
    setKeyEnabled: (id, enabled) => keys.setKeyEnabled(id, enabled, who),
    rotateKey: async (id) => contract.withKeySecret(await keys.rotateKey(id, who)),
    deleteKey: (id) => keys.deleteKey(id, who),
    listTokens: (options) => tokens.listTokens(options),
    createToken: async (input) => contract.withTokenSecret(await tokens.createToken(input, who)),
    revokeToken: (id) => tokens.revokeToken(id, who),
    createAdmin: async (input) => contract.toAdminResult(await admins.createAdmin(input, who)),
    listRequests: async (query) => (await serverOnly(() => import("@/lib/usage/request-log-reads"))).listRequestLog(query),
    listEvents: async (query) => (await serverOnly(() => import("@/lib/events/repository"))).listEventLog(query),
    close: () => db.disconnectDb(),
  };
}

// Query modules are marked "server-only" (kept out of browser bundles); outside Next that
// marker loads only under node's react-server condition, which the npm scripts set.
// Checked before the import: a failed import of the marker also surfaces as an uncaught error.
async function serverOnly<T>(load: () => Promise<T>): Promise<T> {
  if (!import.meta.resolve("server-only").endsWith("/empty.js")) {
    throw new CliFailure("this command needs node's react-server condition: run it as `npm run cli -- …` (or `npx tsx --conditions=react-server cli/index.ts …`)");
  }
  return load();
}

async function serverBackend(url: string, token: string): Promise<Backend> {
  const { ManagementClient } = await import("@/lib/admin-api/client");
  return Object.assign(new ManagementClient(url, token), { kind: "server" as const, url, close: async () => undefined });
}

export async function openBackend(env: Env): Promise<Backend> {
  const route = await chooseRoute(env);
  return route.kind === "direct" ? directBackend() : serverBackend(route.url, route.token);
}
