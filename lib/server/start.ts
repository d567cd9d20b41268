// The production server behind `npm start`: Next's request handler inside our own
// node:http server, for things `next start` cannot do —
//  - tell route handlers the socket's address (PEER_HEADER), which Next hides;
//  - refuse what Next would mishandle before it sees it (lib/server/front-door.ts): foreign
//    Host names, forwarding headers from untrusted peers, methods and targets Next answers
//    with a 500, and /v1 paths it would answer with an HTML page;
//  - on SIGTERM, stop accepting, let in-flight requests and streams finish, then run the
//    shutdown hooks (flush usage records, close the database) before exiting.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { rmSync, writeFileSync } from "node:fs";
import next from "next";
import { loadDotEnv } from "@/lib/config/dotenv";
import { ConfigError, getEnv, type Env } from "@/lib/config/env";
import { isTrustedProxy, markPeerHeaderTrusted, PEER_HEADER } from "@/lib/http/client-ip";
import { startRuntimeOrExit } from "@/lib/runtime/start";
import { closeAfterResponse } from "./connection";
import { refuseV1, routeV1, serveDirect } from "./direct-routes";
import { admitRequest } from "./front-door";
import { runShutdownHooks } from "@/lib/runtime/lifecycle";
import { serverInfoPath } from "@/lib/runtime/local-files";

const log = (line: string) => console.log(line);

function localUrl(env: Env, port: number): string {
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startServer(root: string): Promise<void> {
  loadDotEnv(root);
  let env: Env;
  try {
    env = getEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  // The database opens (and the embedded one locks and migrates) before anything listens.
  await startRuntimeOrExit();
  const app = next({ dev: false, dir: root, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  markPeerHeaderTrusted();

  let inflight = 0;
  let drained: (() => void) | null = null;
  // Host is checked in admitRequest, which answers in JSON; Node's own check answers an
  // empty 400.
  const server = createServer({ requireHostHeader: false }, (req: IncomingMessage, res: ServerResponse) => {
    // Overwrite whatever the client sent: only the socket knows who is calling.
    req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
    inflight++;
    res.once("close", () => {
      if (--inflight === 0) drained?.();
    });
    const door = admitRequest(req, { allowedHosts: env.ALLOWED_HOSTS, trustedPeer: isTrustedProxy(req.socket.remoteAddress) });
    if (door.kind === "refuse") {
      closeAfterResponse(res);
      res.writeHead(door.status, { "content-type": "application/json", ...door.headers });
      res.end(JSON.stringify({ error: { code: door.code, message: door.message } }));
      return;
    }
    const direct = door.kind === "v1" ? (door.refusal ? refuseV1(door.refusal) : routeV1(req.method ?? "", door.path, env.V1_DIRECT)) : null;
    if (direct) {
      serveDirect(direct, req, res).catch((error: Error) => {
        // The handlers map their own errors; reaching here is a bug in this host.
        console.error(`[server] ${req.method} ${req.url}: ${error.stack ?? error.message}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end();
      });
      return;
    }
    void handle(req, res);
  });
  // Longer than the usual proxy idle timeouts (Nginx 60 s), so the proxy closes first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  const url = localUrl(env, port);
  if (env.database === "pglite") {
    // Lets the CLI find this server: a second process cannot open the embedded database.
    writeFileSync(serverInfoPath(env.dataDir), JSON.stringify({ pid: process.pid, url }) + "\n", { mode: 0o600 });
  }
  log(`[server] ready on ${url} (database: ${env.database === "pglite" ? `embedded, ${env.databaseUrl.slice(7)}` : "PostgreSQL"}, limits: ${env.REDIS_URL ? "Redis" : "in memory"})`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log(`[server] ${signal}: no new connections; waiting for ${inflight} request(s) to finish`);
    server.close();
    server.closeIdleConnections();
    if (inflight > 0) {
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, env.SHUTDOWN_TIMEOUT * 1000).unref());
      await Promise.race([new Promise<void>((resolve) => (drained = resolve)), deadline]);
      if (inflight > 0) {
        log(`[server] ${inflight} request(s) still open after ${env.SHUTDOWN_TIMEOUT}s; closing them`);
        server.closeAllConnections();
      }
    }
    await app.close().catch(() => undefined);
    await runShutdownHooks(log);
    if (env.database === "pglite") rmSync(serverInfoPath(env.dataDir), { force: true });
    log("[server] stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
