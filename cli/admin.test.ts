// `tokens …`, `create-admin`, `db migrate` and the data-directory lock, as real CLI
// processes on the embedded database with no server running.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { KeyView } from "@/lib/keys/schemas";
import type { TokenView } from "@/lib/tokens/service";
import { runCli, runCliJson, type CliOptions } from "@/test/helpers/cli";
import { seedDataDir } from "@/test/helpers/db";
import { waitFor } from "@/test/helpers/ports";

jest.setTimeout(90_000);

const ROOT = resolve(__dirname, "..");
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "akm-cli-admin-"));
  await seedDataDir(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (args: string[], options: CliOptions = {}) => runCli(args, { ...options, env: { DATA_DIR: dataDir, ...options.env } });
const cliJson = <T>(args: string[], options: CliOptions = {}) => runCliJson<T>(args, { ...options, env: { DATA_DIR: dataDir, ...options.env } });

const TOKEN = /akm_mt_[0-9A-Za-z]{46}/g;
const printedTokens = new Map<string, string>();

describe("tokens", () => {
  it("create prints the token once; list shows it without the secret; revoke retires it", async () => {
    const human = await cli(["tokens", "create", "--name", "deploy-bot"]);
    expect(human.code).toBe(0);
    const shown = human.stdout.match(TOKEN) ?? [];
    expect(shown).toHaveLength(1);
    expect(human.stdout).toMatch(/Created management token "deploy-bot"[\s\S]*will not be shown again[\s\S]*Authorization: Bearer/);
    printedTokens.set("deploy-bot", shown[0]!);
    const created = await cliJson<{ id: string; token: string }>(["tokens", "create", "--name", "ci"]);
    expect(Object.keys(created)).toEqual(["id", "token"]);
    printedTokens.set("ci", created.token);

    const list = await cli(["tokens", "list"]);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED\n/);
    expect(list.stdout).toMatch(/deploy-bot\s+akm_mt_\w{6}…/);
    expect(list.stdout.match(TOKEN)).toBeNull();

    const revoked = await cliJson<TokenView>(["tokens", "revoke", created.id]);
    expect(revoked).toMatchObject({ id: created.id, name: "ci", revokedAt: expect.any(String) });
    expect((await cliJson<{ items: TokenView[] }>(["tokens", "list"])).items.map((t) => t.name)).toEqual(["deploy-bot"]);
    expect((await cliJson<{ items: TokenView[] }>(["tokens", "list", "--all"])).items.map((t) => t.name).sort()).toEqual(["ci", "deploy-bot"]);
    expect(await cli(["tokens", "revoke", created.id])).toEqual({ code: 1, stdout: "", stderr: `error: token ${created.id} not found\n` });
  });
});

