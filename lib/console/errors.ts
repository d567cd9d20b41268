// The console's error family, mapped in one place: every server action returns either
// { ok: true, data } or { ok: false, code, error } with `error` in the admin's language.
// Expected failures (bad input, a key deleted meanwhile) say what to do; anything else is
// logged with a reference the admin can quote, and shows a generic message.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { AppError, type AppErrorCode } from "@/lib/errors";
import { isMessageKey, type MessageKey, type Translate } from "@/lib/i18n/translate";
import { log } from "@/lib/log";
import { redactSecrets } from "@/lib/redact";

export type ActionErrorCode = AppErrorCode | "unexpected";

export type ActionFailure = { ok: false; code: ActionErrorCode; error: string; fieldErrors?: Record<string, string> };
export type ActionResult<T> = { ok: true; data: T } | ActionFailure;

const MESSAGES: Record<ActionErrorCode, MessageKey> = {
  invalid_input: "errors.invalidInput",
  unauthorized: "errors.signedOut",
  forbidden: "errors.forbidden",
  not_found: "errors.notFound",
  conflict: "errors.conflict",
  rate_limited: "errors.rateLimited",
  unavailable: "errors.unavailable",
  unexpected: "errors.unexpected",
};

export function actionFailure(code: ActionErrorCode, t: Translate, fieldErrors?: Record<string, string>): ActionFailure {
  return { ok: false, code, error: t(MESSAGES[code]), ...(fieldErrors && Object.keys(fieldErrors).length ? { fieldErrors } : {}) };
}

/** The first problem of each top-level field, translated when the message is a catalogue key. */
export function fieldErrorsFromIssues(issues: readonly z.core.$ZodIssue[], t: Translate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "form");
    if (out[field]) continue;
    const params = (issue as { params?: Record<string, string | number> }).params;
    out[field] = isMessageKey(issue.message) ? t(issue.message, params) : issue.message;
  }
  return out;
}

export function toActionFailure(error: unknown, t: Translate): ActionFailure {
  if (error instanceof AppError) {
    const fieldErrors: Record<string, string> = {};
    // lib/* messages are English; they still name the problem precisely.
    for (const issue of error.issues) fieldErrors[issue.field.split(".")[0]] ??= issue.message;
    return actionFailure(error.code, t, fieldErrors);
  }
  const ref = randomUUID().slice(0, 8);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  log.error(`[console] unexpected error (ref ${ref}): ${redactSecrets(detail)}`);
  return { ok: false, code: "unexpected", error: t("errors.unexpected", { ref }) };
}
