// The production server behind `npm start`, read top to bottom:
//   1. the configuration (lib/config/env.ts) and the process's services (lib/runtime/start.ts:
//      database, records, limiter, key cache, upstream agent), before anything listens;
//   2. the gateway (lib/gateway/gateway.ts) with the /v1 routes (lib/gateway/routes.ts),
//      called with node:http's own request and response;
//   3. Next (the console, /api, sign-in), which imports the same compiled services;
//   4. one node:http server whose front door (lib/server/front-door.ts) decides who answers:
//      forwarding headers from untrusted peers removed, the target normalised, a bad Host
//      or method refused, /v1 to the gateway, the rest to Next;
//   5. on SIGTERM: stop accepting, let in-flight requests and streams finish, then run the
//      shutdown hooks (flush the records, close the database) and exit.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { rmSync, writeFileSync } from "node:fs";
import next from "next";
import { loadDotEnv } from "@/lib/config/dotenv";
import { ConfigError, getEnv, type Env } from "@/lib/config/env";
import { createGateway } from "@/lib/gateway/gateway";
import { V1_ROUTES } from "@/lib/gateway/routes";
import { isTrustedProxy, markPeerHeaderTrusted, PEER_HEADER } from "@/lib/http/client-ip";
import { closeAfterResponse } from "@/lib/http/connection";
import { runShutdownHooks } from "@/lib/runtime/lifecycle";
import { serverInfoPath } from "@/lib/runtime/local-files";
import { startRuntimeOrExit } from "@/lib/runtime/start";
import { admitRequest } from "./front-door";

const log = (line: string) => console.log(line);

function localUrl(env: Env, port: number): string {
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startServer(root: string, options: { dev?: boolean } = {}): Promise<void> {
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

  const runtime = await startRuntimeOrExit();
  const gateway = createGateway(runtime.gateway, V1_ROUTES);
  const app = next({ dev: options.dev ?? false, dir: root, hostname: env.HOST, port: env.PORT });
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
    if (door.kind === "v1") return gateway(req, res, door);
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
