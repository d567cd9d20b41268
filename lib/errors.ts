// Domain errors thrown by lib/*. Each family of entry points maps them to responses in
// one place: lib/gateway/errors.ts for /v1 (OpenAI's shape), lib/admin-api/respond.ts for
// the management API, and the console's action wrapper.

export type AppErrorCode =
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "unavailable";

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. "allowedIps.1". */
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

export function invalidInput(field: string, message: string): AppError {
  return new AppError("invalid_input", `${field}: ${message}`, [{ field, message }]);
}

export function notFound(what: string): AppError {
  return new AppError("not_found", `${what} not found`);
}
