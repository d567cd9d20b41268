// The management API's one error mapping. Every failure leaves /api/admin as
//   {"error": {"code", "message", "issues": [{field, message}]}}
// with a status from the table below; anything that is not a known error is logged with
// the request id and answered with a generic 500, so no internals reach the caller.
import { AppError, type AppErrorCode, type FieldIssue } from "@/lib/errors";
import { AuthFailure } from "./auth";
import { log } from "@/lib/log";

const STATUS: Record<AppErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

/** Transport-level failures that have no place among the domain's AppError codes. */
export type ApiProblemCode = "invalid_json" | "payload_too_large";

const PROBLEM_STATUS: Record<ApiProblemCode, number> = {
  invalid_json: 400,
  payload_too_large: 413,
};

export class ApiProblem extends Error {
  override name = "ApiProblem";
  constructor(
    readonly code: ApiProblemCode,
    message: string,
  ) {
    super(message);
  }
}

export type ApiErrorCode = AppErrorCode | ApiProblemCode | "internal_error";

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; issues: FieldIssue[]; requestId?: string };
}

// RFC 6750 §3: a 401 names the scheme, and says whether a token was sent but refused.
const REALM = 'Bearer realm="api-key-manager"';

function errorJson(status: number, body: ApiErrorBody, headers: HeadersInit = {}): Response {
  return Response.json(body, { status, headers });
}

/** Maps any thrown value to the API's error response. */
export function errorResponse(error: unknown, requestId: string, context: { method: string; path: string }): Response {
  if (error instanceof AppError) {
    const headers: Record<string, string> = {};
    if (error.code === "unauthorized") {
      headers["www-authenticate"] = error instanceof AuthFailure && error.credentialSent ? `${REALM}, error="invalid_token"` : REALM;
    }
    return errorJson(STATUS[error.code], { error: { code: error.code, message: error.message, issues: error.issues } }, headers);
  }
  if (error instanceof ApiProblem) {
    return errorJson(PROBLEM_STATUS[error.code], { error: { code: error.code, message: error.message, issues: [] } });
  }
  log.error(`[admin-api] ${requestId} ${context.method} ${context.path} failed:`, error);
  return errorJson(500, {
    error: { code: "internal_error", message: `internal error; the server log has the details under request id ${requestId}`, issues: [], requestId },
  });
}

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}
