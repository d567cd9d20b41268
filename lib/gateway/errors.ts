// The one place /v1 errors become responses. Everything the gateway refuses or fails at
// is a GatewayError with a code from the closed table below (status, OpenAI error type,
// and the event it is recorded as); provider errors arrive as MappedErrorException from
// the adapters (a provider's own failure as upstream_error or upstream_overloaded, codes of
// the table below); anything else is our own bug: a logged 500 that says only the request
// id. A provider's failure is never our 500.
import { randomUUID } from "node:crypto";
import { MappedErrorException, type OpenAIErrorBody } from "@/lib/providers/types";
import { LimitsUnavailableError } from "@/lib/ratelimit/types";

interface ErrorSpec {
  status: number;
  type: string;
  /** Security event written for the refusal (events table). */
  security?: string;
  /** System event for failures an operator should see. */
  system?: string;
  /** Tells the openai SDKs not to retry (x-should-retry: false): retrying cannot help. */
  final?: boolean;
}

const GATEWAY_ERRORS = {
  host_not_allowed: { status: 400, type: "invalid_request_error", security: "host_not_allowed" },
  missing_api_key: { status: 401, type: "invalid_request_error", security: "invalid_api_key" },
  malformed_api_key: { status: 401, type: "invalid_request_error", security: "invalid_api_key" },
  invalid_api_key: { status: 401, type: "invalid_request_error", security: "invalid_api_key" },
  api_key_disabled: { status: 401, type: "invalid_request_error", security: "key_disabled" },
  api_key_expired: { status: 401, type: "invalid_request_error", security: "key_expired" },
  ip_not_allowed: { status: 403, type: "permission_error", security: "ip_not_allowed" },
  model_not_allowed: { status: 403, type: "permission_error", security: "model_not_allowed" },
  daily_quota_exceeded: { status: 403, type: "insufficient_quota", security: "daily_quota_exceeded" },
  rate_limit_exceeded: { status: 429, type: "rate_limit_error", security: "rate_limited" },
  invalid_json: { status: 400, type: "invalid_request_error" },
  invalid_request: { status: 400, type: "invalid_request_error" },
  request_too_large: { status: 413, type: "invalid_request_error" },
  model_not_found: { status: 404, type: "invalid_request_error" },
  unknown_url: { status: 404, type: "invalid_request_error" },
  // A known /v1 path asked with another method; the answer carries Allow.
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  // The client stopped sending its body (REQUEST_BODY_TIMEOUT): its timeout, not our failure.
  request_timeout: { status: 408, type: "invalid_request_error" },
  provider_not_configured: { status: 503, type: "server_error", system: "provider_not_configured", final: true },
  limits_unavailable: { status: 503, type: "server_error", system: "limits_unavailable" },
  upstream_unreachable: { status: 502, type: "upstream_error", system: "upstream_error" },
  upstream_bad_response: { status: 502, type: "upstream_error", system: "upstream_error" },
  upstream_stream_error: { status: 502, type: "upstream_error", system: "upstream_error" },
  upstream_timeout: { status: 504, type: "upstream_error", system: "upstream_error" },
  // The provider answered 5xx itself, or reported the same in a stream (the adapters map
  // it with UPSTREAM_FAILURES, which errors.test.ts holds to these rows).
  upstream_error: { status: 502, type: "upstream_error", system: "upstream_error" },
  // The provider answered 503 (Anthropic: 529 overloaded_error): busy, worth a retry later.
  upstream_overloaded: { status: 503, type: "upstream_error", system: "upstream_error" },
  // Never sent (the client is gone); nginx's code, so request logs tell it apart.
  client_closed_request: { status: 499, type: "invalid_request_error" },
  internal_error: { status: 500, type: "server_error", system: "internal_error" },
} as const satisfies Record<string, ErrorSpec>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends Error {
  override name = "GatewayError";
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly options: { param?: string | null; headers?: Record<string, string>; details?: Record<string, unknown> } = {},
  ) {
    super(message);
  }

  get status(): number {
    return GATEWAY_ERRORS[this.code].status;
  }
}

/** An upstream error response, mapped by its adapter, with the headers worth passing on. */
export class UpstreamErrorResponse extends MappedErrorException {
  constructor(
    mapped: MappedErrorException["mapped"],
    readonly headers: Record<string, string> = {},
    /** The status the provider answered (recorded in the event's details). */
    readonly upstreamStatus?: number,
  ) {
    super(mapped);
  }
}

export interface ErrorOutcome {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
  /** What request_logs.error_code says. */
  code: string;
  security: string | null;
  system: string | null;
  details: Record<string, unknown> | undefined;
}

export function describeError(error: unknown, requestId: string): ErrorOutcome {
  if (error instanceof LimitsUnavailableError) {
    error = new GatewayError("limits_unavailable", "The gateway cannot check this key's limits right now; retry shortly.");
  }
  if (error instanceof GatewayError) {
    const spec: ErrorSpec = GATEWAY_ERRORS[error.code];
    const headers = { ...error.options.headers, ...(spec.final ? { "x-should-retry": "false" } : {}) };
    return {
      status: spec.status,
      body: { error: { message: error.message, type: spec.type, param: error.options.param ?? null, code: error.code } },
      headers,
      code: error.code,
      security: spec.security ?? null,
      system: spec.system ?? null,
      details: error.options.details,
    };
  }
  if (error instanceof MappedErrorException) {
    const { status, body } = error.mapped;
    const headers = error instanceof UpstreamErrorResponse ? error.headers : {};
    const upstreamStatus = error instanceof UpstreamErrorResponse ? error.upstreamStatus : undefined;
    return {
      status,
      body,
      // A provider refusing the gateway's own key: retrying cannot help either.
      headers: body.error.code === "upstream_auth_failed" ? { ...headers, "x-should-retry": "false" } : headers,
      code: body.error.code ?? `upstream_${status}`,
      security: null,
      system: status >= 500 ? "upstream_error" : null,
      details: upstreamStatus === undefined ? { status } : { status, upstreamStatus },
    };
  }
  return {
    status: 500,
    body: {
      error: {
        message: `The gateway failed to handle this request (request id ${requestId}); the administrator can find it in the server log.`,
        type: "server_error",
        param: null,
        code: "internal_error",
      },
    },
    headers: {},
    code: "internal_error",
    security: null,
    system: "internal_error",
    details: undefined,
  };
}

export function errorResponse(outcome: ErrorOutcome): Response {
  return Response.json(outcome.body, { status: outcome.status, headers: outcome.headers });
}

/** The 404 for /v1 paths the gateway does not serve, in OpenAI's words. */
export function unknownUrlResponse(request: Request): Response {
  const path = new URL(request.url).pathname;
  const outcome = describeError(new GatewayError("unknown_url", `Invalid URL (${request.method} ${path})`), "");
  return errorResponse({ ...outcome, headers: { ...outcome.headers, "x-request-id": randomUUID() } });
}
