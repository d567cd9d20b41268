// `npm run lint`. Besides the usual checks this file holds the layering that STYLE.md
// describes: app/ and cli/ are entry points, lib/<domain> holds the logic and never reaches
// back up, components/ render what pages hand them, repositories own the database,
// lib/config/env.ts alone reads the environment, and lib/server is only the host.
//
// Lists named *_TODAY are where the code stands, not where it should be: shrink them as
// the code moves, never grow them. Lint fails when a listed file no longer needs its entry
// (lint/plugin.mjs) or no longer exists (below), so the lists cannot go stale.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import { defineConfig, globalIgnores, includeIgnoreFile } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";
import { existsSync } from "node:fs";
import { akm } from "./lint/plugin.mjs";

const root = import.meta.dirname;

/** A `today` list (or the repositories'), refused as a whole once one of its files is gone (moved or deleted). */
function today(list) {
  const gone = list.filter((file) => !existsSync(`${root}/${file}`));
  if (gone.length > 0) throw new Error(`eslint.config.mjs lists files that no longer exist: ${gone.join(", ")}`);
  return list;
}

const TS = ["**/*.{ts,tsx,mts,cts}"];
// Tests, their helpers and the benchmarks set up what the product code may not: they seed
// the database directly, set variables before the env module reads them, call route
// handlers. TEST_CODE in the patterns of lint/plugin.mjs, TEST_GLOBS as ESLint's globs.
const TEST_CODE = ["*.test.ts", "*.test.tsx", "test/", "e2e/", "bench/"];
const TEST_GLOBS = ["**/*.test.{ts,tsx}", "test/**", "e2e/**", "bench/**"];

// The modules that query the database: one repository per table family, the only place
// its tables are queried (STYLE 9, 17). Besides them only lib/db (the client, migrations,
// the database's own checks), lib/runtime (which opens, checks and closes it for the
// process) and the CLI's direct backend (which closes the connection its commands opened;
// it queries nothing) import the Prisma client's values; types may go anywhere.
const REPOSITORIES = [
  "lib/admins/repository.ts", // admin_users
  "lib/audit/repository.ts", // audit_logs
  "lib/events/repository.ts", // events
  "lib/keys/repository.ts", // api_keys
  "lib/tokens/repository.ts", // management_tokens
  "lib/usage/writes.ts", // request_logs and key_daily_usage; the gateway's events in the same batches
  "lib/usage/queries.ts", // the console's statistics: usage_hourly, request_logs, key_daily_usage
  "lib/usage/request-log-reads.ts", // request_logs, one request at a time
];
const DATABASE_OWNERS = ["lib/db/", "lib/runtime/", "cli/backend.ts"];

// Importers of lib/server outside the host itself and its entry point (server.mjs): none.
// What the host shares with the rest (shutdown hooks, the files the CLI finds a server by,
// the health check) lives below it, in lib/runtime.
const SERVER_IMPORTERS_TODAY = today([
]);

// Process-wide state lives in modules of the one module graph (scripts/build.mjs), created
// by lib/runtime/start.ts; a registry on globalThis would hide it (STYLE 15).
const GLOBAL_REGISTRIES_TODAY = today([]);

// The lib modules a component may import values from: they run in the browser as well
// as on the server. Everything else under lib/ counts as server code (types pass).
const BROWSER_SAFE = [
  "lib/auth/client",
  "lib/console/errors",
  "lib/console/key-forms",
  "lib/console/key-views",
  "lib/console/log-types",
  "lib/console/time",
  "lib/i18n/format",
  "lib/i18n/locales",
  "lib/i18n/translate",
  "lib/usage/stats-shared",
];

const PRISMA = ["lib/db/client", "generated/prisma/", "@prisma/client"];

