// Shared set-up for the gateway's end-to-end suites: a real PostgreSQL (migrated), the
// fake OpenAI upstream, optionally a real Redis, and production servers started the way
// operators start them. The test process itself writes keys through lib/keys (the same
// service the console and CLI use), as another instance would.
import OpenAI from "openai";
import pg from "pg";
import { resetEnvForTests } from "@/lib/config/env";
import { disconnectDb, getDb } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { stopChangePoller } from "@/lib/keys/verify";
import { createKey } from "@/lib/keys/service";
import { startFakeOpenAI, type FakeOpenAI } from "@/test/fakes/openai";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";
import { startRedis, type RedisServer } from "@/test/helpers/redis";

export const SECRET_KEY = "e2e-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";

export interface GatewayHarness {
  pg: PostgresServer;
  fake: FakeOpenAI;
  redis: RedisServer | null;
  servers: AppServer[];
  /** Starts a production server on this PostgreSQL and fake upstream (and Redis, if any). */
  startServer(env?: Record<string, string | undefined>): Promise<AppServer>;
  createKey(input?: Parameters<typeof createKey>[0]): Promise<{ id: string; secret: string }>;
  client(server: AppServer, apiKey: string, options?: Partial<ConstructorParameters<typeof OpenAI>[0]>): OpenAI;
  close(): Promise<void>;
}

export async function startGatewayHarness(options: { redis?: boolean } = {}): Promise<GatewayHarness> {
  const [postgres, fake, redis] = await Promise.all([startPostgres(), startFakeOpenAI(), options.redis ? startRedis() : Promise.resolve(null)]);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await applyMigrations({ exec: (sql) => admin.query(sql), query: (sql, params) => admin.query(sql, params as unknown[]) as never });
  } finally {
    await admin.end();
  }
  process.env.DATABASE_URL = postgres.url;
  resetEnvForTests();
  const servers: AppServer[] = [];
  return {
    pg: postgres,
    fake,
    redis,
    servers,
    startServer: async (env = {}) => {
      const server = await startAppServer({
        DATABASE_URL: postgres.url,
        SECRET_KEY,
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.baseUrl,
        ...(redis ? { REDIS_URL: redis.url } : {}),
        ...env,
      });
      servers.push(server);
      return server;
    },
    createKey: async (input = { name: "e2e" }) => {
      const { key, secret } = await createKey({ ...input, name: input.name ?? "e2e" }, { actor: "cli" });
      return { id: key.id, secret };
    },
    client: (server, apiKey, clientOptions = {}) => new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 20_000, ...clientOptions }),
    close: async () => {
      await Promise.all(servers.map((s) => s.stop("SIGKILL")));
      stopChangePoller();
      await disconnectDb();
      await Promise.all([fake.close(), redis?.stop(), postgres.stop()]);
      delete process.env.DATABASE_URL;
      resetEnvForTests();
    },
  };
}

/** The request_logs row of a response, once the server has flushed it. */
export async function requestLog(requestId: string) {
  return getDb().requestLog.findFirst({ where: { requestId } });
}

export function tally(statuses: number[]): Record<number, number> {
  return statuses.reduce<Record<number, number>>((t, s) => ((t[s] = (t[s] ?? 0) + 1), t), {});
}
