// The CLI and the management API against the production server on the embedded database:
// while the server holds the data directory, the CLI works through its API with the
// local credential; data survives a restart; a second process is refused the directory.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyView } from "@/lib/keys/schemas";
import type { TokenView } from "@/lib/tokens/service";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { expectDemoKeyShownOnce, runCli, runCliJson, type CliOptions } from "@/test/helpers/cli";
import { seedDataDir } from "@/test/helpers/db";

jest.setTimeout(180_000);

let dataDir: string;
let server: AppServer;
let apiToken: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "akm-cli-server-"));
  await seedDataDir(dataDir);
  server = await startAppServer({ DATA_DIR: dataDir });
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (args: string[], options: CliOptions = {}) => runCli(args, { ...options, env: { DATA_DIR: dataDir, ...options.env } });
const cliJson = <T>(args: string[], options: CliOptions = {}) => runCliJson<T>(args, { ...options, env: { DATA_DIR: dataDir, ...options.env } });
const SECRET = /sk-akm_[0-9A-Za-z]{46}/g;

async function api(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? apiToken : init.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.body) headers.set("content-type", "application/json");
  const response = await fetch(`${server.url}/api/admin${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : null };
}

/** The pid in the data directory's lock file: the server's, as long as no one else opened it. */
const lockPid = () => Number(readFileSync(join(dataDir, "pglite.lock"), "utf8"));

describe("the CLI while the server holds the embedded database", () => {
  it("finds the server through DATA_DIR/server.json and authenticates with DATA_DIR/cli-token", () => {
    expect(JSON.parse(readFileSync(join(dataDir, "server.json"), "utf8"))).toEqual({ pid: server.pid, url: server.url });
    expect(readFileSync(join(dataDir, "cli-token"), "utf8")).toMatch(/^akm_mt_\w{46}\n$/);
    expect(lockPid()).toBe(server.pid);
  });

  it("runs every keys command through the management API, with the same output", async () => {
    const human = await cli(["keys", "create", "--name", "via-server", "--daily-limit", "5", "--allow-ip", "10.0.0.1,::1"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Created key "via-server" \(id \w+\)\.\n\nKey:\n\n {4}sk-akm_\w{46}\n\nStore it now: it will not be shown again/);
    const id = /\(id (\w+)\)/.exec(human.stdout)![1];

    const list = await cli(["keys", "list"]);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+STATUS\s+EXPIRES\s+DAILY LIMIT\s+RATE LIMIT\s+LAST USED\n/);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+via-server\\s+sk-akm_\\w{6}…\\s+active`));
    expect(list.stdout.match(SECRET)).toBeNull();

    const shown = await cliJson<KeyView>(["keys", "show", id]);
    expect(shown).toMatchObject({ id, name: "via-server", dailyLimit: 5, allowedIps: ["10.0.0.1", "::1"], createdBy: "cli" });
    expect((await cli(["keys", "show", id])).stdout).toMatch(/Allowed IPs\s+10\.0\.0\.1, ::1\n/);

    expect(await cliJson<KeyView>(["keys", "update", id, "--clear-ips", "--allow-model", "gpt-4o,gpt-4o-mini", "--rate-limit", "3"])).toMatchObject({
      allowedIps: [],
      allowedModels: ["gpt-4o", "gpt-4o-mini"],
      rateLimit: 3,
    });
    expect((await cli(["keys", "disable", id])).stdout).toBe(`Key "via-server" (id ${id}) is now disabled.\n`);
    expect((await cliJson<{ items: KeyView[] }>(["keys", "list", "--status", "disabled"])).items.map((k) => k.id)).toEqual([id]);
    expect(await cliJson<KeyView>(["keys", "enable", id])).toMatchObject({ status: "active" });

    const rotated = await cliJson<{ id: string; key: string }>(["keys", "rotate", id]);
    expect(rotated.id).toBe(id);
    expect((await cliJson<KeyView>(["keys", "show", id])).prefix).toBe(rotated.key.slice(0, 13));

    expect((await cli(["keys", "delete", id])).stdout).toBe(`Deleted key ${id}.\n`);
    expect(await cli(["keys", "show", id])).toEqual({ code: 1, stdout: "", stderr: `error: key ${id} not found\n` });
    // Bad input is refused before anything is sent, exactly as without a server.
    expect(await cli(["keys", "create", "--name", "x", "--allow-ip", "300.1.1.1"])).toEqual({
      code: 2,
      stdout: "",
      stderr: 'error: --allow-ip: "300.1.1.1" is not an IP address or CIDR range\n',
    });
    // A value only the server's service judges comes back as the same exit 2.
    expect(await cli(["keys", "create", "--name", "x", "--expires-in-days", "400"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: --expires-in-days: must be at most 365 days (MAX_TOKEN_AGE)\n",
    });
    expect(lockPid()).toBe(server.pid);
  });

  it("runs tokens and create-admin through the server too", async () => {
    const created = await cliJson<{ id: string; token: string }>(["tokens", "create", "--name", "automation"]);
    apiToken = created.token;
    expect((await cli(["tokens", "list"])).stdout).toMatch(/automation\s+akm_mt_\w{6}…/);
    const spare = await cliJson<{ id: string; token: string }>(["tokens", "create", "--name", "spare"]);
    expect(await cliJson<TokenView>(["tokens", "revoke", spare.id])).toMatchObject({ name: "spare", revokedAt: expect.any(String) });
    expect((await api("/keys", { token: spare.token })).status).toBe(401);

    const admin = await cli(["create-admin", "--email", "ops@example.com", "--password-stdin"], { input: "server password 1" });
    expect(admin).toEqual({ code: 0, stdout: "Created admin ops@example.com. Sign in to the console with this e-mail.\n", stderr: "" });
    // The same endpoint refuses an automation token: only the local credential manages admins.
    const forbidden = await api("/admins", { method: "POST", body: JSON.stringify({ email: "ops@example.com", password: "taken over 1" }) });
    expect(forbidden.status).toBe(403);
  });

  it("`npm run cli -- keys create --name demo --json` prints a key that the API and `keys list` then show, never the secret again", async () => {
    await expectDemoKeyShownOnce({ DATA_DIR: dataDir }, api, cli);
  });
});

