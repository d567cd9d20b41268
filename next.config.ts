import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

// Loaded by Node at run time, not bundled: PGlite finds its wasm and data files next to
// its own module, and the argon2 binding is a native addon.
const NODE_PACKAGES = ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "ioredis", "rate-limiter-flexible", "undici"];

export default function config(phase: string): NextConfig {
  // The production build imports the compiled core (node_modules/@akm/core, made by
  // scripts/build.mjs) at run time instead of bundling lib/ again: the host and Next's
  // pages then share one copy of every module — one database client, one key cache.
  // `next dev` bundles lib/ from its sources.
  const production = phase !== PHASE_DEVELOPMENT_SERVER;
  return {
    serverExternalPackages: production ? ["@akm/core", ...NODE_PACKAGES] : NODE_PACKAGES,
    poweredByHeader: false,
    reactStrictMode: true,
    typescript: {
      tsconfigPath: production ? "tsconfig.next.json" : "tsconfig.json",
      // `npm run typecheck` (in CI) checks the whole project, tests included; the build does
      // not repeat it, so a first `npm start` is faster and test-only types cannot break it.
      ignoreBuildErrors: true,
    },
  };
}
