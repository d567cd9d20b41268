// A real Nginx in front of app servers, configured from deploy/nginx/api-key-manager.conf
// (the file operators deploy), with only the addresses, ports and certificate paths
// changed, and a self-signed certificate for 127.0.0.1/localhost.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, waitFor } from "./ports";

const ROOT = resolve(__dirname, "../..");

export interface NginxServer {
  httpsUrl: string;
  httpUrl: string;
  /** PEM of the self-signed certificate, for clients to trust. */
  ca: string;
  config: string;
  stop(): Promise<void>;
}

function nginxBinary(): string {
  const found = spawnSync("sh", ["-c", "command -v nginx || ls /usr/sbin/nginx"], { encoding: "utf8" }).stdout.trim().split("\n")[0];
  if (!found) throw new Error("nginx not found (apt-get install nginx-light)");
  return found;
}

export async function startNginx(appUrls: string[]): Promise<NginxServer> {
  const bin = nginxBinary();
  const dir = mkdtempSync(join(tmpdir(), "akm-nginx-"));
  chmodSync(dir, 0o755);
  const tls = join(dir, "tls");
  mkdirSync(tls);
  const cert = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(tls, "privkey.pem"), "-out", join(tls, "fullchain.pem"), "-days", "2",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    { encoding: "utf8" },
  );
  if (cert.status !== 0) throw new Error(`openssl failed: ${cert.stderr}`);

  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const site = readFileSync(join(ROOT, "deploy/nginx/api-key-manager.conf"), "utf8")
    .replace(/^\s*server app\d+:3000[^;]*;\n/gm, "")
    .replace(/upstream akm_app \{\n/, `upstream akm_app {\n${appUrls.map((u) => `    server ${new URL(u).host};\n`).join("")}`)
    .replace(/^\s*listen \[::\].*\n/gm, "") // the sandbox may lack IPv6
    .replace("listen 80;", `listen 127.0.0.1:${httpPort};`)
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replace("return 301 https://$host$request_uri;", `return 301 https://$host:${httpsPort}$request_uri;`)
    .replaceAll("/etc/nginx/tls/", `${tls}/`);
  writeFileSync(join(dir, "site.conf"), site);
  const temp = (name: string) => {
    mkdirSync(join(dir, name), { recursive: true });
    chmodSync(join(dir, name), 0o777);
    return join(dir, name);
  };
  writeFileSync(
    join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${join(dir, "nginx.pid")};`,
      `error_log ${join(dir, "error.log")} warn;`,
      "events { worker_connections 1024; }",
      "http {",
      "  access_log off;",
      `  client_body_temp_path ${temp("client_body")};`,
      `  proxy_temp_path ${temp("proxy")};`,
      `  fastcgi_temp_path ${temp("fastcgi")};`,
      `  uwsgi_temp_path ${temp("uwsgi")};`,
      `  scgi_temp_path ${temp("scgi")};`,
      `  include ${join(dir, "site.conf")};`,
      "}",
    ].join("\n"),
  );
  const check = spawnSync(bin, ["-t", "-p", dir, "-c", join(dir, "nginx.conf")], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);

  const child: ChildProcess = spawn(bin, ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const httpsUrl = `https://127.0.0.1:${httpsPort}`;
  await waitFor("Nginx to listen", async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    await fetch(`http://127.0.0.1:${httpPort}/`, { redirect: "manual" });
  });
  return {
    httpsUrl,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    ca: readFileSync(join(tls, "fullchain.pem"), "utf8"),
    config: site,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGQUIT"); // graceful
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
