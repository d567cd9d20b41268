// The local CLI credential (DATA_DIR/cli-token) against the production server listening
// on every address: accepted over loopback, refused from any other address of the
// machine, whatever the request's headers claim. A copied data directory must not let
// someone manage the server from elsewhere.
import { request as httpRequest } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { runCli, runCliJson } from "@/test/helpers/cli";
import { seedDataDir } from "@/test/helpers/db";
import { nonLoopbackAddress, type LocalAddress } from "@/test/helpers/local-address";

jest.setTimeout(180_000);

let dataDir: string;
let server: AppServer;
let port: number;
let outside: LocalAddress;
let localToken: string;

beforeAll(async () => {
  outside = nonLoopbackAddress();
  dataDir = mkdtempSync(join(tmpdir(), "akm-local-credential-"));
  await seedDataDir(dataDir);
  server = await startAppServer({ DATA_DIR: dataDir, HOST: "0.0.0.0" });
  port = Number(new URL(server.url).port);
  localToken = readFileSync(join(dataDir, "cli-token"), "utf8").trim();
});
afterAll(async () => {
  await server?.stop();
  outside?.release();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** One request to the server from `from` (connecting to that address, so it is also the peer's). */
function call(from: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: from,
        localAddress: from,
        port,
        method,
        path: `/api/admin${path}`,
        headers: {
          authorization: `Bearer ${options.token ?? localToken}`,
          ...(body ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

const newAdmin = (email: string) => ({ email, password: "a long enough password" });

describe("the local CLI credential", () => {
  it("works over loopback, for the CLI and for admin accounts", async () => {
    expect((await call("127.0.0.1", "GET", "/keys")).status).toBe(200);
    expect((await call("127.0.0.1", "POST", "/admins", { body: newAdmin("local@example.com") })).status).toBe(201);
    const cli = await runCli(["keys", "list", "--json"], { env: { DATA_DIR: dataDir } });
    expect(cli).toMatchObject({ code: 0, stderr: "" });
  });

  it("is refused from another address of this machine, on every route, and creates no admin", async () => {
    const address = outside.address;
    const created = await call(address, "POST", "/admins", { body: newAdmin("intruder@example.com") });
    expect(created.status).toBe(401);
    expect(created.body.error).toMatchObject({ code: "unauthorized", message: expect.stringContaining("loopback") });
    expect((await call(address, "GET", "/keys")).status).toBe(401);
    expect((await call(address, "POST", "/keys", { body: { name: "from-outside" } })).status).toBe(401);
    expect((await call(address, "POST", "/tokens", { body: { name: "from-outside" } })).status).toBe(401);
    // Nothing was written: the same e-mail is new when created from loopback.
    expect((await call("127.0.0.1", "POST", "/admins", { body: newAdmin("intruder@example.com") })).status).toBe(201);
    expect((await call("127.0.0.1", "GET", "/keys?search=from-outside")).body).toMatchObject({ total: 0 });
  });

  it("is refused from outside whatever the headers claim about the caller", async () => {
    const claims = { "x-akm-peer": "127.0.0.1", "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1", forwarded: "for=127.0.0.1" };
    expect((await call(outside.address, "POST", "/admins", { body: newAdmin("spoof@example.com"), headers: claims })).status).toBe(401);
  });

  it("is refused over loopback when a proxy on this machine forwarded someone else's request", async () => {
    for (const [name, value] of [["x-forwarded-for", "203.0.113.9"], ["x-real-ip", "203.0.113.9"], ["forwarded", "for=203.0.113.9"]]) {
      expect((await call("127.0.0.1", "GET", "/keys", { headers: { [name]: value } })).status).toBe(401);
    }
  });

  it("leaves other management tokens usable from any address", async () => {
    const { token } = await runCliJson<{ token: string }>(["tokens", "create", "--name", "remote-bot"], { env: { DATA_DIR: dataDir } });
    expect((await call(outside.address, "GET", "/keys", { token })).status).toBe(200);
    // Only the local credential manages admins, so an ordinary token still may not.
    expect((await call(outside.address, "POST", "/admins", { token, body: newAdmin("bot@example.com") })).status).toBe(403);
  });

  it("records each refusal as a security event naming the address", async () => {
    expect(await server.stop("SIGTERM")).toBe(0);
    const { createPrisma } = await import("@/lib/db/client");
    const prisma = createPrisma(`pglite:${join(dataDir, "pglite")}`);
    try {
      const events = await prisma.event.findMany({ where: { type: "local_credential_refused" }, select: { level: true, clientIp: true, details: true } });
      expect(events.filter((e) => e.clientIp === outside.address)).toHaveLength(5);
      expect(events).toContainEqual({ level: "warn", clientIp: "203.0.113.9", details: { peer: "127.0.0.1" } });
    } finally {
      await prisma.$disconnect();
    }
  });
});
