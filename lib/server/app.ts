// Start-up inside the Next server process (instrumentation.ts): open the database before
// the first request, so the embedded one is locked against a second process and
// migrated; check PostgreSQL's migrations; start the expiry sweep; hand the /v1 handlers
// to our server (lib/server/direct-routes.ts).
import { getEnv } from "@/lib/config/env";
import { disconnectDb, getDb } from "@/lib/db/client";
import { readMigrations } from "@/lib/db/migrate";
import { V1_NEXT_ONLY_ROUTES, V1_ROUTES } from "@/lib/gateway/routes";
import { refuseV1Request } from "@/lib/gateway/with-gateway-key";
import { sweepExpiredKeys } from "@/lib/keys/service";
import { stopChangePoller } from "@/lib/keys/verify";
import { issueLocalToken } from "@/lib/tokens/service";
import { registerDirectRoutes } from "./direct-routes";
import { onShutdown } from "./lifecycle";
import { log } from "@/lib/log";

const SWEEP_MS = 60_000;
const g = globalThis as unknown as { __akmStarted?: Promise<void> };

export function startApp(): Promise<void> {
  return (g.__akmStarted ??= start());
}

/** For instrumentation.ts: a server that cannot start must say why and stop. */
export async function startAppOrExit(): Promise<void> {
  try {
    await startApp();
  } catch (error) {
    log.error(`[server] cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}

async function start(): Promise<void> {
  const env = getEnv();
  const db = getDb();
  if (env.database === "postgres") {
    await assertMigrated();
  } else {
    await db.$queryRaw`SELECT 1`; // opens, locks and migrates the embedded database
    await issueLocalToken(env.dataDir);
  }
  registerDirectRoutes(V1_ROUTES, { nextOnly: env.BENCH_ROUTES ? V1_NEXT_ONLY_ROUTES : [], refuse: refuseV1Request });
  const sweep = () => sweepExpiredKeys().catch((error) => log.warn(`[keys] expiry sweep failed: ${(error as Error).message}`));
  await sweep();
  const timer = setInterval(sweep, SWEEP_MS);
  timer.unref();

  onShutdown("database", async () => {
    clearInterval(timer);
    stopChangePoller();
    await disconnectDb();
  });
}

async function assertMigrated(): Promise<void> {
  const expected = readMigrations().map((m) => m.name);
  let applied: string[];
  try {
    const rows = await getDb().$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    applied = rows.map((r) => r.migration_name);
  } catch {
    applied = [];
  }
  const pending = expected.filter((name) => !applied.includes(name));
  if (pending.length) {
    throw new Error(`The database is missing migration(s) ${pending.join(", ")}. Run \`npm run db:migrate\` first.`);
  }
}