describe("the management API over HTTP", () => {
  it("refuses missing and wrong credentials with 401 and a Bearer challenge", async () => {
    const missing = await api("/keys", { token: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="api-key-manager"');
    expect(missing.body.error.code).toBe("unauthorized");
    const wrong = await api("/keys", { token: "akm_mt_" + "0".repeat(46) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("creates, changes and deletes a key, with JSON errors for bad input and unknown ids", async () => {
    const created = await api("/keys", { method: "POST", body: JSON.stringify({ name: "http", allowedModels: ["gpt-4o"] }) });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(created.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const { id, key } = created.body;
    expect(key).toMatch(/^sk-akm_/);

    const patched = await api(`/keys/${id}`, { method: "PATCH", body: JSON.stringify({ dailyLimit: 9 }) });
    expect(patched.body).toMatchObject({ id, dailyLimit: 9, allowedModels: ["gpt-4o"] });
    expect((await api(`/keys/${id}/disable`, { method: "POST" })).body.status).toBe("disabled");
    expect((await api(`/keys/${id}/enable`, { method: "POST" })).body.status).toBe("active");
    const rotated = await api(`/keys/${id}/rotate`, { method: "POST" });
    expect(rotated.body.key).not.toBe(key);

    const bad = await api("/keys", { method: "POST", body: JSON.stringify({ name: "x", rateLimit: -1 }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_input", issues: [{ field: "rateLimit", message: expect.any(String) }] });
    const notJson = await api("/keys", { method: "POST", body: "{oops" });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe("invalid_json");
    const tooBig = await api("/keys", { method: "POST", body: JSON.stringify({ name: "x".repeat(70_000) }) });
    expect(tooBig.status).toBe(413);

    expect((await api(`/keys/${id}`, { method: "DELETE" })).status).toBe(204);
    const gone = await api(`/keys/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toEqual({ code: "not_found", message: `key ${id} not found`, issues: [] });
  });
});

describe("restarts and the lock", () => {
  it("a second server on the same data directory is refused with a clear message, and the first keeps serving", async () => {
    const before = await api("/keys");
    await expect(startAppServer({ DATA_DIR: dataDir })).rejects.toThrow(`The embedded database in ${join(dataDir, "pglite")} is in use by process ${server.pid}`);
    expect(JSON.parse(readFileSync(join(dataDir, "server.json"), "utf8")).pid).toBe(server.pid);
    expect(lockPid()).toBe(server.pid);
    expect(await api("/keys")).toMatchObject({ status: 200, body: before.body });
    expect((await cli(["keys", "list", "--json"])).code).toBe(0);
  });

  it("keeps keys and tokens across a SIGTERM restart, and the CLI follows the new server", async () => {
    const created = await api("/keys", { method: "POST", body: JSON.stringify({ name: "durable", dailyLimit: 77 }) });
    expect(created.status).toBe(201);
    const oldLocalToken = readFileSync(join(dataDir, "cli-token"), "utf8");

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(existsSync(join(dataDir, "server.json"))).toBe(false);
    server = await startAppServer({ DATA_DIR: dataDir });

    // The management token made before the restart still works, and so does the key.
    const listed = await api("/keys?search=durable");
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, dailyLimit: 77, status: "active" })]);
    expect((await api(`/keys/${created.body.id}`, { method: "PATCH", body: JSON.stringify({ dailyLimit: 78 }) })).body.dailyLimit).toBe(78);
    // A new local credential was issued; the CLI picks it up from the data directory.
    expect(readFileSync(join(dataDir, "cli-token"), "utf8")).not.toBe(oldLocalToken);
    expect((await cliJson<KeyView>(["keys", "show", created.body.id])).dailyLimit).toBe(78);
    expect(lockPid()).toBe(server.pid);
  });

  it("after a crash (SIGKILL) the stale lock and server.json are ignored: the CLI opens the directory itself", async () => {
    const keep = await cliJson<{ id: string }>(["keys", "create", "--name", "before-crash"]);
    await server.stop("SIGKILL");
    expect(existsSync(join(dataDir, "server.json"))).toBe(true);
    const direct = await cliJson<{ items: KeyView[] }>(["keys", "list", "--search", "before-crash"]);
    expect(direct.items.map((k) => k.id)).toEqual([keep.id]);

    // And the audit log says who did what: the CLI as "cli" (direct or through the server), API tokens by name.
    const { createPrisma, setDb } = await import("@/lib/db/client");
    const prisma = createPrisma(`pglite:${join(dataDir, "pglite")}`);
    const previous = setDb(prisma);
    try {
      const rows = await prisma.auditLog.findMany({ select: { actor: true, action: true, targetName: true } });
      expect(rows).toContainEqual({ actor: "cli", action: "key.create", targetName: "via-server" });
      expect(rows).toContainEqual({ actor: "cli", action: "admin.create", targetName: "ops@example.com" });
      expect(rows).toContainEqual({ actor: "token:automation", action: "key.create", targetName: "durable" });
      expect(new Set(rows.map((r) => r.actor))).toEqual(new Set(["cli", "token:automation"]));
    } finally {
      setDb(previous);
      await prisma.$disconnect();
    }

    server = await startAppServer({ DATA_DIR: dataDir });
    expect((await api(`/keys/${keep.id}`)).status).toBe(200);
  });
});
