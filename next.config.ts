import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Loaded by Node at run time, not bundled: PGlite finds its wasm and data files next to
  // its own module, and the argon2 binding is a native addon.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "ioredis", "rate-limiter-flexible", "undici"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Keep the build output out of the embedded database's way and make `npm start` fast.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
