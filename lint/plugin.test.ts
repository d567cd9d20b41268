import { RuleTester, type Rule } from "eslint";
import tseslint from "typescript-eslint";
import { akm, importedPath, matches } from "./plugin.mjs";

const root = "/repo";
const rule = (name: string) => akm.rules![name] as Rule.RuleModule;

RuleTester.describe = describe;
RuleTester.it = it;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: "latest", sourceType: "module" } });

describe("patterns", () => {
  it("name a folder, a module with or without its extension, or an ending", () => {
    expect(matches("lib/db/client.ts", "lib/db/")).toBe(true);
    expect(matches("lib/dbx/client.ts", "lib/db/")).toBe(false);
    expect(matches("lib/db/client", "lib/db/client")).toBe(true);
    expect(matches("lib/db/client.ts", "lib/db/client")).toBe(true);
    expect(matches("lib/db/client-pool", "lib/db/client")).toBe(false);
    expect(matches("lib/db/index", "lib/db/client")).toBe(false);
    expect(matches("lib/keys/index", "lib/keys")).toBe(true);
    expect(matches("lib/keys/service.test.ts", "*.test.ts")).toBe(true);
    expect(matches("@prisma/client/runtime/client", "@prisma/client")).toBe(true);
    expect(matches("@prisma/client-extra", "@prisma/client")).toBe(false);
  });

  it("resolve the @/ alias and relative imports to repository paths; packages stay as written", () => {
    expect(importedPath("components/keys/table.tsx", "@/lib/db/client")).toBe("lib/db/client");
    expect(importedPath("lib/usage/recorder.ts", "../server/lifecycle")).toBe("lib/server/lifecycle");
    expect(importedPath("server.mjs", "./lib/server/start")).toBe("lib/server/start");
    expect(importedPath("lib/usage/recorder.ts", "zod")).toBe("zod");
  });
});

