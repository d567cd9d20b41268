import { readFileSync } from "node:fs";
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
