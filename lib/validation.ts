import type { z } from "zod";
import { AppError, type FieldIssue } from "./errors";

/** Parses input at a boundary; failures become one AppError listing every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: unrecognizedKeysMessage(issue) ?? issue.message,
  }));
  throw new AppError("invalid_input", issues.map((i) => `${i.field}: ${i.message}`).join("; "), issues);
}

function unrecognizedKeysMessage(issue: z.core.$ZodIssue): string | undefined {
  return issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : undefined;
}

// Control characters (NUL, tab, line breaks, escape, DEL, the C1 range) and unpaired
// surrogates have no place in a name or a search: PostgreSQL refuses NUL in text outright
// (22021, which would be a 500), a lone surrogate is not UTF-8 (the driver would silently
// store U+FFFD instead), and the others garble tables, logs and terminals.
const UNSAFE_TEXT = /[\p{Cc}\p{Cs}]/u;
const UNSAFE_TEXT_GLOBAL = /[\p{Cc}\p{Cs}]/gu;

export const TEXT_MESSAGE = "must not contain control characters (such as NUL, tab or line breaks) or invalid Unicode";

/** True when `value` is fit to be stored and shown as one line of text. */
export function isPlainText(value: string): boolean {
  return !UNSAFE_TEXT.test(value);
}

/** A zod string that refuses control characters and invalid Unicode, for every text we store or search by. */
export function plainText<T extends z.ZodString>(schema: T): T {
  return schema.refine(isPlainText, TEXT_MESSAGE);
}

/** For filters that cannot refuse (a page's query string): what cannot be stored cannot match, and shows as �. */
export function replaceUnsafeText(value: string): string {
  return value.replace(UNSAFE_TEXT_GLOBAL, "\uFFFD");
}

/** The shape of our record ids (cuid); anything else names no record and must not reach a query. */
export function isRecordId(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}
