// What of a key may reach the browser, parsed on the way out: whatever lib/keys returns,
// only these fields survive (zod drops the rest), so a hash can never be serialised.
import { z } from "zod";
import type { KeyView } from "@/lib/keys/schemas";

export const clientKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  enabled: z.boolean(),
  status: z.enum(["active", "disabled", "expired"]),
  expiresAt: z.string(),
  dailyLimit: z.number(),
  rateLimit: z.number(),
  allowedIps: z.array(z.string()),
  allowedModels: z.array(z.string()),
  lastUsedAt: z.string().nullable(),
  rotatedAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
export type ClientKey = z.infer<typeof clientKey>;

export function toClientKey(view: KeyView): ClientKey {
  return clientKey.parse(view);
}

/** A new secret travels to the browser exactly once, in the action's answer. */
export interface KeyWithSecret {
  key: ClientKey;
  secret: string;
}
