// What a caller may send to create or change a key, shared by the CLI, the management API
// and the console. The maximum lifetime depends on MAX_TOKEN_AGE, so it is checked in
// the service, not here.
import { z } from "zod";
import { plainText } from "@/lib/validation";
import { parseIpRule } from "./ip";

export const KEY_STATUSES = ["active", "disabled", "expired"] as const;
export type KeyStatusName = (typeof KEY_STATUSES)[number];

const ipRule = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const rule = parseIpRule(value);
    if (!rule) {
      ctx.addIssue({ code: "custom", message: `"${value}" is not an IP address or CIDR range` });
      return z.NEVER;
    }
    return rule;
  });

// Model names as providers spell them, optionally as provider/model.
const modelName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@/-]+$/, "may contain letters, digits and . _ : @ / - only");

const unique = <T>(xs: T[]) => [...new Set(xs)];

export const keyFields = {
  name: plainText(z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters")),
  /** Lifetime from now, in whole days. */
  expiresInDays: z.number().int("must be a whole number of days").min(1, "must be at least 1 day"),
  /** Absolute expiry; an alternative to expiresInDays. */
  expiresAt: z.coerce.date({ error: "must be an ISO 8601 date" }),
  dailyLimit: z.number().int("must be a whole number").min(1, "must be at least 1").max(1_000_000_000),
  rateLimit: z.number().int("must be a whole number").min(1, "must be at least 1").max(1_000_000),
  allowedIps: z.array(ipRule).max(100, "at most 100 entries").transform(unique),
  allowedModels: z.array(modelName).max(200, "at most 200 entries").transform(unique),
};

export const createKeyInput = z
  .object({
    name: keyFields.name,
    expiresInDays: keyFields.expiresInDays.optional(),
    expiresAt: keyFields.expiresAt.optional(),
    dailyLimit: keyFields.dailyLimit.optional(),
    rateLimit: keyFields.rateLimit.optional(),
    allowedIps: keyFields.allowedIps.optional(),
    allowedModels: keyFields.allowedModels.optional(),
  })
  .strict()
  .refine((v) => v.expiresInDays === undefined || v.expiresAt === undefined, {
    message: "give expiresInDays or expiresAt, not both",
    path: ["expiresAt"],
  });
export type CreateKeyInput = z.input<typeof createKeyInput>;

export const updateKeyInput = z
  .object({
    name: keyFields.name.optional(),
    enabled: z.boolean().optional(),
    expiresInDays: keyFields.expiresInDays.optional(),
    expiresAt: keyFields.expiresAt.optional(),
    dailyLimit: keyFields.dailyLimit.optional(),
    rateLimit: keyFields.rateLimit.optional(),
    allowedIps: keyFields.allowedIps.optional(),
    allowedModels: keyFields.allowedModels.optional(),
  })
  .strict()
  .refine((v) => v.expiresInDays === undefined || v.expiresAt === undefined, {
    message: "give expiresInDays or expiresAt, not both",
    path: ["expiresAt"],
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "nothing to change" });
export type UpdateKeyInput = z.input<typeof updateKeyInput>;

export const listKeysInput = z
  .object({
    status: z.enum(KEY_STATUSES).optional(),
    search: plainText(z.string().trim().max(100)).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListKeysInput = z.input<typeof listKeysInput>;

/** What anyone outside lib/keys sees of a key: never the hash. */
export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  enabled: boolean;
  status: KeyStatusName;
  expiresAt: string;
  dailyLimit: number;
  rateLimit: number;
  allowedIps: string[];
  allowedModels: string[];
  lastUsedAt: string | null;
  rotatedAt: string | null;
  createdAt: string;
  createdBy: string | null;
}
