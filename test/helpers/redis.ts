// A real Redis server for one test file, without persistence (as many deployments run
// it): a restart loses every counter, which is what the quota tests need to see.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort, waitFor } from "./ports";

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (SIGKILL: nothing is saved). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

function redisBinary(): string {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error("redis-server not found (apt-get install redis-server)");
  return found;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = redisBinary();
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    const proc = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let output = "";
    proc.stdout?.on("data", (chunk) => (output += chunk));
    await waitFor("Redis to accept connections", () => {
      if (proc.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (!output.includes("Ready to accept connections")) throw new Error("not ready");
    });
  };
  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGKILL");
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, stop: kill };
}
