// Runs the CLI as operators do: a real process running cli/index.ts through tsx (as
// `npm run cli` does), with only the environment the test gives it.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** Run through `npm run <script> -- …` exactly as the README writes it (npm's own header lines included). */
  npmScript?: "cli" | "create-admin" | "db:migrate";
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  // `--import tsx` loads the same TypeScript without the tsx launcher's second process;
  // the condition is the npm scripts' own (see cli/backend.ts).
  const [command, argv] = options.npmScript
    ? ["npm", ["run", options.npmScript, "--", ...args]]
    : [process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/index.ts", ...args]];
  const child: ChildProcess = spawn(command, argv, {
    cwd: ROOT,
    // Not the test runner's environment: jest's NODE_OPTIONS and NODE_ENV are not the operator's.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "development", LOG_LEVEL: "warn", ...options.env },
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.input !== undefined) child.stdin!.end(options.input);
  return new Promise((resolvePromise, reject) => {
    child.once("error", reject);
    child.once("close", (code: number | null) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed and returns its parsed --json output. */
export async function runCliJson<T = unknown>(args: string[], options: CliOptions = {}): Promise<T> {
  const result = await runCli([...args, "--json"], options);
  if (result.code !== 0) throw new Error(`cli ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Runs many commands that touch no database, a few at a time (the machine is shared). */
export async function runCliBatch(commands: string[][], options: CliOptions = {}, concurrency = 4): Promise<CliResult[]> {
  const results: CliResult[] = new Array(commands.length);
  let next = 0;
  const worker = async () => {
    while (next < commands.length) {
      const i = next++;
      results[i] = await runCli(commands[i], options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, commands.length) }, worker));
  return results;
}

interface ApiAnswer {
  status: number;
  text: string;
  // Parsed JSON; the assertions examine its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read any field of any answer
  body: any;
}

/**
 * The foundation issue's acceptance check, for either database: `npm run cli -- keys create
 * --name demo --json` prints {"id","key"}; the management API and `keys list`/`keys show`
 * then show the key, and nothing ever shows the secret again. Returns the created key.
 */
export async function expectDemoKeyShownOnce(
  env: Record<string, string | undefined>,
  api: (path: string) => Promise<ApiAnswer>,
  cli: (args: string[]) => Promise<CliResult>,
): Promise<{ id: string; key: string }> {
  const result = await runCli(["keys", "create", "--name", "demo", "--json"], { npmScript: "cli", env });
  expect(result.code).toBe(0);
  // npm prints its own header lines first; the command's output is the last line.
  const created = JSON.parse(result.stdout.trim().split("\n").pop()!) as { id: string; key: string };
  expect(Object.keys(created)).toEqual(["id", "key"]);
  expect(created.key).toMatch(/^sk-akm_\w{46}$/);

  const listed = await api("/keys?search=demo");
  expect(listed.status).toBe(200);
  expect(listed.body.items).toEqual([expect.objectContaining({ id: created.id, name: "demo", status: "active", prefix: created.key.slice(0, 13) })]);
  const one = await api(`/keys/${created.id}`);
  expect(one.body).toMatchObject({ id: created.id, name: "demo" });
  const cliList = await cli(["keys", "list", "--search", "demo"]);
  expect(cliList.stdout).toMatch(new RegExp(`${created.id}\\s+demo\\s+${created.key.slice(0, 13)}…`));
  for (const text of [listed.text, one.text, cliList.stdout, (await cli(["keys", "show", created.id])).stdout]) {
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(created.key.slice(13));
  }
  return created;
}
