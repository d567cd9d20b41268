// Every /api/admin route, called the way Next calls it: the exported handler with a Request.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { verifyAdminCredentials } from "@/lib/admins/service";
import { markPeerHeaderTrusted, PEER_HEADER } from "@/lib/http/client-ip";
import { parseSecret } from "@/lib/keys/format";
import { lookupKey } from "@/lib/keys/verify";
import { createToken, issueLocalToken } from "@/lib/tokens/service";
import { useTestDb } from "@/test/helpers/db";
import * as admins from "./admins/route";
import * as keyDisable from "./keys/[id]/disable/route";
import * as keyEnable from "./keys/[id]/enable/route";
import * as keyRotate from "./keys/[id]/rotate/route";
import * as keyById from "./keys/[id]/route";
import * as keys from "./keys/route";
import * as tokenById from "./tokens/[id]/route";
import * as tokens from "./tokens/route";

const db = useTestDb();
let token: string;
let localToken: string;

beforeAll(async () => {
  // As our server hands requests to Next; the CLI's calls come over loopback.
  markPeerHeaderTrusted();
  token = (await createToken({ name: "automation" }, { actor: "cli" })).secret;
  await issueLocalToken(process.env.DATA_DIR!);
  localToken = readFileSync(join(process.env.DATA_DIR!, "cli-token"), "utf8").trim();
});

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, options: { method?: string; path?: string; params?: Record<string, string>; body?: unknown; bearer?: string | null; rawBody?: string } = {}) {
  const headers = new Headers({ [PEER_HEADER]: "127.0.0.1" });
  const bearer = options.bearer === undefined ? token : options.bearer;
  if (bearer) headers.set("authorization", `Bearer ${bearer}`);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers.set("content-type", "application/json");
  const response = await handler(new Request(`http://localhost${options.path ?? "/api/admin"}`, { method: options.method ?? "GET", headers, body }), {
    params: Promise.resolve(options.params ?? {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : null };
}

async function createdKey(name: string, extra: Record<string, unknown> = {}) {
  const res = await call(keys.POST as Handler, { method: "POST", body: { name, ...extra } });
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string; name: string; prefix: string };
}

describe("POST /api/admin/keys", () => {
  it("creates a key, returns its secret once and audits the token as the actor", async () => {
    const res = await call(keys.POST as Handler, {
      method: "POST",
      body: { name: "ci", dailyLimit: 50, rateLimit: 5, expiresInDays: 30, allowedIps: ["10.0.0.0/8", "2001:db8::1"], allowedModels: ["gpt-4o"] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "ci", status: "active", dailyLimit: 50, rateLimit: 5, allowedIps: ["10.0.0.0/8", "2001:db8::1"], allowedModels: ["gpt-4o"] });
    expect(parseSecret("apiKey", res.body.key).ok).toBe(true);
    expect(res.body.key.startsWith(res.body.prefix)).toBe(true);
    expect(res.body).not.toHaveProperty("hash");
    expect((await lookupKey(res.body.key)).ok).toBe(true);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { targetId: res.body.id } });
    expect(audit).toMatchObject({ actor: "token:automation", action: "key.create" });

    // Never again: not in get, list, or anything else the API returns.
    const get = await call(keyById.GET as Handler, { params: { id: res.body.id } });
    const list = await call(keys.GET as Handler, { path: "/api/admin/keys?search=ci" });
    expect(get.text).not.toContain(res.body.key);
    expect(list.text).not.toContain(res.body.key);
  });

  it("refuses bad input with 400 and field issues, and writes nothing", async () => {
    const before = await db.prisma.apiKey.count();
    const cases: [unknown, string][] = [
      [{}, "name"],
      [{ name: "" }, "name"],
      [{ name: "x", dailyLimit: 0 }, "dailyLimit"],
      [{ name: "x", rateLimit: "ten" }, "rateLimit"],
      [{ name: "x", expiresInDays: 100_000 }, "expiresInDays"],
      [{ name: "x", allowedIps: ["10.0.0.300"] }, "allowedIps.0"],
      [{ name: "x", allowedModels: ["bad model"] }, "allowedModels.0"],
      [{ name: "x", hash: "abc" }, "(body)"],
      [["x"], "(body)"],
    ];
    for (const [body, field] of cases) {
      const res = await call(keys.POST as Handler, { method: "POST", body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_input");
      expect(res.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
    const broken = await call(keys.POST as Handler, { method: "POST", rawBody: "{name: x}" });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe("invalid_json");
    expect(await db.prisma.apiKey.count()).toBe(before);
  });
});

describe("GET /api/admin/keys", () => {
  it("pages through keys and filters by status and name", async () => {
    for (let i = 0; i < 3; i++) await createdKey(`list-${i}`);
    const off = await createdKey("list-off");
    await call(keyDisable.POST as Handler, { method: "POST", params: { id: off.id } });

    const first = await call(keys.GET as Handler, { path: "/api/admin/keys?search=LIST-&pageSize=3" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 4, page: 1, pageSize: 3 });
    expect(first.body.items).toHaveLength(3);
    const second = await call(keys.GET as Handler, { path: "/api/admin/keys?search=list-&pageSize=3&page=2" });
    expect(second.body.items).toHaveLength(1);
    const disabled = await call(keys.GET as Handler, { path: "/api/admin/keys?search=list-&status=disabled" });
    expect(disabled.body.items.map((k: { name: string }) => k.name)).toEqual(["list-off"]);
    const active = await call(keys.GET as Handler, { path: "/api/admin/keys?search=list-&status=active" });
    expect(active.body.total).toBe(3);
  });

  it.each([
    ["status=sleeping", "status"],
    ["page=0", "page"],
    ["pageSize=1000", "pageSize"],
    ["colour=red", "(body)"],
  ])("refuses ?%s with 400", async (query, field) => {
    const res = await call(keys.GET as Handler, { path: `/api/admin/keys?${query}` });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
  });
});

describe("/api/admin/keys/{id}", () => {
  it("gets, updates and deletes a key", async () => {
    const key = await createdKey("one");
    const got = await call(keyById.GET as Handler, { params: { id: key.id } });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: key.id, name: "one", status: "active" });

    const patched = await call(keyById.PATCH as Handler, {
      method: "PATCH",
      params: { id: key.id },
      body: { name: "one-renamed", dailyLimit: 7, allowedIps: ["192.168.1.0/24"] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "one-renamed", dailyLimit: 7, allowedIps: ["192.168.1.0/24"] });
    const cleared = await call(keyById.PATCH as Handler, { method: "PATCH", params: { id: key.id }, body: { allowedIps: [] } });
    expect(cleared.body.allowedIps).toEqual([]);

    const deleted = await call(keyById.DELETE as Handler, { method: "DELETE", params: { id: key.id } });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await lookupKey(key.key)).ok).toBe(false);
    expect((await call(keyById.GET as Handler, { params: { id: key.id } })).status).toBe(404);
  });

  it("refuses a bad or empty PATCH with 400 and leaves the key as it was", async () => {
    const key = await createdKey("patchy");
    for (const body of [{}, { dailyLimit: -1 }, { expiresInDays: 5, expiresAt: "2030-01-01" }, { enabled: "yes" }, { prefix: "sk-akm_x" }]) {
      const res = await call(keyById.PATCH as Handler, { method: "PATCH", params: { id: key.id }, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_input");
    }
    expect((await call(keyById.GET as Handler, { params: { id: key.id } })).body).toMatchObject({ name: "patchy", dailyLimit: 1000 });
  });

  it("answers 404 for an unknown key on every route", async () => {
    const params = { id: "no-such-key" };
    const results = await Promise.all([
      call(keyById.GET as Handler, { params }),
      call(keyById.PATCH as Handler, { method: "PATCH", params, body: { name: "x" } }),
      call(keyById.DELETE as Handler, { method: "DELETE", params }),
      call(keyRotate.POST as Handler, { method: "POST", params }),
      call(keyEnable.POST as Handler, { method: "POST", params }),
      call(keyDisable.POST as Handler, { method: "POST", params }),
    ]);
    for (const res of results) {
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: "not_found", message: "key no-such-key not found", issues: [] });
    }
  });
});

describe("POST /api/admin/keys/{id}/rotate|enable|disable", () => {
  it("rotates: a new secret for the same record, the old one refused", async () => {
    const key = await createdKey("rot");
    const res = await call(keyRotate.POST as Handler, { method: "POST", params: { id: key.id } });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(key.id);
    expect(res.body.key).not.toBe(key.key);
    expect(res.body.rotatedAt).not.toBeNull();
    expect((await lookupKey(key.key)).ok).toBe(false);
    expect((await lookupKey(res.body.key)).ok).toBe(true);
  });

  it("disables and enables, and the gateway's lookup follows", async () => {
    const key = await createdKey("switch");
    const off = await call(keyDisable.POST as Handler, { method: "POST", params: { id: key.id } });
    expect(off.body).toMatchObject({ enabled: false, status: "disabled" });
    expect(await lookupKey(key.key)).toMatchObject({ ok: false, reason: "disabled" });
    const on = await call(keyEnable.POST as Handler, { method: "POST", params: { id: key.id } });
    expect(on.body).toMatchObject({ enabled: true, status: "active" });
    expect((await lookupKey(key.key)).ok).toBe(true);
  });
});

describe("/api/admin/tokens", () => {
  it("creates a token that works at once, lists it without its secret, and revokes it", async () => {
    const created = await call(tokens.POST as Handler, { method: "POST", body: { name: "deploy-bot" } });
    expect(created.status).toBe(201);
    expect(parseSecret("managementToken", created.body.token).ok).toBe(true);
    expect((await call(keys.GET as Handler, { bearer: created.body.token })).status).toBe(200);

    const listed = await call(tokens.GET as Handler);
    expect(listed.body.items.map((t: { name: string }) => t.name)).toContain("deploy-bot");
    expect(listed.text).not.toContain(created.body.token);
    // The server's own CLI credential is not an automation token: it is never listed.
    expect(listed.body.items.some((t: { local: boolean }) => t.local)).toBe(false);

    const revoked = await call(tokenById.DELETE as Handler, { method: "DELETE", params: { id: created.body.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await call(keys.GET as Handler, { bearer: created.body.token })).status).toBe(401);
    const active = await call(tokens.GET as Handler);
    expect(active.body.items.map((t: { id: string }) => t.id)).not.toContain(created.body.id);
    const all = await call(tokens.GET as Handler, { path: "/api/admin/tokens?includeRevoked=true" });
    expect(all.body.items.map((t: { id: string }) => t.id)).toContain(created.body.id);
  });

  it("refuses bad input and unknown ids", async () => {
    expect((await call(tokens.POST as Handler, { method: "POST", body: { name: " " } })).status).toBe(400);
    expect((await call(tokens.POST as Handler, { method: "POST", body: { name: "x", local: true } })).status).toBe(400);
    expect((await call(tokens.GET as Handler, { path: "/api/admin/tokens?includeRevoked=maybe" })).status).toBe(400);
    const missing = await call(tokenById.DELETE as Handler, { method: "DELETE", params: { id: "nope" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });
});

describe("POST /api/admin/admins", () => {
  it("creates an admin with the local CLI credential, and sets a new password on a second call", async () => {
    const first = await call(admins.POST as Handler, { method: "POST", bearer: localToken, body: { email: "Ops@Example.com", password: "correct horse 1" } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ email: "ops@example.com", created: true });
    expect(first.text).not.toContain("correct horse");
    expect(await verifyAdminCredentials("ops@example.com", "correct horse 1")).not.toBeNull();

    const again = await call(admins.POST as Handler, { method: "POST", bearer: localToken, body: { email: "ops@example.com", password: "battery staple 2" } });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(await verifyAdminCredentials("ops@example.com", "correct horse 1")).toBeNull();
    expect(await verifyAdminCredentials("ops@example.com", "battery staple 2")).not.toBeNull();
    const audit = await db.prisma.auditLog.findMany({ where: { targetType: "admin" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ["cli", "admin.create"],
      ["cli", "admin.password"],
    ]);
  });

  it("refuses an automation token with 403, so a leaked token cannot take over the console", async () => {
    const res = await call(admins.POST as Handler, { method: "POST", body: { email: "ops@example.com", password: "attacker-chosen" } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(await verifyAdminCredentials("ops@example.com", "attacker-chosen")).toBeNull();
  });

  it("refuses a bad e-mail or a short password with 400", async () => {
    const res = await call(admins.POST as Handler, { method: "POST", bearer: localToken, body: { email: "not-an-email", password: "short" } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { field: string }) => i.field).sort()).toEqual(["email", "password"]);
    expect(await db.prisma.adminUser.count({ where: { email: "not-an-email" } })).toBe(0);
  });
});

describe("authentication on every route", () => {
  const routes: [string, Handler, string][] = [
    ["GET /keys", keys.GET as Handler, "GET"],
    ["POST /keys", keys.POST as Handler, "POST"],
    ["GET /keys/{id}", keyById.GET as Handler, "GET"],
    ["PATCH /keys/{id}", keyById.PATCH as Handler, "PATCH"],
    ["DELETE /keys/{id}", keyById.DELETE as Handler, "DELETE"],
    ["POST /keys/{id}/rotate", keyRotate.POST as Handler, "POST"],
    ["POST /keys/{id}/enable", keyEnable.POST as Handler, "POST"],
    ["POST /keys/{id}/disable", keyDisable.POST as Handler, "POST"],
    ["GET /tokens", tokens.GET as Handler, "GET"],
    ["POST /tokens", tokens.POST as Handler, "POST"],
    ["DELETE /tokens/{id}", tokenById.DELETE as Handler, "DELETE"],
    ["POST /admins", admins.POST as Handler, "POST"],
  ];

  it.each(routes)("%s: 401 without or with a wrong token, and nothing changes", async (_, handler, method) => {
    const key = await createdKey("guarded");
    const params = { id: key.id };
    const body = method === "GET" || method === "DELETE" ? undefined : { name: "intruder", email: "x@example.com", password: "long enough pw" };
    const auditBefore = await db.prisma.auditLog.count();
    for (const bearer of [null, "akm_mt_" + "x".repeat(46), key.key]) {
      const res = await call(handler, { method, params, body, bearer });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="api-key-manager"/);
      expect(res.body.error.code).toBe("unauthorized");
    }
    expect(await db.prisma.auditLog.count()).toBe(auditBefore);
    expect((await call(keyById.GET as Handler, { params })).body).toMatchObject({ name: "guarded", enabled: true });
  });
});
