// Shared set-up for the gateway's end-to-end suites: a real PostgreSQL (migrated), the
// fake OpenAI upstream, optionally the fake Anthropic and Gemini upstreams and a real
// Redis, and production servers started the way operators start them. The test process itself writes keys through lib/keys (the same
// service the console and CLI use), as another instance would.
import { inspect } from "node:util";
import OpenAI, { APIError } from "openai";
import { resetEnvForTests } from "@/lib/config/env";
import { disconnectDb, getDb } from "@/lib/db/client";
import { stopChangePoller } from "@/lib/keys/verify";
import { createKey } from "@/lib/keys/service";
import { startFakeAnthropic, type FakeAnthropic } from "@/test/fakes/anthropic";
import { startFakeGemini, type FakeGemini } from "@/test/fakes/gemini";
import { startFakeOpenAI, type FakeOpenAI } from "@/test/fakes/openai";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";
import { waitFor } from "@/test/helpers/ports";
import { startRedis, type RedisServer } from "@/test/helpers/redis";

export const SECRET_KEY = "e2e-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";

export interface GatewayHarness {
  pg: PostgresServer;
  fake: FakeOpenAI;
  /** With `providers: true`: the fake Anthropic and Gemini upstreams every server is configured with. */
  anthropic: FakeAnthropic | null;
  gemini: FakeGemini | null;
  redis: RedisServer | null;
  servers: AppServer[];
  /**
   * Starts a production server on this PostgreSQL and the fake upstreams (and Redis, if
   * any). `env` overrides; a variable set to undefined is left unset (a provider without a key).
   */
  startServer(env?: Record<string, string | undefined>): Promise<AppServer>;
  createKey(input?: Parameters<typeof createKey>[0]): Promise<{ id: string; secret: string }>;
  client(server: AppServer, apiKey: string, options?: Partial<ConstructorParameters<typeof OpenAI>[0]>): OpenAI;
  close(): Promise<void>;
}

export async function startGatewayHarness(options: { redis?: boolean; providers?: boolean } = {}): Promise<GatewayHarness> {
  const [postgres, fake, redis, anthropic, gemini] = await Promise.all([
    startPostgres(),
    startFakeOpenAI(),
    options.redis ? startRedis() : Promise.resolve(null),
    options.providers ? startFakeAnthropic() : Promise.resolve(null),
    options.providers ? startFakeGemini() : Promise.resolve(null),
  ]);
  await postgres.migrate();
  process.env.DATABASE_URL = postgres.url;
  resetEnvForTests();
  const servers: AppServer[] = [];
  return {
    pg: postgres,
    fake,
    anthropic,
    gemini,
    redis,
    servers,
    startServer: async (env = {}) => {
      const server = await startAppServer({
        DATABASE_URL: postgres.url,
        SECRET_KEY,
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.baseUrl,
        ...(anthropic ? { ANTHROPIC_API_KEY: anthropic.apiKey, ANTHROPIC_BASE_URL: anthropic.url } : {}),
        ...(gemini ? { GOOGLE_API_KEY: gemini.apiKey, GOOGLE_BASE_URL: gemini.url } : {}),
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
      await Promise.all([fake.close(), anthropic?.close(), gemini?.close(), redis?.stop(), postgres.stop()]);
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

/** The request_logs row of a response, waiting for the server to flush it. */
export function flushedLog(requestId: string) {
  return waitFor(`the request log of ${requestId}`, async () => (await requestLog(requestId)) ?? Promise.reject(new Error("not yet")));
}

/** The error a promise rejects with (it must reject with the client's APIError). */
export async function raised(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${error === null ? "a success" : inspect(error)}`);
  return error;
}
