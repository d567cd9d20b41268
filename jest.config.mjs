// Three projects:
//   unit        — `npm test`: no server needed (embedded PGlite, in-memory limits, fake providers)
//   integration — real PostgreSQL and Redis started by the tests themselves
//   e2e         — the production build with real PostgreSQL, Redis, Nginx and Chromium
// `npm run test:all` runs all three; .ci/run installs the servers they start.
import nextJest from "next/jest.js";

const createJestConfig = nextJest({ dir: "./" });

const common = {
  testEnvironment: "node",
  moduleNameMapper: { "^@akm/core/(.*)$": "<rootDir>/lib/$1", "^@/(.*)$": "<rootDir>/$1" },
  setupFiles: ["<rootDir>/test/jest/setup-env.ts"],
};

async function project(displayName, config) {
  const resolved = await createJestConfig({ ...common, displayName, ...config })();
  // Wrap Next's SWC transform (see test/jest/transform.cjs).
  resolved.transform = Object.fromEntries(
    Object.entries(resolved.transform).map(([pattern, entry]) =>
      Array.isArray(entry) && /swc[\\/]jest-transformer/.test(entry[0])
        ? [pattern, ["<rootDir>/test/jest/transform.cjs", { base: entry[0], options: entry[1] }]]
        : [pattern, entry],
    ),
  );
  return resolved;
}

export default {
  projects: [
    await project("unit", {
      testMatch: ["<rootDir>/{app,lib,components,cli,test,lint}/**/*.test.{ts,tsx}"],
      testPathIgnorePatterns: ["/node_modules/", "\\.int\\.test\\.ts$", "\\.e2e\\.test\\.ts$"],
    }),
    await project("integration", {
      testMatch: ["<rootDir>/**/*.int.test.ts"],
      globalSetup: "<rootDir>/test/jest/global-build.ts",
      setupFilesAfterEnv: ["<rootDir>/test/jest/long-timeout.ts"],
      testPathIgnorePatterns: ["/node_modules/", "/.next/"],
    }),
    await project("e2e", {
      testMatch: ["<rootDir>/e2e/**/*.e2e.test.ts"],
      globalSetup: "<rootDir>/test/jest/global-build.ts",
      setupFilesAfterEnv: ["<rootDir>/test/jest/long-timeout.ts"],
      testPathIgnorePatterns: ["/node_modules/", "/.next/"],
    }),
  ],
};