describe("akm/layers", () => {
  const boundaries = [
    { name: "db", except: ["lib/db/", "*.test.ts"], today: ["lib/keys/service.ts"], to: ["lib/db/client", "@prisma/client"], types: "allowed", why: "use a repository." },
    { name: "pages", from: ["app/"], to: ["lib/db/"], types: "refused", why: "pages get plain objects." },
    { name: "ui", from: ["components/"], to: ["lib/"], unless: ["lib/i18n/translate"], types: "allowed", why: "browser-safe only." },
  ];
  const options = [{ root, boundaries }];
  const at = (file: string) => `${root}/${file}`;

  tester.run("layers", rule("layers"), {
    valid: [
      { name: "a file inside the boundary's own folder", filename: at("lib/db/migrate.ts"), code: `import { getDb } from "./client";`, options },
      { name: "an excepted test file", filename: at("lib/usage/recorder.test.ts"), code: `import { getDb } from "@/lib/db/client";`, options },
      { name: "a type-only import where types are allowed", filename: at("lib/usage/writes.ts"), code: `import type { Db } from "@/lib/db/client";`, options },
      { name: "inline type specifiers only", filename: at("components/table.tsx"), code: `import { type UsageSeries } from "@/lib/usage/queries";`, options },
      { name: "a target on the unless list", filename: at("components/table.tsx"), code: `import { t } from "@/lib/i18n/translate";`, options },
      { name: "a today file that still crosses", filename: at("lib/keys/service.ts"), code: `import { getDb } from "@/lib/db/client";`, options },
      { name: "a file outside `from`", filename: at("lib/usage/queries.ts"), code: `import { BUCKET_MS } from "@/lib/console/time";`, options },
    ],
    invalid: [
      {
        name: "a value import by alias",
        filename: at("lib/usage/recorder.ts"),
        code: `import { getDb } from "@/lib/db/client";`,
        options,
        errors: [{ messageId: "crossed", data: { kind: "The import", specifier: "@/lib/db/client", name: "db", why: "use a repository." } }],
      },
      { name: "a relative import that names the same file", filename: at("lib/usage/recorder.ts"), code: `import { getDb } from "../db/client";`, options, errors: [{ messageId: "crossed" }] },
      { name: "a dynamic import", filename: at("cli/backend.ts"), code: `const db = await import("@/lib/db/client");`, options, errors: [{ messageId: "crossed" }] },
      { name: "a re-export", filename: at("lib/keys/repository.ts"), code: `export { getDb } from "@/lib/db/client";`, options, errors: [{ messageId: "crossed" }] },
      { name: "a package subpath", filename: at("lib/keys/repository.ts"), code: `import { Prisma } from "@prisma/client/runtime/client";`, options, errors: [{ messageId: "crossed" }] },
      {
        name: "a type import where types are refused",
        filename: at("app/admin/page.tsx"),
        code: `import type { Db } from "@/lib/db/client";`,
        options,
        errors: [{ messageId: "crossed", data: { kind: "The type import", specifier: "@/lib/db/client", name: "pages", why: "pages get plain objects." } }],
      },
      {
        name: "an import type in a type position where types are refused",
        filename: at("app/admin/page.tsx"),
        code: `let db: import("@/lib/db/client").Db;`,
        options,
        errors: [{ messageId: "crossed", data: { kind: "The type import", specifier: "@/lib/db/client", name: "pages", why: "pages get plain objects." } }],
      },
      { name: "a mixed import counts as a value import", filename: at("components/table.tsx"), code: `import { type UsageSeries, seriesTotal } from "@/lib/usage/queries";`, options, errors: [{ messageId: "crossed" }] },
      { name: "one import under two boundaries is reported for each", filename: at("app/admin/page.tsx"), code: `import { getDb } from "@/lib/db/client";`, options, errors: [{ messageId: "crossed", data: { kind: "The import", specifier: "@/lib/db/client", name: "db", why: "use a repository." } }, { messageId: "crossed", data: { kind: "The import", specifier: "@/lib/db/client", name: "pages", why: "pages get plain objects." } }] },
      {
        name: "a today file that no longer crosses",
        filename: at("lib/keys/service.ts"),
        code: `import { listKeys } from "./repository";`,
        options,
        errors: [{ messageId: "stale", data: { file: "lib/keys/service.ts", name: "db" }, line: 1 }],
      },
    ],
  });
});

describe("akm/no-global-registry", () => {
  const options = [{ root, today: ["lib/keys/cache.ts"] }];
  const at = (file: string) => `${root}/${file}`;

  tester.run("no-global-registry", rule("no-global-registry"), {
    valid: [
      { name: "a listed file that keeps its registry", filename: at("lib/keys/cache.ts"), code: `const g = globalThis as unknown as { __akmKeyCache?: object };`, options },
      { name: "a local variable named global", filename: at("lib/a.ts"), code: `const global = { x: 1 }; export const y = global.x;`, options },
      { name: "a property named globalThis", filename: at("lib/a.ts"), code: `export const y = (o: { globalThis: number }) => o.globalThis;`, options },
    ],
    invalid: [
      { name: "a registry cast", filename: at("lib/a.ts"), code: `const g = globalThis as unknown as { __akmX?: number };`, options, errors: [{ messageId: "registry", data: { name: "globalThis" } }] },
      { name: "Node's global", filename: at("lib/a.ts"), code: `Object.assign(global, { x: 1 });`, options, errors: [{ messageId: "registry", data: { name: "global" } }] },
      { name: "a global augmentation", filename: at("lib/a.ts"), code: `declare global { var x: number } export {};`, options, errors: [{ messageId: "registry", data: { name: "declare global" } }] },
      { name: "a listed file without a registry", filename: at("lib/keys/cache.ts"), code: `export const keyCache = new Map();`, options, errors: [{ messageId: "stale", data: { file: "lib/keys/cache.ts" } }] },
    ],
  });
});
