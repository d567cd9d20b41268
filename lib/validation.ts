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
