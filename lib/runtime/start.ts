// The process's services, started once and in one place, before the server listens:
//   database   opened (the embedded one locked and migrated) or its migrations checked;
//   partitions request_logs' months ahead, then retention every hour (lib/usage/retention.ts);
//   recorder   the usage records and their journal, replaying what a previous run left;
//   limiter    in memory, or Redis with a local fallback;
//   key cache  and, on PostgreSQL, the poll that evicts keys other instances changed;
//   upstream   the pooled HTTP agent the gateway forwards with;
//   sweep      expired keys marked as such every minute.
// Each registers its shutdown hook as it is created; the hooks run newest first, so the
// records are flushed before the database closes. Next's pages use the same instances:
// they import this compiled core (scripts/build.mjs), not copies of it.
import { getEnv } from "@/lib/config/env";
import { disconnectDb, getDb } from "@/lib/db/client";
import { readMigrations } from "@/lib/db/migrate";
import type { GatewayServices } from "@/lib/gateway/gateway";
import { getUpstreamAgent } from "@/lib/gateway/upstream";
import { sweepExpiredKeys } from "@/lib/keys/service";
import { lookupKey, startChangePoller, stopChangePoller } from "@/lib/keys/verify";
import { getLimiter } from "@/lib/ratelimit/limiter";
import { issueLocalToken } from "@/lib/tokens/service";
import { getUsageRecorder } from "@/lib/usage/recorder";
import { fanOut } from "@/lib/usage/request-log";
import { ensurePartitions, scheduleRetention } from "@/lib/usage/retention";
import { onShutdown } from "./lifecycle";
import { log } from "@/lib/log";

const SWEEP_MS = 60_000;

/** What the host hands on: the gateway's services (the console's pages reach theirs through the same modules). */
export interface Runtime {
  gateway: GatewayServices;
}

let started: Promise<Runtime> | undefined;

export function startRuntime(): Promise<Runtime> {
  return (started ??= start());
}

/** A server that cannot start must say why and stop. */
export async function startRuntimeOrExit(): Promise<Runtime> {
  try {
    return await startRuntime();
  } catch (error) {
    log.error(`[server] cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}

async function start(): Promise<Runtime> {
  const env = getEnv();
  const db = getDb();
  const stops: (() => void)[] = [];
  // Registered first so that it runs last: the hooks registered after it (the usage
  // recorder's flush) still have the database.
  onShutdown("database", async () => {
    for (const stop of stops) stop();
    stopChangePoller();
    await disconnectDb();
  });
  if (env.database === "postgres") {
    await assertMigrated();
  } else {
    await db.$queryRaw`SELECT 1`; // opens, locks and migrates the embedded database
    await issueLocalToken(env.dataDir);
  }
  // The partitions ahead exist before the first record is written; the rest waits.
  await ensurePartitions(db);
  stops.push(scheduleRetention(getDb, { requestLogDays: env.REQUEST_LOG_RETENTION_DAYS, eventDays: env.EVENT_RETENTION_DAYS, vacuum: env.database === "pglite" }, log));
  // Records a previous run left in the journal (a crash, a database outage) are replayed now.
  // Everything that watches requests end, the durable record first.
  const records = fanOut([getUsageRecorder()]);
  const limiter = getLimiter();
  startChangePoller();
  const upstream = getUpstreamAgent();
  const sweep = () => sweepExpiredKeys().catch((error) => log.warn(`[keys] expiry sweep failed: ${(error as Error).message}`));
  await sweep();
  const timer = setInterval(() => void sweep(), SWEEP_MS);
  timer.unref();
  stops.push(() => clearInterval(timer));
  return { gateway: { env, lookupKey, limiter, records, upstream } };
}

async function assertMigrated(): Promise<void> {
  const expected = readMigrations().map((m) => m.name);
  let applied: string[];
  try {
    const rows = await getDb().$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    applied = rows.map((r) => r.migration_name);
  } catch (error) {
    // No migrations table yet: nothing applied. Anything else (the server is down, a wrong
    // password) is said as it is, not as missing migrations.
    if (!/_prisma_migrations|42P01/.test((error as Error).message)) {
      throw new Error(`cannot reach the database (DATABASE_URL): ${(error as Error).message}`, { cause: error });
    }
    applied = [];
  }
  const pending = expected.filter((name) => !applied.includes(name));
  if (pending.length) {
    throw new Error(`The database is missing migration(s) ${pending.join(", ")}. Run \`npm run db:migrate\` first.`);
  }
}
