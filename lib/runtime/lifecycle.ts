// What the process does after its last in-flight request has finished: flush the usage
// records, close Redis and the database. Services register their own hook when created.
type Hook = { name: string; run: () => Promise<void> | void };

const hooks: Hook[] = [];

/** Registers work to do after the last in-flight request has finished (flush, close). */
export function onShutdown(name: string, run: Hook["run"]): void {
  const existing = hooks.findIndex((h) => h.name === name);
  if (existing >= 0) hooks.splice(existing, 1);
  hooks.push({ name, run });
}

/** Runs the hooks, newest first (a flush runs before the database it writes to closes). */
export async function runShutdownHooks(log: (message: string) => void = console.log): Promise<void> {
  for (const hook of [...hooks].reverse()) {
    try {
      await hook.run();
    } catch (error) {
      log(`[shutdown] ${hook.name} failed: ${(error as Error).message}`);
    }
  }
  hooks.length = 0;
}
