// The key actions as Next calls them: one request each, with or without a console session.
jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { revalidatePath } from "next/cache";
import { createAdmin } from "@/lib/admins/service";
import { resetSigninGuardForTests } from "@/lib/auth/signin-guard";
import { resetEnvForTests } from "@/lib/config/env";
import { parseSecret } from "@/lib/keys/format";
import { useTestDb } from "@/test/helpers/db";
import { consoleRequest, withRequest } from "@/test/console/request-context";
import { signIn } from "@/test/console/sign-in";
import { createKeyAction, deleteKeyAction, rotateKeyAction, setKeyEnabledAction, updateKeyAction } from "./actions";
import { fakeOpenAIKey } from "@/test/helpers/fake-secrets";

const db = useTestDb();
const PROVIDER_KEY = fakeOpenAIKey("ProviderSecretThatMustStayOnTheServer0001");
let session: string;

beforeAll(async () => {
  process.env.OPENAI_API_KEY = PROVIDER_KEY;
  resetEnvForTests();
  resetSigninGuardForTests();
  await createAdmin({ email: "ops@example.com", password: "correct-horse-battery" }, { actor: "cli" });
  session = await signIn("ops@example.com", "correct-horse-battery");
});
afterAll(() => {
  delete process.env.OPENAI_API_KEY;
  resetEnvForTests();
});

/** Calls an action inside a request from `ip`, with the given cookies. */
function call<T>(action: () => Promise<T>, cookie?: string, ip = "203.0.113.20"): Promise<T> {
  return withRequest(consoleRequest("/admin/keys", { method: "POST", cookie, ip }), action);
}

const serialised = (value: unknown) => JSON.stringify(value);

describe("key actions without a session", () => {
  it("refuse every action and change nothing", async () => {
    const { key } = await (await import("@/lib/keys/service")).createKey({ name: "victim" }, { actor: "cli" });
    const before = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    const results = await Promise.all([
      call(() => createKeyAction({ name: "sneaky" })),
      call(() => updateKeyAction({ id: key.id, name: "renamed" })),
      call(() => setKeyEnabledAction({ id: key.id, enabled: false })),
      call(() => rotateKeyAction({ id: key.id })),
      call(() => deleteKeyAction({ id: key.id })),
      call(() => createKeyAction({ name: "forged" }), "next-auth.session-token=not-a-real-token"),
    ]);
    for (const result of results) expect(result).toMatchObject({ ok: false, code: "unauthorized" });
    expect(await db.prisma.apiKey.count({ where: { name: { in: ["sneaky", "forged"] } } })).toBe(0);
    expect(await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).toEqual(before);
    expect(revalidatePath).not.toHaveBeenCalled();
  });
});

