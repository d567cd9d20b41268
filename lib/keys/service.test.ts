import { AppError } from "@/lib/errors";
import { useTestDb } from "@/test/helpers/db";
import { hashSecret, parseSecret } from "./format";
import { createKey, deleteKey, getKey, listKeys, rotateKey, setKeyEnabled, sweepExpiredKeys, updateKey } from "./service";
import { lookupKey } from "./verify";

const db = useTestDb();
const cli = { actor: "cli" };
const DAY = 86_400_000;

async function expectAppError(promise: Promise<unknown>, code: string, field?: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (field) expect((error as AppError).issues.map((i) => i.field)).toContain(field);
}

describe("key service", () => {
  it("creates a key with defaults, stores only its hash and shows the secret once", async () => {
    const before = Date.now();
    const { key, secret } = await createKey({ name: "demo" }, cli);
    expect(parseSecret("apiKey", secret).ok).toBe(true);
    expect(key).toMatchObject({ name: "demo", status: "active", enabled: true, dailyLimit: 1000, rateLimit: 60, allowedIps: [], allowedModels: [] });
    expect(key).not.toHaveProperty("hash");
    expect(secret.startsWith(key.prefix)).toBe(true);
    const expires = Date.parse(key.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 365 * DAY);
    expect(expires).toBeLessThanOrEqual(Date.now() + 365 * DAY);

    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.hash).toBe(hashSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { targetId: key.id } });
    expect(audit).toMatchObject({ actor: "cli", action: "key.create", targetName: "demo" });
  });

  it("validates every field with a message that names it", async () => {
    await expectAppError(createKey({ name: "  " }, cli), "invalid_input", "name");
    await expectAppError(createKey({ name: "x", expiresInDays: 366 }, cli), "invalid_input", "expiresInDays");
    await expectAppError(createKey({ name: "x", expiresInDays: 0 }, cli), "invalid_input", "expiresInDays");
    await expectAppError(createKey({ name: "x", dailyLimit: 1.5 }, cli), "invalid_input", "dailyLimit");
    await expectAppError(createKey({ name: "x", rateLimit: 0 }, cli), "invalid_input", "rateLimit");
    await expectAppError(createKey({ name: "x", allowedIps: ["10.0.0.0/8", "300.1.1.1"] }, cli), "invalid_input", "allowedIps.1");
    await expectAppError(createKey({ name: "x", allowedModels: ["gpt 4"] }, cli), "invalid_input", "allowedModels.0");
    await expectAppError(createKey({ name: "x", expiresAt: new Date(Date.now() - 1000) }, cli), "invalid_input", "expiresAt");
    await expectAppError(createKey({ name: "x", colour: "red" } as never, cli), "invalid_input");
    expect(await db.prisma.apiKey.count({ where: { name: "x" } })).toBe(0);
  });

  it("normalises IP rules and model lists", async () => {
    const { key } = await createKey(
      { name: "net", allowedIps: [" 10.1.2.3 ", "::ffff:192.168.0.1", "2001:db8::/32", "10.1.2.3"], allowedModels: ["gpt-4o", "gpt-4o"] },
      cli,
    );
    expect(key.allowedIps).toEqual(["10.1.2.3", "192.168.0.1", "2001:db8::/32"]);
    expect(key.allowedModels).toEqual(["gpt-4o"]);
  });

  it("updates limits, disables and enables, and the gateway sees each change at once", async () => {
    const { key, secret } = await createKey({ name: "live" }, cli);
    expect((await lookupKey(secret)).ok).toBe(true); // cached now

    const updated = await updateKey(key.id, { dailyLimit: 5, rateLimit: 2, allowedModels: ["gpt-4o-mini"] }, cli);
    expect(updated).toMatchObject({ dailyLimit: 5, rateLimit: 2, allowedModels: ["gpt-4o-mini"] });
    const seen = await lookupKey(secret);
    expect(seen.ok && seen.key.dailyLimit).toBe(5);

    await setKeyEnabled(key.id, false, cli);
    expect(await lookupKey(secret)).toEqual({ ok: false, reason: "disabled", prefix: key.prefix, keyId: key.id });
    expect((await getKey(key.id)).status).toBe("disabled");

    await setKeyEnabled(key.id, true, cli);
    expect((await lookupKey(secret)).ok).toBe(true);
    const actions = await db.prisma.auditLog.findMany({ where: { targetId: key.id }, orderBy: { id: "asc" }, select: { action: true } });
    expect(actions.map((a) => a.action)).toEqual(["key.create", "key.update", "key.disable", "key.enable"]);
  });

  it("rotates: the old secret stops working, the new one works, the record stays", async () => {
    const { key, secret } = await createKey({ name: "rot" }, cli);
    expect((await lookupKey(secret)).ok).toBe(true);
    const rotated = await rotateKey(key.id, cli);
    expect(rotated.key.id).toBe(key.id);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.key.rotatedAt).not.toBeNull();
    expect(await lookupKey(secret)).toMatchObject({ ok: false, reason: "unknown" });
    expect((await lookupKey(rotated.secret)).ok).toBe(true);
  });

  it("deletes: the key disappears from lists and lookups but its row stays for history", async () => {
    const { key, secret } = await createKey({ name: "gone" }, cli);
    await deleteKey(key.id, cli);
    await expectAppError(getKey(key.id), "not_found");
    await expectAppError(deleteKey(key.id, cli), "not_found");
    await expectAppError(updateKey(key.id, { name: "back" }, cli), "not_found");
    expect(await lookupKey(secret)).toMatchObject({ ok: false, reason: "unknown" });
    expect((await listKeys({ search: "gone" })).total).toBe(0);
    expect(await db.prisma.apiKey.count({ where: { id: key.id } })).toBe(1);
  });

  it("refuses expired keys whether or not the sweep has run, and the sweep marks them", async () => {
    const { key, secret } = await createKey({ name: "old" }, cli);
    await db.prisma.apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await lookupKey(secret, Date.now())).toMatchObject({ ok: false, reason: "expired" });
    expect((await getKey(key.id)).status).toBe("expired");
    expect(await sweepExpiredKeys()).toBeGreaterThanOrEqual(1);
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).status).toBe("expired");
    // Extending the expiry brings it back.
    const renewed = await updateKey(key.id, { expiresInDays: 30 }, cli);
    expect(renewed.status).toBe("active");
    expect((await lookupKey(secret)).ok).toBe(true);
  });

  it("lists with status filter, search and pagination", async () => {
    for (let i = 0; i < 5; i++) await createKey({ name: `page-${i}` }, cli);
    const { key: off } = await createKey({ name: "page-off" }, cli);
    await setKeyEnabled(off.id, false, cli);
    const first = await listKeys({ search: "page-", pageSize: 4 });
    expect(first.total).toBe(6);
    expect(first.items).toHaveLength(4);
    const second = await listKeys({ search: "page-", pageSize: 4, page: 2 });
    expect(second.items).toHaveLength(2);
    expect(new Set([...first.items, ...second.items].map((k) => k.id)).size).toBe(6);
    const disabled = await listKeys({ search: "page-", status: "disabled" });
    expect(disabled.items.map((k) => k.name)).toEqual(["page-off"]);
    expect((await listKeys({ search: "PAGE-", status: "active" })).total).toBe(5);
    await expectAppError(listKeys({ status: "sleeping" as never }), "invalid_input", "status");
  });
});
