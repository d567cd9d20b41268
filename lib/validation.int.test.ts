// Text with control characters (a NUL above all, which PostgreSQL refuses in text) against
// the production server, from outside: the management API answers 400 naming the field,
// the CLI exits 2, ids no record can have are 404, and the console's filters match
// nothing instead of failing. Nothing reaches the database to fail there.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { runCli } from "@/test/helpers/cli";
import { seedDataDir } from "@/test/helpers/db";

jest.setTimeout(180_000);

const EMAIL = "ops@example.com";
const PASSWORD = "correct-horse-battery";
const TEXT_ERROR = "must not contain control characters (such as NUL, tab or line breaks) or invalid Unicode";

let dataDir: string;
let server: AppServer;
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "akm-text-"));
  await seedDataDir(dataDir);
  server = await startAppServer({ DATA_DIR: dataDir });
  token = readFileSync(join(dataDir, "cli-token"), "utf8").trim();
  expect((await api("POST", "/admins", { email: EMAIL, password: PASSWORD })).status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A management API call; `body` is sent as JSON (JSON.stringify escapes NUL and lone surrogates). */
async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const cli = (args: string[], input?: string) => runCli(args, { env: { DATA_DIR: dataDir }, input });

const UNSAFE = ["nul\u0000inside", "escape\u001b[31m", "line\nbreak", "tab\tinside", "del\u007f", "c1\u0085", "lone\ud800surrogate"];

describe("the management API", () => {
  it.each(UNSAFE.map((s) => [JSON.stringify(s), s]))("refuses a key, token or admin name %s with 400 naming the field", async (_, name) => {
    for (const [path, body] of [
      ["/keys", { name }],
      ["/tokens", { name }],
      ["/admins", { email: "second@example.com", password: PASSWORD, name }],
    ] as const) {
      const answer = await api("POST", path, body);
      expect({ path, status: answer.status, error: answer.body.error }).toMatchObject({
        path,
        status: 400,
        error: { code: "invalid_input", issues: [{ field: "name", message: TEXT_ERROR }] },
      });
    }
  });

  it("refuses a rename or a search with a NUL, and keeps the key as it was", async () => {
    const created = await api("POST", "/keys", { name: "steady" });
    expect(created.status).toBe(201);
    const renamed = await api("PATCH", `/keys/${created.body.id}`, { name: "not\u0000steady" });
    expect(renamed).toMatchObject({ status: 400, body: { error: { issues: [{ field: "name" }] } } });
    expect((await api("GET", `/keys/${created.body.id}`)).body.name).toBe("steady");
    const search = await api("GET", "/keys?search=st%00eady");
    expect(search).toMatchObject({ status: 400, body: { error: { code: "invalid_input", issues: [{ field: "search", message: TEXT_ERROR }] } } });
  });

  it("answers 404 for an id with a NUL, on every route that takes one", async () => {
    for (const [method, path] of [
      ["GET", "/keys/a%00b"],
      ["PATCH", "/keys/a%00b"],
      ["DELETE", "/keys/a%00b"],
      ["POST", "/keys/a%00b/rotate"],
      ["POST", "/keys/a%00b/enable"],
      ["POST", "/keys/a%00b/disable"],
      ["DELETE", "/tokens/a%00b"],
    ]) {
      const answer = await api(method, path, method === "PATCH" ? { name: "x" } : undefined);
      expect({ method, path, status: answer.status, code: answer.body.error.code }).toEqual({ method, path, status: 404, code: "not_found" });
    }
  });

  it("stores names in any script, emoji included, exactly as sent", async () => {
    const name = "日本語のキー 🔑 — ключ";
    const created = await api("POST", "/keys", { name });
    expect(created.status).toBe(201);
    expect((await api("GET", `/keys/${created.body.id}`)).body.name).toBe(name);
  });
});

describe("the CLI", () => {
  it("refuses control characters with exit 2 and a message naming the flag, writing nothing", async () => {
    expect(await cli(["keys", "create", "--name", "tab\there"])).toEqual({ code: 2, stdout: "", stderr: `error: --name: ${TEXT_ERROR}\n` });
    expect(await cli(["tokens", "create", "--name", "\u001b[31mred"])).toEqual({ code: 2, stdout: "", stderr: `error: --name: ${TEXT_ERROR}\n` });
    expect(await cli(["keys", "list", "--search", "a\u0007b"])).toEqual({ code: 2, stdout: "", stderr: `error: --search: ${TEXT_ERROR}\n` });
    const admin = await cli(["create-admin", "--email", "third@example.com", "--name", "line\nbreak", "--password-stdin"], PASSWORD);
    expect(admin).toEqual({ code: 2, stdout: "", stderr: `error: --name: ${TEXT_ERROR}\n` });
    expect((await api("GET", "/keys?search=here")).body.total).toBe(0);
  });
});

describe("the console's filters", () => {
  it("match nothing for a NUL in a search or filter, instead of failing", async () => {
    const cookie = await signIn();
    for (const path of ["/admin/keys?q=st%00eady", "/admin/logs?q=a%00b", "/admin/logs?key=a%00b", "/admin/usage?model=a%00b", "/admin/usage?key=a%00b"]) {
      const page = await fetch(`${server.url}${path}`, { headers: { cookie } });
      expect({ path, status: page.status, url: new URL(page.url).pathname }).toEqual({ path, status: 200, url: path.split("?")[0] });
    }
    const keys = await (await fetch(`${server.url}/admin/keys?q=st%00eady`, { headers: { cookie } })).text();
    expect(/<input[^>]*id="key-search"[^>]*>/.exec(keys)?.[0]).toContain('value="st\uFFFDeady"');
    expect(keys.includes(">steady<")).toBe(false);
    const csv = await fetch(`${server.url}/api/console/usage/export?model=a%00b`, { headers: { cookie } });
    expect(csv.status).toBe(200);
    // Nothing reached the database to fail there.
    expect(server.output()).not.toMatch(/22021|invalid byte sequence/);
  });
});

/** Signs in over HTTP as the console's form does; returns the Cookie header. */
async function signIn(): Promise<string> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const answer = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; "), origin: server.url },
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD, csrfToken, callbackUrl: "/admin", json: "true" }),
  });
  const session = answer.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in failed: ${answer.status}`);
  return session.split(";")[0];
}
