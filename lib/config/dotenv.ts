// `npm start` and the CLI read .env files from the project directory, as `next start`
// does, with Next's own loader and rules (.env.local, .env.<mode>, .env; the process's
// environment wins). Call before the first getEnv().
import * as nextEnvModule from "@next/env";

// A CommonJS package: under Node's ESM loader its exports sit on `default`.
const nextEnv = (nextEnvModule as { default?: typeof nextEnvModule }).default ?? nextEnvModule;

export function loadDotEnv(projectDir: string): void {
  nextEnv.loadEnvConfig(projectDir, false, { info: () => undefined, error: (...args: unknown[]) => console.error(...args) });
}
