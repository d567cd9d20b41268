// The management API also accepts a signed-in console admin, with the same guard against
// cross-site requests as the console's own actions.
jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);

import { GET, POST } from "@/app/api/admin/keys/route";
import { createAdmin } from "@/lib/admins/service";
import { resetSigninGuardForTests } from "@/lib/auth/signin-guard";
import { consoleRequest, ORIGIN } from "@/test/console/request-context";
import { signIn } from "@/test/console/sign-in";
import { useTestDb } from "@/test/helpers/db";

const db = useTestDb();
const noParams = { params: Promise.resolve({}) };
let cookie: string;

beforeAll(async () => {
  resetSigninGuardForTests();
  await createAdmin({ email: "lead@example.com", password: "a-long-enough-password" }, { actor: "cli" });
  cookie = await signIn("lead@example.com", "a-long-enough-password", "198.51.100.4");
});

const createBody = JSON.stringify({ name: "from-console-session" });

describe("management API with a console session", () => {
  it("lists keys for a signed-in admin", async () => {
    const response = await GET(consoleRequest("/api/admin/keys", { cookie }), noParams);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ items: expect.any(Array), page: 1 });
  });

  it("creates a key from the console's own origin and records the admin as the actor", async () => {
    const request = consoleRequest("/api/admin/keys", {
      method: "POST",
      cookie,
      body: createBody,
      ip: "198.51.100.4",
      headers: { origin: ORIGIN, "content-type": "application/json" },
    });
    const response = await POST(request, noParams);
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string };
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { targetId: created.id } });
    expect(audit).toMatchObject({ actor: "admin:lead@example.com", action: "key.create", clientIp: "198.51.100.4" });
  });

  it("refuses a cross-site change even with a valid session, and writes nothing", async () => {
    const before = await db.prisma.apiKey.count();
    const attempts: Record<string, string>[] = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, {}];
    for (const headers of attempts) {
      const request = consoleRequest("/api/admin/keys", { method: "POST", cookie, body: createBody, headers: { ...headers, "content-type": "application/json" } });
      expect((await POST(request, noParams)).status).toBe(401);
    }
    expect(await db.prisma.apiKey.count()).toBe(before);
  });

  it("lets a bad bearer token fail even when a session cookie is present", async () => {
    const response = await GET(consoleRequest("/api/admin/keys", { cookie, headers: { authorization: "Bearer nope" } }), noParams);
    expect(response.status).toBe(401);
  });

  it("refuses a forged session cookie", async () => {
    const response = await GET(consoleRequest("/api/admin/keys", { cookie: "next-auth.session-token=forged" }), noParams);
    expect(response.status).toBe(401);
  });
});
