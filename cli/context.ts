import { getEnv, type Env } from "@/lib/config/env";
import { openBackend, type Backend } from "./backend";

/** What a command may use; the backend is opened on first use and closed by the entry point. */
export interface CliContext {
  env(): Env;
  api(): Promise<Backend>;
  /** Program output (stdout). */
  print(text: string): void;
  printJson(value: unknown): void;
  /** Notes for the operator (stderr), never part of the output. */
  note(text: string): void;
}

export function createContext(): CliContext & { backend(): Backend | undefined } {
  let opened: Promise<Backend> | undefined;
  let backend: Backend | undefined;
  return {
    env: () => getEnv(),
    api: () =>
      (opened ??= openBackend(getEnv()).then((b) => {
        backend = b;
        return b;
      })),
    backend: () => backend,
    print: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    printJson: (value) => void process.stdout.write(`${JSON.stringify(value)}\n`),
    note: (text) => void process.stderr.write(`${text}\n`),
  };
}
