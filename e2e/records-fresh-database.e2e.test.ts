// Issue 8's acceptance check: on a brand-new database, nothing the gateway records is lost.
// A refused unknown key and a model whose provider has no key configured each leave a
// request record and an event that the management API lists, without a restart, on:
//  - the embedded database in a new, empty DATA_DIR, created and migrated by the server
//    process itself (not a copy of the migrated template). There PGlite used to learn its
//    array types before the migrations had created the enum types, so every event batch
//    failed with "22P02 malformed array literal" until the next start (fixed by
//    refreshArrayTypes() in lib/db/client.ts);
//  - a new PostgreSQL database, migrated with `npm run db:migrate` as an operator would.
// Requests come from the official openai client; the CLI then lists what the API lists.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { EventListItem } from "@/lib/events/event-list-schema";
import { generateSecret } from "@/lib/keys/format";
import type { RecordPage } from "@/lib/pagination";
import type { RequestListItem } from "@/lib/usage/request-list-schema";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { runCli, runCliJson } from "@/test/helpers/cli";
import { waitFor } from "@/test/helpers/ports";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";

jest.setTimeout(240_000);

// The servers get no provider keys (startAppServer passes only the environment it is
// given), so a claude-* model is answered 503 provider_not_configured.
const SECRET_KEY = "fresh-db-test-secret-0123456789-0123456789";

/** The API's answer to GET /api/admin<path>, failing on anything but 200. */
async function list<T>(server: AppServer, token: string, path: string): Promise<RecordPage<T>> {
  const response = await fetch(`${server.url}/api/admin${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (response.status !== 200) throw Object.assign(new Error(`GET ${path}: HTTP ${response.status} ${text}`), { fatal: true });
  return JSON.parse(text) as RecordPage<T>;
}

/** The x-request-id of a request the gateway refused, as the openai client reports it. */
async function refusedRequestId(request: Promise<unknown>, status: number, code: string): Promise<string> {
  const error = await request.then(
    () => {
      throw new Error(`expected HTTP ${status} ${code}, got a completion`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  const apiError = error as InstanceType<typeof OpenAI.APIError>;
  expect({ status: apiError.status, code: apiError.code }).toEqual({ status, code });
  expect(apiError.requestID).toMatch(/^\S+$/);
  return apiError.requestID!;
}

/**
 * Sends the two requests and finds both records and both events through the management
 * API, then checks that the server never failed to write a batch.
 */
async function expectNothingLost(server: AppServer, token: string, key: { id: string; key: string }, cliEnv: Record<string, string>): Promise<void> {
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
  const messages = [{ role: "user" as const, content: "Hello" }];
  const unknownKey = generateSecret("apiKey").secret;
  const refusedId = await refusedRequestId(client(unknownKey).chat.completions.create({ model: "gpt-4o-mini", messages }), 401, "invalid_api_key");
  const unconfiguredId = await refusedRequestId(client(key.key).chat.completions.create({ model: "claude-sonnet-4-5", messages }), 503, "provider_not_configured");

  // Records are written in batches every 500 ms; poll until both are listed.
  const [refused, unconfigured] = await waitFor(
    "both request records",
    async () => {
      const found = await Promise.all(
        [refusedId, unconfiguredId].map(async (id) => (await list<RequestListItem>(server, token, `/requests?requestId=${id}`)).items),
      );
      if (found.some((items) => items.length === 0)) throw new Error(`not listed yet: ${JSON.stringify(found)}`);
      return found.map((items) => items[0]);
    },
    20_000,
    200,
  );
  expect(refused).toMatchObject({ requestId: refusedId, keyId: null, keyPrefix: null, status: 401, errorCode: "invalid_api_key", clientIp: "127.0.0.1" });
  expect(unconfigured).toMatchObject({
    requestId: unconfiguredId,
    keyId: key.id,
    keyPrefix: key.key.slice(0, 13),
    model: "claude-sonnet-4-5",
    status: 503,
    errorCode: "provider_not_configured",
    clientIp: "127.0.0.1",
  });

  const events = await waitFor(
    "both events",
    async () => {
      const security = await list<EventListItem>(server, token, "/events?type=invalid_api_key&clientIp=127.0.0.1");
      const system = await list<EventListItem>(server, token, `/events?category=system&keyId=${key.id}`);
      const mine = [...security.items, ...system.items].filter((e) => e.requestId === refusedId || e.requestId === unconfiguredId);
      if (mine.length < 2) throw new Error(`not listed yet: ${JSON.stringify(mine)}; server output:\n${server.output()}`);
      return mine;
    },
    20_000,
    200,
  );
  expect(events).toEqual([
    expect.objectContaining({ requestId: refusedId, category: "security", level: "warn", type: "invalid_api_key", keyId: null, clientIp: "127.0.0.1" }),
    expect.objectContaining({ requestId: unconfiguredId, category: "system", level: "error", type: "provider_not_configured", keyId: key.id }),
  ]);

  // The CLI lists the same (through the server on the embedded database, directly on PostgreSQL).
  expect(await runCliJson(["requests", "list", "--request-id", unconfiguredId], { env: cliEnv })).toEqual([unconfigured]);
  expect(await runCliJson(["events", "list", "--key", key.key.slice(0, 13), "--category", "system"], { env: cliEnv })).toEqual([events[1]]);

  const everything = JSON.stringify(await list(server, token, "/requests")) + JSON.stringify(await list(server, token, "/events"));
  expect(everything).not.toContain(unknownKey.slice(13));
  expect(everything).not.toContain(key.key.slice(13));
  expect(server.output()).not.toMatch(/\[usage\] could not write/);
}

describe("a brand-new embedded database, created and migrated by the server itself", () => {
  let dataDir: string;
  let server: AppServer;

  beforeAll(async () => {
    // Empty: startAppServer copies the migrated template only when it makes the directory itself.
    dataDir = mkdtempSync(join(tmpdir(), "akm-fresh-pglite-"));
    server = await startAppServer({ DATA_DIR: dataDir, SECRET_KEY, LOG_LEVEL: "info" });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("records both requests and their events, listed by the management API with the CLI's local credential", async () => {
    expect(server.output()).toMatch(/\[db\] applied migrations: \S+_init/);
    const token = readFileSync(join(dataDir, "cli-token"), "utf8").trim();
    // Through the running server's API: it holds the embedded database.
    const key = await runCliJson<{ id: string; key: string }>(["keys", "create", "--name", "fresh-embedded"], { env: { DATA_DIR: dataDir } });
    await expectNothingLost(server, token, key, { DATA_DIR: dataDir });
  });
});

describe("a brand-new PostgreSQL database, migrated with `npm run db:migrate`", () => {
  let postgres: PostgresServer;
  let dataDir: string;
  let server: AppServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    postgres = await startPostgres();
    dataDir = mkdtempSync(join(tmpdir(), "akm-fresh-pg-"));
    env = { DATABASE_URL: await postgres.createDatabase("akm_fresh"), DATA_DIR: dataDir };
    const migrate = await runCli([], { npmScript: "db:migrate", env });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/Applied \d+ migration\(s\) to PostgreSQL at .*\/akm_fresh:/);
    server = await startAppServer({ ...env, SECRET_KEY });
  });
  afterAll(async () => {
    await server?.stop();
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("records both requests and their events, listed by the management API with a token made by the CLI", async () => {
    const token = (await runCliJson<{ token: string }>(["tokens", "create", "--name", "acceptance"], { env })).token;
    const key = await runCliJson<{ id: string; key: string }>(["keys", "create", "--name", "fresh-postgres"], { env });
    await expectNothingLost(server, token, key, env);
  });
});
