// What the console's key forms send, as typed strings, turned into lib/keys inputs. The
// messages are catalogue keys (messages/*.json → validation.*) so the form shows them in
// the admin's language; lib/keys validates again with its own schema.
import { z } from "zod";
import { parseIpRule } from "@/lib/keys/ip";
import { isPlainText } from "@/lib/validation";

const MODEL = /^[A-Za-z0-9._:@/-]+$/;

/** Records a problem and returns zod's "no value" marker. */
function fail(ctx: z.RefinementCtx, message: string, params?: Record<string, string | number>): never {
  ctx.addIssue({ code: "custom", message, params });
  return z.NEVER;
}

/** A whole number typed into a box; blank means "not given". */
const count = (max: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = (raw ?? "").trim();
      if (!value) return undefined;
      if (!/^\d+$/.test(value)) return fail(ctx, "validation.wholeNumber");
      const n = Number(value);
      if (n < 1) return fail(ctx, "validation.atLeastOne");
      if (n > max) return fail(ctx, "validation.atMost", { max });
      return n;
    });

/** One entry per line or separated by commas; blank means "not given" (or "none" on edit). */
const list = (kind: "ip" | "model") =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      const entries = raw.split(/[\s,]+/).filter(Boolean);
      const out: string[] = [];
      for (const entry of entries) {
        if (kind === "ip") {
          const rule = parseIpRule(entry);
          if (!rule) return fail(ctx, "validation.ipRule", { value: entry.slice(0, 60) });
          out.push(rule);
        } else {
          if (entry.length > 200 || !MODEL.test(entry)) return fail(ctx, "validation.modelName", { value: entry.slice(0, 60) });
          out.push(entry);
        }
      }
      if (out.length > (kind === "ip" ? 100 : 200)) return fail(ctx, "validation.tooMany", { max: kind === "ip" ? 100 : 200 });
      return [...new Set(out)];
    });

const name = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    const value = (raw ?? "").trim();
    if (!value) return fail(ctx, "validation.required");
    if (value.length > 100) return fail(ctx, "validation.tooLong", { max: 100 });
    if (!isPlainText(value)) return fail(ctx, "validation.plainText");
    return value;
  });

/** The create form. `maxDays` is MAX_TOKEN_AGE, so the form can say the limit in words. */
export function createKeyForm(maxDays: number) {
  return z.object({
    name,
    expiresInDays: count(maxDays),
    dailyLimit: count(1_000_000_000),
    rateLimit: count(1_000_000),
    allowedIps: list("ip"),
    allowedModels: list("model"),
  });
}
export type CreateKeyFormInput = z.input<ReturnType<typeof createKeyForm>>;

/** The settings form on a key's page: the key's id plus the fields it may change. */
export function updateKeyForm(maxDays: number) {
  return z.object({
    id: z.string().min(1).max(64),
    name,
    expiresInDays: count(maxDays),
    dailyLimit: count(1_000_000_000),
    rateLimit: count(1_000_000),
    allowedIps: list("ip").transform((v) => v ?? []),
    allowedModels: list("model").transform((v) => v ?? []),
  });
}
export type UpdateKeyFormInput = z.input<ReturnType<typeof updateKeyForm>>;

export const keyIdInput = z.object({ id: z.string().min(1).max(64) });
export const setKeyEnabledInput = z.object({ id: z.string().min(1).max(64), enabled: z.boolean() });
