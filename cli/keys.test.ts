// `keys …`, `--help` and bad input, as real CLI processes on the embedded database with no
// server running. One data directory (seeded from the migrated template) serves the file;
// the last test opens it in-process to check the secrets the CLI printed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyView } from "@/lib/keys/schemas";
import { runCli, runCliBatch, runCliJson, type CliOptions } from "@/test/helpers/cli";
import { seedDataDir } from "@/test/helpers/db";

jest.setTimeout(90_000);

let dataDir: string;
/** Secrets the CLI printed that must work, by key id; and ones that must not any more. */
const live = new Map<string, string>();
const dead: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "akm-cli-keys-"));
  await seedDataDir(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const env = () => ({ DATA_DIR: dataDir });
const cli = (args: string[], options: CliOptions = {}) => runCli(args, { ...options, env: { ...env(), ...options.env } });
const cliJson = <T>(args: string[]) => runCliJson<T>(args, { env: env() });
type Page = { items: KeyView[]; total: number; page: number; pageSize: number };

const SECRET = /sk-akm_[0-9A-Za-z]{46}/g;

describe("--help", () => {
  const commands = [
    [],
    ["keys"],
    ...["create", "list", "show", "update", "enable", "disable", "delete", "rotate"].map((c) => ["keys", c]),
    ["tokens"],
    ...["create", "list", "revoke"].map((c) => ["tokens", c]),
    ["create-admin"],
    ["db"],
    ["db", "migrate"],
  ];

  it("every command and group explains itself, with exit 0", async () => {
    const results = await runCliBatch(commands.map((c) => [...c, "--help"]), { env: env() });
    results.forEach((result, i) => {
      const name = commands[i].join(" ") || "(top level)";
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: "" });
      expect({ name, start: result.stdout.split("\n")[0] }).toEqual({ name, start: expect.stringMatching(/^(Usage: npm run|api-key-manager command line)/) });
    });
    const create = results[commands.findIndex((c) => c.join(" ") === "keys create")].stdout;
    for (const flag of ["--name", "--daily-limit", "--rate-limit", "--expires-in-days", "--allow-ip", "--allow-model", "--json"]) expect(create).toContain(flag);
  });
});