describe("create-admin", () => {
  it("takes --email and the password on stdin; for an existing e-mail it sets a new password", async () => {
    const created = await cli(["create-admin", "--email", "Ops@Example.com", "--password-stdin"], { input: "first password 1\n" });
    expect(created).toEqual({ code: 0, stdout: "Created admin ops@example.com. Sign in to the console with this e-mail.\n", stderr: "" });
    const again = await cliJson<{ email: string; created: boolean }>(["create-admin", "--email", "ops@example.com", "--password-stdin"], { input: "second password 2" });
    expect(again).toEqual({ id: expect.any(String), email: "ops@example.com", created: false });
  });

  it("uses ADMIN_EMAIL when --email is absent", async () => {
    const result = await cliJson<{ email: string; created: boolean }>(["create-admin", "--password", "env password 3"], { env: { ADMIN_EMAIL: "env@example.com" } });
    expect(result).toEqual({ id: expect.any(String), email: "env@example.com", created: true });
  });

  it("asks at a terminal, defaulting to ADMIN_EMAIL, asks again on a mismatch, and never echoes the password", async () => {
    // `script` gives the CLI a real terminal, as a person at a shell has.
    const child: ChildProcess = spawn("script", ["-qfec", `${process.execPath} --import tsx cli/index.ts create-admin`, "/dev/null"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "development", DATA_DIR: dataDir, ADMIN_EMAIL: "tty@example.com", TERM: "dumb" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((res) => child.once("close", res));
    // Type only once the prompt is there, as a person would: the terminal echoes anything typed earlier.
    const answer = async (prompt: string, occurrence: number, text: string) => {
      await waitFor(`prompt "${prompt}" #${occurrence}`, () => {
        if (output.split(prompt).length - 1 < occurrence) throw new Error(output);
      });
      child.stdin!.write(text);
    };
    await answer("E-mail [tty@example.com]: ", 1, "\r");
    await answer("Password (at least 10 characters): ", 1, "typed secret 1\r");
    await answer("Repeat the password: ", 1, "a different one\r");
    await answer("the passwords do not match; try again.", 1, "");
    await answer("Password (at least 10 characters): ", 2, "typed secret 1\r");
    await answer("Repeat the password: ", 2, "typed secret 1\r");
    expect(await exited).toBe(0);
    expect(output).toContain("Created admin tty@example.com.");
    expect(output).not.toContain("typed secret");
    expect(output).not.toContain("a different one");
  });

  it("the passwords it set are the ones that sign in", async () => {
    await withDatabase(async () => {
      const { verifyAdminCredentials } = await import("@/lib/admins/service");
      expect(await verifyAdminCredentials("ops@example.com", "second password 2")).not.toBeNull();
      expect(await verifyAdminCredentials("ops@example.com", "first password 1")).toBeNull();
      expect(await verifyAdminCredentials("env@example.com", "env password 3")).not.toBeNull();
      expect(await verifyAdminCredentials("tty@example.com", "typed secret 1")).not.toBeNull();
      const { verifyToken } = await import("@/lib/tokens/service");
      expect(await verifyToken(printedTokens.get("deploy-bot")!)).toMatchObject({ name: "deploy-bot", local: false });
      expect(await verifyToken(printedTokens.get("ci")!)).toBeNull();
    });
  });
});

/** Opens the data directory in this process (no CLI may run meanwhile) and closes it again. */
async function withDatabase(check: () => Promise<void>): Promise<void> {
  const { createPrisma, setDb } = await import("@/lib/db/client");
  const prisma = createPrisma(`pglite:${join(dataDir, "pglite")}`);
  const previous = setDb(prisma);
  try {
    await check();
  } finally {
    setDb(previous);
    await prisma.$disconnect();
  }
}

describe("the embedded database's lock", () => {
  it("a direct open of a directory held by another process fails with a clear message; nothing is lost", async () => {
    await cliJson(["keys", "create", "--name", "before-lock"]);
    const before = await cliJson<{ items: KeyView[] }>(["keys", "list"]);
    const dir = join(dataDir, "pglite");
    const holder: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", "-e", `import { lockDataDir } from "./lib/db/lock.ts"; lockDataDir(${JSON.stringify(dir)}); console.log("locked by " + process.pid); setInterval(() => {}, 1000);`],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      let out = "";
      holder.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
      const pid = await waitFor("the holder to lock", () => /locked by (\d+)/.exec(out)?.[1] ?? Promise.reject(new Error("not yet")));
      const message = `error: The embedded database in ${dir} is in use by process ${pid}. Only one process can open it`;
      const refused = await cli(["keys", "create", "--name", "while-locked"]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toContain(message);
      const migrate = await cli(["db", "migrate"]);
      expect(migrate.code).toBe(1);
      expect(migrate.stderr).toContain(message);
    } finally {
      const gone = new Promise((res) => holder.once("exit", res));
      holder.kill("SIGKILL");
      await gone;
    }
    // The holder died without releasing: its stale lock is taken over, and every key is still there.
    expect(await cliJson<{ items: KeyView[] }>(["keys", "list"])).toEqual(before);
  });
});

describe("db migrate", () => {
  it("creates and migrates a new embedded database once, then finds it up to date", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "akm-cli-migrate-"));
    const freshEnv = { env: { DATA_DIR: fresh } };
    try {
      const migrations = readdirSync(join(ROOT, "prisma/migrations"), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
      const first = await runCli(["db", "migrate"], freshEnv);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe([`Applied ${migrations.length} migration(s) to the embedded database in ${join(fresh, "pglite")}:`, ...migrations.map((m) => `  ${m}`), ""].join("\n"));
      expect(await runCliJson(["db", "migrate"], freshEnv)).toEqual({ applied: [], total: migrations.length });
      expect((await runCli(["db", "migrate"], freshEnv)).stdout).toBe(`The embedded database in ${join(fresh, "pglite")} is up to date (${migrations.length} migration(s)).\n`);
      await runCliJson(["keys", "create", "--name", "after-migrate"], freshEnv);
      expect((await runCliJson<{ total: number }>(["keys", "list"], freshEnv)).total).toBe(1);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
