// The CLI on a real PostgreSQL server: `db migrate`, every command directly on the
// database (many processes may share it, so the CLI never goes through the app server),
// and the acceptance check with the production server running beside it.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import type { KeyView } from "@/lib/keys/schemas";
import type { TokenView } from "@/lib/tokens/service";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { expectDemoKeyShownOnce, runCli, runCliJson, type CliOptions } from "@/test/helpers/cli";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, "..");
const SECRET_KEY = "pg-test-secret-0123456789-0123456789-abcdef";
let postgres: PostgresServer;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  postgres = await startPostgres();
  dataDir = mkdtempSync(join(tmpdir(), "akm-cli-pg-"));
  env = { DATABASE_URL: postgres.url, DATA_DIR: dataDir };
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (args: string[], options: CliOptions = {}) => runCli(args, { ...options, env: { ...env, ...options.env } });
const cliJson = <T>(args: string[], options: CliOptions = {}) => runCliJson<T>(args, { ...options, env: { ...env, ...options.env } });
const SECRET = /sk-akm_[0-9A-Za-z]{46}/g;

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe("db migrate on PostgreSQL", () => {
  it("refuses to work on an unmigrated database with a pointer to db migrate", async () => {
    expect(await cli(["keys", "list"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: the database has not been migrated yet: run `npm run db:migrate` first\n",
    });
  });

  it("applies every migration once, then finds the database up to date", async () => {
    const migrations = readdirSync(join(ROOT, "prisma/migrations"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const where = `PostgreSQL at 127.0.0.1:${postgres.port}/akm_test`;
    const first = await cli(["db", "migrate"]);
    expect(first).toEqual({ code: 0, stdout: [`Applied ${migrations.length} migration(s) to ${where}:`, ...migrations.map((m) => `  ${m}`), ""].join("\n"), stderr: "" });
    expect(await cliJson(["db", "migrate"])).toEqual({ applied: [], total: migrations.length });
    expect((await cli(["db", "migrate"])).stdout).toBe(`${where} is up to date (${migrations.length} migration(s)).\n`);
    const rows = await query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY 1`);
    expect(rows.map((r) => r.migration_name)).toEqual(migrations);
  });

  it("`npm run db:migrate` is the same command", async () => {
    const npm = await runCli(["--json"], { npmScript: "db:migrate", env });
    expect(npm.code).toBe(0);
    expect(JSON.parse(npm.stdout.trim().split("\n").pop()!)).toEqual({ applied: [], total: expect.any(Number) });
  });
});

describe("every command directly on PostgreSQL", () => {
  it("keys: create, list, show, update, disable, enable, rotate, delete", async () => {
    const human = await cli(["keys", "create", "--name", "pg-human", "--allow-ip", "10.0.0.0/8", "--allow-model", "gpt-4o,claude-sonnet-4-5"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Created key "pg-human"[\s\S]*will not be shown again/);
    const id = /\(id (\w+)\)/.exec(human.stdout)![1];
    const secret = human.stdout.match(SECRET)![0];

    const rows = await query<{ hash: string; allowed_ips: string[]; created_by: string }>(`SELECT hash, allowed_ips, created_by FROM api_keys WHERE id = $1`, [id]);
    expect(rows).toEqual([{ hash: expect.stringMatching(/^[0-9a-f]{64}$/), allowed_ips: ["10.0.0.0/8"], created_by: "cli" }]);
    expect(JSON.stringify(await query(`SELECT * FROM api_keys`))).not.toContain(secret);

    const list = await cli(["keys", "list", "--status", "active", "--search", "PG-"]);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+pg-human\\s+sk-akm_\\w{6}…\\s+active`));
    expect(list.stdout.match(SECRET)).toBeNull();
    expect(await cliJson<KeyView>(["keys", "show", id])).toMatchObject({ id, allowedModels: ["gpt-4o", "claude-sonnet-4-5"] });
    expect(await cliJson<KeyView>(["keys", "update", id, "--clear-ips", "--daily-limit", "12"])).toMatchObject({ allowedIps: [], dailyLimit: 12 });
    expect((await cli(["keys", "disable", id])).stdout).toBe(`Key "pg-human" (id ${id}) is now disabled.\n`);
    expect(await cliJson<KeyView>(["keys", "enable", id])).toMatchObject({ status: "active" });
    const rotated = await cliJson<{ id: string; key: string }>(["keys", "rotate", id]);
    expect(rotated.id).toBe(id);
    expect((await query<{ prefix: string }>(`SELECT prefix FROM api_keys WHERE id = $1`, [id]))[0].prefix).toBe(rotated.key.slice(0, 13));
    expect(await cliJson(["keys", "delete", id])).toEqual({ id, deleted: true });
    expect(await cli(["keys", "show", id])).toEqual({ code: 1, stdout: "", stderr: `error: key ${id} not found\n` });

    const audit = await query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_logs WHERE target_id = $1 ORDER BY id`, [id]);
    expect(audit).toEqual(
      ["key.create", "key.update", "key.disable", "key.enable", "key.rotate", "key.delete"].map((action) => ({ actor: "cli", action })),
    );
  });

  it("tokens and create-admin", async () => {
    const created = await cliJson<{ id: string; token: string }>(["tokens", "create", "--name", "pg-bot"]);
    expect((await cliJson<{ items: TokenView[] }>(["tokens", "list"])).items.map((t) => t.name)).toEqual(["pg-bot"]);
    expect(await cliJson<TokenView>(["tokens", "revoke", created.id])).toMatchObject({ revokedAt: expect.any(String) });
    expect((await cli(["tokens", "list"])).stdout).toBe("No management tokens.\n");

    const admin = await cli(["create-admin", "--password-stdin"], { input: "pg password 123\n", env: { ADMIN_EMAIL: "pg@example.com" } });
    expect(admin).toEqual({ code: 0, stdout: "Created admin pg@example.com. Sign in to the console with this e-mail.\n", stderr: "" });
    const [row] = await query<{ password_hash: string }>(`SELECT password_hash FROM admin_users WHERE email = 'pg@example.com'`);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it("bad input exits 2 and writes nothing", async () => {
    const before = await query(`SELECT count(*)::int AS n FROM api_keys`);
    expect(await cli(["keys", "create", "--name", "x", "--rate-limit", "0"])).toEqual({ code: 2, stdout: "", stderr: "error: --rate-limit: must be at least 1\n" });
    expect((await cli(["keys", "create", "--name", "x", "--expires-in-days", "9999"])).code).toBe(2);
    expect(await query(`SELECT count(*)::int AS n FROM api_keys`)).toEqual(before);
  });
});

describe("with the production server on the same PostgreSQL", () => {
  let server: AppServer;
  let token: string;

  beforeAll(async () => {
    server = await startAppServer({ DATABASE_URL: postgres.url, SECRET_KEY, DATA_DIR: dataDir });
    token = (await cliJson<{ token: string }>(["tokens", "create", "--name", "pg-api"])).token;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const api = async (path: string) => {
    const response = await fetch(`${server.url}/api/admin${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) };
  };

  it("`npm run cli -- keys create --name demo --json` prints a key that the API and `keys list` then show, never the secret again", async () => {
    const created = await expectDemoKeyShownOnce({ ...env, SECRET_KEY }, api, cli);
    // A server sharing the database sees the new key at once, made by the CLI.
    expect((await api(`/keys/${created.id}`)).body).toMatchObject({ createdBy: "cli" });
  });

  it("the CLI keeps working directly while the server runs (no server.json on PostgreSQL)", async () => {
    expect(readdirSync(dataDir)).not.toContain("server.json");
    const updated = await cliJson<KeyView>(["keys", "update", (await api("/keys?search=demo")).body.items[0].id, "--daily-limit", "3"]);
    expect((await api(`/keys/${updated.id}`)).body.dailyLimit).toBe(3);
  });
});