describe("keys", () => {
  let id: string;

  it("create prints the secret once with a warning; --json prints exactly {id, key}", async () => {
    const human = await cli(["keys", "create", "--name", "human"]);
    expect(human.code).toBe(0);
    const secrets = human.stdout.match(SECRET) ?? [];
    expect(secrets).toHaveLength(1);
    expect(human.stdout).toMatch(/Created key "human" \(id \w+\)[\s\S]*will not be shown again/);
    live.set(/\(id (\w+)\)/.exec(human.stdout)![1], secrets[0]!);

    const result = await cli(["keys", "create", "--name", "demo", "--json"]);
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(Object.keys(created)).toEqual(["id", "key"]);
    expect(created.key).toMatch(/^sk-akm_[0-9A-Za-z]{46}$/);
    id = created.id;
    live.set(id, created.key);
  });

  it("create takes every field; list flags repeat and accept commas", async () => {
    const full = await cliJson<{ id: string; key: string }>([
      "keys", "create", "--name", "full", "--daily-limit", "500", "--rate-limit", "7", "--expires-in-days", "30",
      "--allow-ip", "10.0.0.0/8,2001:db8::/32", "--allow-ip", "192.168.1.5",
      "--allow-model", "gpt-4o", "--allow-model", "claude-sonnet-4-5,gemini-2.5-pro",
    ]);
    live.set(full.id, full.key);
    const at = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const dated = await cliJson<{ id: string; key: string }>(["keys", "create", "--name", "dated", "--expires-at", at]);
    live.set(dated.id, dated.key);

    const { items } = await cliJson<Page>(["keys", "list"]);
    const byId = new Map(items.map((k) => [k.id, k]));
    expect(byId.get(full.id)).toMatchObject({
      name: "full",
      status: "active",
      dailyLimit: 500,
      rateLimit: 7,
      allowedIps: ["10.0.0.0/8", "2001:db8::/32", "192.168.1.5"],
      allowedModels: ["gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro"],
      createdBy: "cli",
    });
    const days = (Date.parse(byId.get(full.id)!.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(byId.get(dated.id)!.expiresAt).toBe(at);
    // Defaults: DEFAULT_RATE_LIMIT, DEFAULT_WINDOW_LIMIT, MAX_TOKEN_AGE.
    expect(byId.get(id)).toMatchObject({ dailyLimit: 1000, rateLimit: 60, allowedIps: [], allowedModels: [] });
  });

  it("list shows prefixes, never secrets, and filters and pages", async () => {
    const human = await cli(["keys", "list"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+STATUS\s+EXPIRES/);
    expect(human.stdout).toMatch(/demo\s+sk-akm_\w{6}…\s+active/);
    expect(human.stdout).toContain("1-4 of 4 key(s).");
    expect(human.stdout.match(SECRET)).toBeNull();

    const page = await cliJson<Page>(["keys", "list", "--page-size", "3", "--page", "2"]);
    expect(page).toMatchObject({ page: 2, pageSize: 3, total: 4 });
    expect(page.items).toHaveLength(1);
    expect(JSON.stringify(page)).not.toMatch(SECRET);
    const search = await cliJson<Page>(["keys", "list", "--search", "DEM"]);
    expect(search.items.map((k) => k.name)).toEqual(["demo"]);
  });

  it("show prints one key; an unknown id exits 1", async () => {
    const human = await cli(["keys", "show", id]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Name\s+demo\n/);
    expect(human.stdout).toMatch(/Allowed IPs\s+any\n/);
    expect(human.stdout.match(SECRET)).toBeNull();

    const missing = await cli(["keys", "show", "no-such-id"]);
    expect(missing).toEqual({ code: 1, stdout: "", stderr: "error: key no-such-id not found\n" });
  });

  it("update changes only the given fields; lists are replaced, --clear-ips/--clear-models empty them", async () => {
    const updated = await cliJson<KeyView>(["keys", "update", id, "--name", "demo-2", "--daily-limit", "42", "--allow-ip", "::1,127.0.0.1", "--allow-model", "gpt-4o-mini"]);
    expect(updated).toMatchObject({ name: "demo-2", dailyLimit: 42, rateLimit: 60, allowedIps: ["::1", "127.0.0.1"], allowedModels: ["gpt-4o-mini"] });
    const replaced = await cliJson<KeyView>(["keys", "update", id, "--allow-ip", "10.1.0.0/16"]);
    expect(replaced).toMatchObject({ allowedIps: ["10.1.0.0/16"], allowedModels: ["gpt-4o-mini"] });
    const human = await cli(["keys", "update", id, "--clear-ips", "--clear-models", "--rate-limit", "9", "--name", "demo"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Updated key "demo"[\s\S]*Rate limit\s+9 requests[\s\S]*Allowed IPs\s+any\nAllowed models\s+all\n/);
  });

  it("disable and enable switch the key", async () => {
    const off = await cli(["keys", "disable", id]);
    expect(off).toMatchObject({ code: 0, stdout: `Key "demo" (id ${id}) is now disabled.\n` });
    expect((await cliJson<Page>(["keys", "list", "--status", "disabled"])).items.map((k) => k.id)).toEqual([id]);
    expect(await cliJson<KeyView>(["keys", "enable", id])).toMatchObject({ id, enabled: true, status: "active" });
  });

  it("rotate prints a new secret once; the record keeps its id and settings", async () => {
    const human = await cli(["keys", "rotate", id]);
    expect(human.code).toBe(0);
    const secrets = human.stdout.match(SECRET) ?? [];
    expect(secrets).toHaveLength(1);
    expect(human.stdout).toMatch(/Rotated key "demo"[\s\S]*will not be shown again/);
    dead.push(live.get(id)!, secrets[0]!);

    const rotated = await cliJson<{ id: string; key: string }>(["keys", "rotate", id]);
    expect(Object.keys(rotated)).toEqual(["id", "key"]);
    expect(rotated.id).toBe(id);
    expect(rotated.key).not.toBe(secrets[0]);
    live.set(id, rotated.key);
    const after = await cliJson<KeyView>(["keys", "show", id]);
    expect(after).toMatchObject({ name: "demo", dailyLimit: 42, rateLimit: 9, prefix: rotated.key.slice(0, 13) });
    expect(after.rotatedAt).not.toBeNull();
  });

  it("delete takes the key out of every list; deleting it again exits 1", async () => {
    const a = await cliJson<{ id: string; key: string }>(["keys", "create", "--name", "doomed-a"]);
    const b = await cliJson<{ id: string; key: string }>(["keys", "create", "--name", "doomed-b"]);
    dead.push(a.key, b.key);
    expect(await cli(["keys", "delete", a.id])).toEqual({ code: 0, stdout: `Deleted key ${a.id}.\n`, stderr: "" });
    expect(await cliJson(["keys", "delete", b.id])).toEqual({ id: b.id, deleted: true });
    const { items } = await cliJson<Page>(["keys", "list", "--search", "doomed"]);
    expect(items).toEqual([]);
    expect(await cli(["keys", "delete", a.id])).toEqual({ code: 1, stdout: "", stderr: `error: key ${a.id} not found\n` });
  });
});

describe("bad input: exit 2, a clear message on stderr, nothing written", () => {
  // None of these reaches the database: the CLI validates before it opens anything.
  const cases: [string, string[], RegExp][] = [
    ["no command", [], /missing command/],
    ["an unknown command", ["keyz"], /unknown command "keyz"/],
    ["an unknown subcommand", ["keys", "explode"], /unknown command "keys explode"/],
    ["an unknown flag", ["keys", "create", "--name", "x", "--colour", "red"], /unknown option --colour/],
    ["a flag without its value", ["keys", "create", "--name"], /--name needs a value/],
    ["a value on a boolean flag", ["keys", "list", "--json=yes"], /--json does not take a value/],
    ["a flag given twice", ["keys", "create", "--name", "a", "--name", "b"], /--name was given more than once/],
    ["a missing --name", ["keys", "create", "--daily-limit", "5"], /--name is required/],
    ["an empty name", ["keys", "create", "--name", "  "], /--name: must not be empty/],
    ["a fractional number", ["keys", "create", "--name", "x", "--daily-limit", "1.5"], /--daily-limit must be a whole number, got "1.5"/],
    ["a word for a number", ["keys", "create", "--name", "x", "--rate-limit", "ten"], /--rate-limit must be a whole number, got "ten"/],
    ["a negative number", ["keys", "create", "--name", "x", "--daily-limit=-5"], /--daily-limit must be a whole number, got "-5"/],
    ["a number that looks like a flag", ["keys", "create", "--name", "x", "--daily-limit", "-5"], /--daily-limit needs a value/],
    ["a zero limit", ["keys", "create", "--name", "x", "--daily-limit", "0"], /--daily-limit: must be at least 1/],
    ["both expiry flags", ["keys", "create", "--name", "x", "--expires-in-days", "3", "--expires-at", "2031-01-01"], /--expires-at: give expiresInDays or expiresAt, not both/],
    ["a bad date", ["keys", "create", "--name", "x", "--expires-at", "tomorrow"], /--expires-at: must be an ISO 8601 date/],
    ["a bad IP", ["keys", "create", "--name", "x", "--allow-ip", "10.0.0.0/8,300.1.1.1"], /--allow-ip: "300.1.1.1" is not an IP address or CIDR range/],
    ["a bad CIDR", ["keys", "create", "--name", "x", "--allow-ip", "2001:db8::/129"], /--allow-ip: "2001:db8::\/129" is not an IP address/],
    ["an empty IP list", ["keys", "create", "--name", "x", "--allow-ip", ""], /--allow-ip needs a value/],
    ["a bad model", ["keys", "create", "--name", "x", "--allow-model", "gpt 4"], /--allow-model: may contain letters/],
    ["a bad status", ["keys", "list", "--status", "sleeping"], /--status:/],
    ["a page of 0", ["keys", "list", "--page", "0"], /--page:/],
    ["a page size over 100", ["keys", "list", "--page-size", "101"], /--page-size:/],
    ["a missing id", ["keys", "show"], /missing <id>/],
    ["an extra argument", ["keys", "delete", "a", "b"], /unexpected argument b/],
    ["an update with nothing to change", ["keys", "update", "some-id"], /nothing to change/],
    ["--allow-ip with --clear-ips", ["keys", "update", "some-id", "--allow-ip", "::1", "--clear-ips"], /--allow-ip or --clear-ips, not both/],
    ["an empty --allow-ip on update", ["keys", "update", "some-id", "--allow-ip", ","], /use --clear-ips to allow every address/],
    ["a token without a name", ["tokens", "create"], /--name is required/],
    ["a bad e-mail", ["create-admin", "--email", "nope", "--password", "long enough pw"], /--email: must be an e-mail address/],
    ["a short password", ["create-admin", "--email", "a@example.com", "--password", "short"], /--password: must be at least 10 characters/],
    ["both password flags", ["create-admin", "--email", "a@example.com", "--password", "long enough pw", "--password-stdin"], /not both/],
    ["no password without a terminal", ["create-admin", "--email", "a@example.com"], /no password given: use --password-stdin/],
    ["no e-mail anywhere", ["create-admin", "--password", "long enough pw"], /--email is required \(or set ADMIN_EMAIL\)/],
  ];
  let before: Page;

  beforeAll(async () => {
    before = await cliJson<Page>(["keys", "list", "--page-size", "100"]);
  });

  it("every malformed command line", async () => {
    const results = await runCliBatch(cases.map(([, args]) => args), { env: env() });
    results.forEach((result, i) => {
      const [name, , message] = cases[i];
      expect({ name, code: result.code, stdout: result.stdout }).toEqual({ name, code: 2, stdout: "" });
      expect({ name, stderr: result.stderr }).toEqual({ name, stderr: expect.stringMatching(message) });
    });
  });

  it("a value only the service can judge (MAX_TOKEN_AGE)", async () => {
    const result = await cli(["keys", "create", "--name", "x", "--expires-in-days", "366"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: "error: --expires-in-days: must be at most 365 days (MAX_TOKEN_AGE)\n" });
  });

  it("a bad environment variable, named", async () => {
    const result = await cli(["keys", "list"], { env: { MAX_TOKEN_AGE: "forever" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MAX_TOKEN_AGE: .+/);
  });

  it("none of them wrote anything", async () => {
    expect(await cliJson<Page>(["keys", "list", "--page-size", "100"])).toEqual(before);
  });
});

describe("what the CLI printed", () => {
  it("is what the gateway checks: live secrets verify, rotated and deleted ones do not", async () => {
    const { createPrisma, setDb } = await import("@/lib/db/client");
    const { lookupKey } = await import("@/lib/keys/verify");
    const prisma = createPrisma(`pglite:${join(dataDir, "pglite")}`);
    const previous = setDb(prisma);
    try {
      expect(live.size).toBe(4);
      for (const [id, secret] of live) expect(await lookupKey(secret)).toMatchObject({ ok: true, key: { id } });
      for (const secret of dead) expect(await lookupKey(secret)).toMatchObject({ ok: false, reason: "unknown" });
      const audit = await prisma.auditLog.findMany({ select: { actor: true, action: true } });
      expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(["cli"]));
      expect(new Set(audit.map((a) => a.action))).toEqual(new Set(["key.create", "key.update", "key.disable", "key.enable", "key.rotate", "key.delete"]));
    } finally {
      setDb(previous);
      await prisma.$disconnect();
    }
  });
});
