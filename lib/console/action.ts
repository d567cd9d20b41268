// The one wrapper every console server action goes through: session check, input
// validation, the lib call, revalidation of the console's pages, and errors mapped by
// lib/console/errors.ts. Actions are public POST endpoints: nothing here trusts the page
// that rendered the form.
import "server-only";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import type { Actor } from "@/lib/audit/record";
import { adminActor, currentAdmin, type AdminSession } from "@/lib/auth/session";
import { clientIp } from "@/lib/http/client-ip";
import { getI18n } from "@/lib/i18n/server";
import type { Translate } from "@/lib/i18n/translate";
import { actionFailure, fieldErrorsFromIssues, toActionFailure, type ActionResult } from "./errors";

export interface ActionContext {
  admin: AdminSession;
  /** For the audit log: "admin:<email>" and the client's address. */
  actor: Actor;
  t: Translate;
}

export function adminAction<S extends z.ZodType, T>(
  schema: S,
  fn: (input: z.output<S>, context: ActionContext) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (raw) => {
    const { t } = await getI18n();
    try {
      const admin = await currentAdmin();
      if (!admin) return actionFailure("unauthorized", t);
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return actionFailure("invalid_input", t, fieldErrorsFromIssues(parsed.error.issues, t));
      const ip = clientIp(new Headers(await headers()));
      const data = await fn(parsed.data, { admin, actor: adminActor(admin, ip), t });
      revalidatePath("/admin", "layout");
      return { ok: true, data };
    } catch (error) {
      unstable_rethrow(error);
      return toActionFailure(error, t);
    }
  };
}
