// Every console entry point checks the session itself, before it reads anything: each
// page under app/admin, each server action in an actions.ts there, each route handler
// under app/api/console. They are found on disk, so a new one is checked without being
// listed here. The database is replaced by one that fails on any use.
jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);

import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { setDb } from "@/lib/db/client";
import { consoleRequest, withRequest } from "@/test/console/request-context";

const ROOT = resolve(__dirname, "../..");
const FORGED = "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.forged.session";

function filesNamed(dir: string, name: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesNamed(path, name);
    return name.test(entry.name) ? [path] : [];
  });
}

/** /admin/keys/[id]/page.tsx → /admin/keys/k1 */
function routeOf(file: string): string {
  const route = `/${relative(join(ROOT, "app"), file)}`.replace(/\/(page|route)\.tsx?$/, "").replace(/\[kind\]/, "audit").replace(/\[id\]/, "1");
  return route || "/";
}

const untouchable = new Proxy(
  {},
  {
    get(_, property) {
      // Symbols and "then": jest and promise resolution looking at the object, not code using it.
      if (typeof property === "symbol" || property === "then") return undefined;
      throw new Error(`the database was used before the session was checked (${property})`);
    },
  },
);
beforeAll(() => setDb(untouchable as never));
afterAll(() => setDb(undefined));

const pages = filesNamed(join(ROOT, "app/admin"), /^page\.tsx$/);
const actionModules = filesNamed(join(ROOT, "app/admin"), /^actions\.ts$/);
const routes = filesNamed(join(ROOT, "app/api/console"), /^route\.ts$/);

it("finds the console's entry points", () => {
  expect(pages.map(routeOf).sort()).toEqual(["/admin", "/admin/keys", "/admin/keys/1", "/admin/logs", "/admin/logs/audit/1", "/admin/usage"]);
  expect(actionModules.length).toBeGreaterThan(0);
  expect(routes.length).toBeGreaterThan(0);
});

describe.each(pages.map((file) => [routeOf(file), file]))("page %s", (route, file) => {
  it.each([
    ["without a session cookie", undefined],
    ["with a forged one", FORGED],
  ])("sends the visitor to sign in and back, %s, reading nothing", async (_, cookie) => {
    const { default: Page } = await import(file);
    const props = { params: Promise.resolve({ id: "1", kind: "audit" }), searchParams: Promise.resolve({ range: "7d" }) };
    const thrown = await withRequest(consoleRequest(route, { cookie }), () => Page(props)).then(
      () => null,
      (error: unknown) => error,
    );
    // redirect() throws an error whose digest carries the target.
    expect(String((thrown as { digest?: string })?.digest)).toMatch(new RegExp(`^NEXT_REDIRECT;\\w+;/signin\\?callbackUrl=${encodeURIComponent(route).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")};`));
  });
});

describe.each(actionModules.map((file) => [relative(ROOT, file), file]))("server actions of %s", (_, file) => {
  it("refuse every action without a session, reading nothing", async () => {
    const actions = Object.entries(await import(file)).filter(([, value]) => typeof value === "function") as [string, (input: unknown) => Promise<unknown>][];
    expect(actions.length).toBeGreaterThan(0);
    for (const [name, action] of actions) {
      const result = await withRequest(consoleRequest("/admin", { method: "POST", cookie: FORGED }), () => action({ id: "1", name: "x", enabled: false }));
      expect([name, result]).toEqual([name, expect.objectContaining({ ok: false, code: "unauthorized" })]);
    }
  });
});

describe.each(routes.map((file) => [routeOf(file), file]))("route %s", (route, file) => {
  it("answers 401 without a session, reading nothing", async () => {
    const handlers = Object.entries(await import(file)).filter(([method]) => /^(GET|POST|PUT|PATCH|DELETE)$/.test(method)) as [string, (request: Request) => Promise<Response>][];
    expect(handlers.length).toBeGreaterThan(0);
    for (const [method, handler] of handlers) {
      const request = consoleRequest(`${route}?range=7d`, { method, cookie: FORGED });
      const response = await withRequest(request, () => handler(request));
      expect([method, response.status]).toEqual([method, 401]);
    }
  });
});
