// How the CLI ends: 0 success, 1 failure (not found, server unreachable, database locked),
// 2 bad input (usage, invalid values, bad environment). Failures print one clear message
// on stderr; nothing is written before input has been validated.
import { ConfigError } from "@/lib/config/env";
import { DataDirLockedError } from "@/lib/db/lock";
import { AppError, type FieldIssue } from "@/lib/errors";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Wrong command line: the message, then a pointer to the command's --help. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A failure whose message is already written for the operator (exit 1). */
export class CliFailure extends Error {
  override name = "CliFailure";
}

// The services name fields as the API does; the CLI's user typed flags.
const FIELD_FLAGS: Record<string, string> = {
  name: "--name",
  dailyLimit: "--daily-limit",
  rateLimit: "--rate-limit",
  expiresInDays: "--expires-in-days",
  expiresAt: "--expires-at",
  allowedIps: "--allow-ip",
  allowedModels: "--allow-model",
  status: "--status",
  search: "--search",
  page: "--page",
  pageSize: "--page-size",
  email: "--email",
  password: "--password",
  // requests list / events list
  from: "--since",
  to: "--until",
  keyId: "--key",
  limit: "--limit",
  cursor: "--cursor",
  model: "--model",
  provider: "--provider",
  requestId: "--request-id",
  type: "--type",
  category: "--category",
  level: "--level",
  clientIp: "--ip",
};

function describeIssue(issue: FieldIssue): string {
  if (issue.field === "(body)") return issue.message;
  const flag = FIELD_FLAGS[issue.field.split(".")[0]];
  return `${flag ?? issue.field}: ${issue.message}`;
}

/** Writes the message for `error` to stderr and returns the exit code. */
export function reportError(error: unknown, write: (line: string) => void): number {
  if (error instanceof UsageError) {
    write(`error: ${error.message}`);
    write(`Run \`npm run cli -- ${error.command ? `${error.command} ` : ""}--help\` for usage.`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    write(`error: ${error.message}`);
    return EXIT_USAGE;
  }
  if (error instanceof AppError) {
    if (error.code === "invalid_input") {
      const lines = error.issues.length ? error.issues.map(describeIssue) : [error.message];
      for (const line of lines) write(`error: ${line}`);
      return EXIT_USAGE;
    }
    write(`error: ${error.message}`);
    return EXIT_FAILURE;
  }
  if (error instanceof DataDirLockedError || error instanceof CliFailure) {
    write(`error: ${error.message}`);
    return EXIT_FAILURE;
  }
  // Prisma's "table does not exist": a PostgreSQL database nobody has migrated yet.
  if ((error as { code?: string } | null)?.code === "P2021") {
    write("error: the database has not been migrated yet: run `npm run db:migrate` first");
    return EXIT_FAILURE;
  }
  write(`error: ${(error as Error)?.message ?? String(error)}`);
  return EXIT_FAILURE;
}
