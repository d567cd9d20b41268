// The production build, started the way operators start it (`node server.mjs`), on a free
// port with its own data directory. The build itself is made once per run by
// test/jest/global-build.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { seedPgliteDir } from "./pglite-dir-template";
import { waitFor } from "./ports";

const ROOT = resolve(__dirname, "../..");

export interface AppServer {
  url: string;
  pid: number;
  dataDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts `node server.mjs`. Without DATA_DIR and DATABASE_URL the server gets a new data
 * directory holding a copy of a migrated embedded database (fast to open).
 */
export async function startAppServer(env: Record<string, string | undefined> = {}): Promise<AppServer> {
  let dataDir = env.DATA_DIR;
  if (!dataDir) {
    dataDir = mkdtempSync(join(tmpdir(), "akm-app-"));
    if (!env.DATABASE_URL) seedPgliteDir(dataDir);
  }
  const child: ChildProcess = spawn(process.execPath, ["server.mjs", "--no-build"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const url = await waitFor(
    "the app server to be ready",
    () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`server exited with ${child.exitCode}:\n${output}`), { fatal: true });
      const match = /\[server\] ready on (http:\/\/\S+)/.exec(output);
      if (!match) throw new Error("not ready yet");
      return match[1];
    },
    90_000,
  ).catch((error) => {
    child.kill("SIGKILL");
    throw error;
  });
  return {
    url,
    pid: child.pid!,
    dataDir,
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
