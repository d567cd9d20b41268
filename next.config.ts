import type { NextConfig } from "next";

// Loaded by Node at run time, not bundled: PGlite finds its wasm and data files next to
// its own module, and the argon2 binding is a native addon.
const NODE_PACKAGES = ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "ioredis", "rate-limiter-flexible", "undici"];

// Next's server code imports the compiled core (node_modules/@akm/core, made by
// scripts/build.mjs) at run time instead of bundling lib/ again: the host and Next's pages
// then share one copy of every module — one database client, one key cache. In
// tsconfig.next.json @akm/core is not mapped to the sources, so Next finds the package.
export default function config(): NextConfig {
  return {
    serverExternalPackages: ["@akm/core", ...NODE_PACKAGES],
    poweredByHeader: false,
    reactStrictMode: true,
    typescript: {
      tsconfigPath: "tsconfig.next.json",
      // `npm run typecheck` (in CI) checks the whole project, tests included; the build does
      // not repeat it, so a first `npm start` is faster and test-only types cannot break it.
      ignoreBuildErrors: true,
    },
  };
}
