import { createServer } from "node:net";

/** A TCP port that was free a moment ago (for servers that cannot listen on port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves when `check` stops throwing, polling a real condition; fails after `timeoutMs`,
 * or at once when `check` throws an error marked `fatal` (the awaited process died).
 */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if ((error as { fatal?: boolean } | null)?.fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${(lastError as Error)?.message ?? lastError}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