describe("key actions with a session", () => {
  it("create a key, return its secret once and never its hash or a provider key", async () => {
    const result = await call(() => createKeyAction({ name: " build-bot ", dailyLimit: "50", rateLimit: "5", allowedIps: "10.0.0.0/8\n203.0.113.7", allowedModels: "gpt-4o-mini, gpt-4o" }), session);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(parseSecret("apiKey", result.data.secret).ok).toBe(true);
    expect(result.data.key).toMatchObject({ name: "build-bot", dailyLimit: 50, rateLimit: 5, allowedIps: ["10.0.0.0/8", "203.0.113.7"], allowedModels: ["gpt-4o-mini", "gpt-4o"] });
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: result.data.key.id } });
    expect(serialised(result)).not.toContain(row.hash);
    expect(serialised(result)).not.toContain(PROVIDER_KEY);
    expect(Object.keys(result.data.key)).not.toContain("hash");
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { targetId: row.id, action: "key.create" } });
    expect(audit).toMatchObject({ actor: "admin:ops@example.com", clientIp: "203.0.113.20" });
    expect(revalidatePath).toHaveBeenCalledWith("/admin", "layout");
  });

  it("return field errors in the admin's language and create nothing", async () => {
    const bad = { name: "", expiresInDays: "9999", dailyLimit: "1.5", rateLimit: "0", allowedIps: "10.0.0.300", allowedModels: "gpt 4" };
    const en = await call(() => createKeyAction(bad), session);
    expect(en).toMatchObject({
      ok: false,
      code: "invalid_input",
      error: "Some fields need attention.",
      fieldErrors: {
        name: "Required.",
        expiresInDays: "Must be at most 365.",
        dailyLimit: "Enter a whole number.",
        rateLimit: "Must be at least 1.",
        allowedIps: '"10.0.0.300" is not an IP address or CIDR range.',
      },
    });
    const zh = await call(() => createKeyAction(bad), `${session}; akm-locale=zh-CN`);
    expect(zh).toMatchObject({ ok: false, error: "部分字段需要修改。", fieldErrors: { name: "必填。", rateLimit: "至少为 1。" } });
    expect(await db.prisma.apiKey.count({ where: { name: "" } })).toBe(0);
  });

  it("refuse control characters in a name with a form error in the admin's language, and an id no key has as not found", async () => {
    for (const name of ["nul\u0000name", "tab\tname", "esc\u001b[31mname", "lone\ud800surrogate"]) {
      expect(await call(() => createKeyAction({ name }), session)).toMatchObject({
        ok: false,
        code: "invalid_input",
        fieldErrors: { name: "Must not contain control characters (such as tabs or line breaks) or invalid Unicode." },
      });
    }
    const zh = await call(() => createKeyAction({ name: "nul\u0000name" }), `${session}; akm-locale=zh-CN`);
    expect(zh).toMatchObject({ ok: false, fieldErrors: { name: "不能包含控制字符（如制表符、换行符）或无效的 Unicode 字符。" } });
    const created = await call(() => createKeyAction({ name: "renamable" }), session);
    if (!created.ok) throw new Error(created.error);
    const renamed = await call(() => updateKeyAction({ id: created.data.key.id, name: "bad\u0000name" }), session);
    expect(renamed).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { name: expect.stringContaining("control characters") } });
    expect(await call(() => rotateKeyAction({ id: "nul\u0000id" }), session)).toMatchObject({ ok: false, code: "not_found" });
    expect(await db.prisma.apiKey.count({ where: { name: { contains: "name" } } })).toBe(0);
  });

  it("change limits, disable, rotate and delete, each audited as the admin", async () => {
    const created = await call(() => createKeyAction({ name: "lifecycle" }), session);
    if (!created.ok) throw new Error(created.error);
    const id = created.data.key.id;

    const updated = await call(() => updateKeyAction({ id, name: "lifecycle", dailyLimit: "7", rateLimit: "3", allowedIps: "", allowedModels: "" }), session);
    expect(updated).toMatchObject({ ok: true, data: { key: { dailyLimit: 7, rateLimit: 3, allowedIps: [] } } });

    expect(await call(() => setKeyEnabledAction({ id, enabled: false }), session)).toMatchObject({ ok: true, data: { key: { enabled: false, status: "disabled" } } });

    const rotated = await call(() => rotateKeyAction({ id }), session);
    if (!rotated.ok) throw new Error(rotated.error);
    expect(rotated.data.secret).not.toBe(created.data.secret);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id } });
    expect(serialised(rotated)).not.toContain(row.hash);

    expect(await call(() => deleteKeyAction({ id }), session)).toEqual({ ok: true, data: { id } });
    expect(await call(() => deleteKeyAction({ id }), session)).toMatchObject({ ok: false, code: "not_found", error: expect.stringContaining("no longer exists") });

    const actions = await db.prisma.auditLog.findMany({ where: { targetId: id }, orderBy: { id: "asc" }, select: { action: true, actor: true } });
    expect(actions.map((a) => a.action)).toEqual(["key.create", "key.update", "key.disable", "key.rotate", "key.delete"]);
    expect(new Set(actions.map((a) => a.actor))).toEqual(new Set(["admin:ops@example.com"]));
  });

  it("map an unexpected failure to a generic message with a reference, logging the detail", async () => {
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    process.env.LOG_LEVEL = "error"; // tests run silent otherwise
    resetEnvForTests();
    const findFirst = jest.spyOn(db.prisma.apiKey, "findFirst").mockRejectedValueOnce(new Error(`boom with ${PROVIDER_KEY}`));
    const result = await call(() => rotateKeyAction({ id: "anything" }), session);
    findFirst.mockRestore();
    expect(result).toMatchObject({ ok: false, code: "unexpected" });
    expect(!result.ok && result.error).toMatch(/reference [0-9a-f]{8}/);
    expect(serialised(result)).not.toContain("boom");
    expect(spy.mock.calls.flat().join(" ")).toContain("boom");
    expect(spy.mock.calls.flat().join(" ")).not.toContain(PROVIDER_KEY);
    spy.mockRestore();
    process.env.LOG_LEVEL = "silent";
    resetEnvForTests();
  });
});
