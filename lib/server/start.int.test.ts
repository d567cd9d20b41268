import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { lockHolder } from "@/lib/db/lock";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";

describe("npm start (the production server)", () => {
  let app: AppServer;
  afterEach(async () => {
    await app?.stop("SIGKILL");
  });

  it("serves, locks the embedded database, tells the CLI where it is, and cleans up on SIGTERM", async () => {
    app = await startAppServer();
    const health = await fetch(`${app.url}/api/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    const pgliteDir = join(app.dataDir, "pglite");
    expect(lockHolder(pgliteDir)).toBe(app.pid);
    expect(JSON.parse(readFileSync(join(app.dataDir, "server.json"), "utf8"))).toEqual({ pid: app.pid, url: app.url });

    expect(await app.stop("SIGTERM")).toBe(0);
    expect(app.output()).toContain("[server] stopped");
    expect(lockHolder(pgliteDir)).toBeNull();
  });

  it("answers only the host names in ALLOWED_HOSTS (and loopback)", async () => {
    app = await startAppServer({ ALLOWED_HOSTS: "console.example.com" });
    const get = (host: string, path = "/signin") =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${app.url}${path}`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.once("error", reject);
        req.end();
      });
    expect(await get("rebound.attacker.example")).toBe(400);
    expect(await get("rebound.attacker.example", "/api/admin/keys")).toBe(400);
    expect(await get("console.example.com")).toBe(200);
    expect(await get("127.0.0.1:3000", "/api/health")).toBe(200);
  });

  it("refuses to start with a bad setting and names it", async () => {
    await expect(startAppServer({ DEFAULT_RATE_LIMIT: "lots" })).rejects.toThrow(/DEFAULT_RATE_LIMIT/);
  });

  it("refuses a second server on the same embedded database with a clear message", async () => {
    app = await startAppServer();
    const second = startAppServer({ DATA_DIR: app.dataDir });
    await expect(second).rejects.toThrow(/in use by process \d+/);
    // The first one still answers.
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
  });
});
