import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Loaded by Node at run time, not bundled: PGlite finds its wasm and data files next to
  // its own module, and the argon2 binding is a native addon.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "ioredis", "rate-limiter-flexible", "undici"],
  poweredByHeader: false,
  reactStrictMode: true,
  // `npm run typecheck` (in CI) checks the whole project, tests included; the build does
  // not repeat it, so a first `npm start` is faster and test-only types cannot break it.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
