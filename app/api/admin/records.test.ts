// GET /api/admin/requests and /api/admin/events, called the way Next calls them: the
// exported handler with a Request. What each filter selects is tested on both databases in
// test/records/record-lists.shared.ts; here: credentials, the envelope, the error shape.
jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);

import { createAdmin } from "@/lib/admins/service";
import { resetSigninGuardForTests } from "@/lib/auth/signin-guard";
import { createToken } from "@/lib/tokens/service";
import { consoleRequest } from "@/test/console/request-context";
import { signIn } from "@/test/console/sign-in";
import { useTestDb } from "@/test/helpers/db";
import * as events from "./events/route";
import * as requests from "./requests/route";

const db = useTestDb();
const noParams = { params: Promise.resolve({}) };
let token: string;

beforeAll(async () => {
  token = (await createToken({ name: "reader" }, { actor: "cli" })).secret;
  const expiresAt = new Date("2027-01-01T00:00:00Z");
  await db.prisma.apiKey.create({ data: { id: "key_api", name: "api", prefix: "sk-akm_ApiKey", hash: "f".repeat(64), expiresAt, dailyLimit: 5, rateLimit: 5 } });
  await db.prisma.requestLog.createMany({
    data: [1, 2, 3].map((i) => ({
      createdAt: new Date(`2026-08-01T00:00:0${i}Z`),
      requestId: `req-${i}`,
      keyId: "key_api",
      path: "/v1/chat/completions",
      status: 200,
      latencyMs: i,
    })),
  });
  await db.prisma.event.create({
    data: { createdAt: new Date("2026-08-01T00:00:02Z"), category: "security", level: "warn", type: "rate_limited", message: "Rate limit reached", keyId: "key_api", requestId: "req-2" },
  });
});

type Handler = (request: Request, context: typeof noParams) => Promise<Response>;

async function get(handler: Handler, path: string, bearer: string | null = token) {
  const headers = new Headers();
  if (bearer) headers.set("authorization", `Bearer ${bearer}`);
  const response = await handler(new Request(`http://localhost${path}`, { headers }), noParams);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

describe("GET /api/admin/requests", () => {
  it("answers {items, nextCursor}, newest first, and the cursor leads to the rest", async () => {
    const first = await get(requests.GET, "/api/admin/requests?limit=2");
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(first.body)).toEqual(["items", "nextCursor"]);
    expect(first.body.items.map((r: { requestId: string }) => r.requestId)).toEqual(["req-3", "req-2"]);
    expect(first.body.items[0]).toMatchObject({ keyId: "key_api", keyPrefix: "sk-akm_ApiKey", createdAt: "2026-08-01T00:00:03.000Z" });
    expect(first.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const rest = await get(requests.GET, `/api/admin/requests?limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ requestId: "req-1" })], nextCursor: null });
    expect(first.text + rest.text).not.toContain("f".repeat(64));
  });

  it("refuses bad values with 400 invalid_input naming the parameter", async () => {
    const cases: [string, string][] = [
      ["from=last-tuesday", "from"],
      ["limit=0", "limit"],
      ["limit=5000", "limit"],
      ["cursor=not-a-cursor", "cursor"],
      ["status=abc", "status"],
    ];
    for (const [query, field] of cases) {
      const res = await get(requests.GET, `/api/admin/requests?${query}`);
      expect({ query, status: res.status, code: res.body.error.code, fields: res.body.error.issues.map((i: { field: string }) => i.field) }).toEqual({
        query,
        status: 400,
        code: "invalid_input",
        fields: [field],
      });
      expect(res.body.error.message).toMatch(new RegExp(`^${field}: `));
    }
  });

  it("refuses an unknown query parameter", async () => {
    const res = await get(requests.GET, "/api/admin/requests?keyID=key_api");
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "invalid_input", message: "(body): unknown field(s): keyID", issues: [{ field: "(body)", message: "unknown field(s): keyID" }] });
  });

  it("refuses a caller without credentials or with a wrong token", async () => {
    expect((await get(requests.GET, "/api/admin/requests", null)).status).toBe(401);
    expect((await get(requests.GET, "/api/admin/requests", "akm_mt_" + "0".repeat(46))).status).toBe(401);
  });
});

describe("GET /api/admin/events", () => {
  it("answers {items, nextCursor} with the filters applied", async () => {
    const res = await get(events.GET, "/api/admin/events?category=security&keyId=key_api&from=2026-08-01");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        {
          id: expect.stringMatching(/^\d+$/),
          createdAt: "2026-08-01T00:00:02.000Z",
          category: "security",
          level: "warn",
          type: "rate_limited",
          message: "Rate limit reached",
          keyId: "key_api",
          clientIp: null,
          requestId: "req-2",
          details: null,
        },
      ],
      nextCursor: null,
    });
    expect((await get(events.GET, "/api/admin/events?category=system")).body).toEqual({ items: [], nextCursor: null });
  });

  it("refuses bad values with 400 naming the parameter", async () => {
    for (const [query, field] of [["level=loud", "level"], ["clientIp=nowhere", "clientIp"], ["to=2026-13-01T00:00:00Z", "to"], ["limit=-1", "limit"]]) {
      const res = await get(events.GET, `/api/admin/events?${query}`);
      expect({ query, status: res.status, fields: res.body.error.issues.map((i: { field: string }) => i.field) }).toEqual({ query, status: 400, fields: [field] });
    }
    expect((await get(events.GET, "/api/admin/events?requestId=req-2")).status).toBe(400);
    expect((await get(events.GET, "/api/admin/events", null)).status).toBe(401);
  });
});

describe("with a console session instead of a token", () => {
  it("lists requests and events for a signed-in admin", async () => {
    resetSigninGuardForTests();
    await createAdmin({ email: "reader@example.com", password: "a-long-enough-password" }, { actor: "cli" });
    const cookie = await signIn("reader@example.com", "a-long-enough-password", "198.51.100.4");
    const list = await requests.GET(consoleRequest("/api/admin/requests?limit=1", { cookie }), noParams);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { requestId: string }[] }).items.map((r) => r.requestId)).toEqual(["req-3"]);
    const evts = await events.GET(consoleRequest("/api/admin/events", { cookie }), noParams);
    expect(evts.status).toBe(200);
    // The sign-in itself is the newest event.
    expect(((await evts.json()) as { items: { type: string }[] }).items.map((e) => e.type)).toEqual(["signin_succeeded", "rate_limited"]);
    expect((await requests.GET(consoleRequest("/api/admin/requests", { cookie: "next-auth.session-token=forged" }), noParams)).status).toBe(401);
  });
});