// akm/layers (lint/plugin.mjs): the `from` files (all when absent) may not import `to`
// (`unless` aside); `except` files are outside the boundary, `today` files may still cross.
const BOUNDARIES = [
  {
    name: "repositories own the database",
    except: [...DATABASE_OWNERS, ...today(REPOSITORIES), ...TEST_CODE],
    to: PRISMA,
    types: "allowed",
    why: "query through a repository module (STYLE 9, 17); add a function there instead.",
  },
  {
    name: "pages never import the Prisma client",
    from: ["app/", "components/"],
    except: TEST_CODE,
    to: ["lib/db/", "generated/prisma/", "@prisma/"],
    types: "refused",
    why: "pages get plain objects from lib (STYLE 9).",
  },
  {
    name: "components are browser-safe",
    from: ["components/"],
    except: TEST_CODE,
    to: ["lib/", "generated/", "@prisma/", "server-only"],
    unless: BROWSER_SAFE,
    types: "allowed",
    why: "components render what the page hands them; import types only, or list a browser-safe module in eslint.config.mjs.",
  },
  {
    name: "lib/server is only the host",
    except: ["lib/server/", "server.mjs"],
    today: SERVER_IMPORTERS_TODAY,
    to: ["lib/server/"],
    types: "allowed",
    why: "only the entry points start or reach the host; shared services live below it.",
  },
  {
    name: "app/ holds entry points",
    except: ["app/", ...TEST_CODE],
    to: ["app/"],
    why: "nothing imports a page, route or action; move what is shared into lib/ (STYLE 1).",
  },
  {
    name: "cli/ is an entry point",
    except: ["cli/", ...TEST_CODE],
    to: ["cli/"],
    why: "nothing imports the CLI; move what is shared into lib/.",
  },
  {
    name: "lib/ points down",
    from: ["lib/"],
    except: TEST_CODE,
    to: ["components/"],
    why: "logic does not depend on the UI (STYLE 1).",
  },
  {
    name: "usage does not know the console",
    from: ["lib/usage/"],
    to: ["lib/console/"],
    why: "the console reads usage, not the other way round.",
  },
];

// Files whose framework asks for a default export.
const FRAMEWORK_FILES = [
  "app/**/{page,layout,loading,error,not-found,template,default,global-error}.tsx",
  "*.config.{ts,mjs}",
  "test/jest/global-build.ts", // Jest's globalSetup
];

export default defineConfig([
  includeIgnoreFile(`${root}/.gitignore`, "gitignore"),
  globalIgnores(["bench/peers/", "prisma/migrations/"], "not ours"),
  { linterOptions: { reportUnusedDisableDirectives: "error", reportUnusedInlineConfigs: "error" } },

  js.configs.recommended,
  { files: ["**/*.{js,mjs,cjs}"], languageOptions: { globals: globals.node } },

  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // React ignores what an event handler returns; an async onClick is fine where it
      // catches its own failures. Everywhere else a promise passed as a callback is a bug.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      // Type-only imports are erased; the layer rule lets some of them cross boundaries.
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      // Passing on what a promise rejected with is not inventing a non-Error reason.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // Adapters share one signature; `_ctx` marks a parameter one of them does not read.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Handler contexts are objects of closures; the rule cannot tell them from class methods.
      "@typescript-eslint/unbound-method": "off",
      // Async interface implementations and test callbacks need no await.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Tests read parsed JSON (`any`) and assert on its shape; the assertion is the check.
    files: TEST_GLOBS,
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    extends: [nextPlugin.configs["core-web-vitals"]],
    settings: { next: { rootDir: root } },
  },
  {
    files: ["app/**/*.tsx", "components/**/*.{ts,tsx}"],
    ignores: TEST_GLOBS,
    extends: [reactHooks.configs.flat.recommended],
  },

  // The project's rules (lint/plugin.mjs).
  {
    files: ["**/*.{ts,tsx,mts,cts,js,mjs}"],
    plugins: { akm },
    rules: {
      "akm/layers": ["error", { root, boundaries: BOUNDARIES }],
      "akm/no-global-registry": ["error", { root, today: GLOBAL_REGISTRIES_TODAY }],
    },
  },

  // lib/config/env.ts is the one reader of the environment (STYLE 12).
  {
    files: ["**/*.{ts,tsx,mts,cts,js,mjs}"],
    ignores: [
      "lib/config/env.ts",
      "prisma.config.ts", // read by the Prisma CLI, outside the app
      "scripts/generate-prisma.mjs", // hands the environment to the Prisma CLI
      ...TEST_GLOBS,
    ],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read settings through getEnv() from lib/config/env.ts (STYLE 12)." }],
      "no-restricted-imports": ["error", { paths: ["process", "node:process"].map((name) => ({ name, importNames: ["env"], message: "Read settings through getEnv() from lib/config/env.ts (STYLE 12)." })) }],
    },
  },

  // Named exports, except where the framework asks for a default one (STYLE 14).
  { files: ["**/*.{ts,tsx,mts,cts,js,mjs}"], rules: { "no-restricted-syntax": ["error", { selector: "ExportDefaultDeclaration", message: "Use a named export; default exports are for framework files (STYLE 14)." }] } },
  { files: FRAMEWORK_FILES, rules: { "no-restricted-syntax": "off" } },
]);
