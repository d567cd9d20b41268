// The one place /v1 errors become responses, and the one vocabulary of /v1 error codes.
// Everything the gateway refuses or fails at has a code from the closed table below, which
// decides its status, OpenAI error type, the event it is recorded as, and the retry hint:
//  - the gateway's own refusals and failures are GatewayErrors;
//  - the adapters (lib/providers) produce MappedErrors whose `code` is an AdapterErrorCode,
//    a subset of this table: an adapter cannot invent a code (it does not compile), so
//    request_logs.error_code, the events and the console's filters (lib/console/log-types.ts,
//    derived from this table) only ever hold codes listed here;
//  - anything else is our own bug: a logged 500 that says only the request id. A provider's
//    failure is never our 500.
//
// A provider refusing the request itself (its own 4xx other than refusing the gateway's
// key, or the same reported inside a stream) is recorded as `upstream_rejected`, whatever
// the provider called it, and the provider's own code goes in the outcome's details
// (`providerCode`, written with the event where the request has one; a refusal writes no
// event, and its record keeps the provider's message). The client, though, still gets the provider's status, message, and its
// own type and code: OpenAI's exactly as OpenAI sent them (OpenAI clients branch on codes
// such as context_length_exceeded or insufficient_quota), Anthropic's error type and
// Gemini's status or ErrorInfo reason as the code (see each SUPPORT.md). Why not translate
// those codes into ours: a table of every provider's codes would go stale with each
// provider release and would take information from clients that read them; why not record
// them as they are: the records would then hold codes no one has listed, which the console
// can neither name nor group. So the body is the one place a code outside this table
// appears, and only one the provider wrote; where the provider named none (a proxy's HTML
// page), the body says `upstream_rejected` too.
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

export const GATEWAY_ERRORS = {
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
  // An adapter refusing a field its provider cannot honour, before anything is sent
  // upstream (lib/providers/openai-shapes.ts and each SUPPORT.md); OpenAI's own codes for
  // the same refusals, so clients read them alike.
  invalid_value: { status: 400, type: "invalid_request_error" },
  unsupported_parameter: { status: 400, type: "invalid_request_error" },
  unsupported_value: { status: 400, type: "invalid_request_error" },
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
  // The provider answered with something that is not its format (a body or stream event
  // that is not JSON, or not the object it should be).
  upstream_bad_response: { status: 502, type: "upstream_error", system: "upstream_error" },
  // A stream that broke after its 200: it ended before it was complete, or the provider
  // reported a failure inside it that names no kind (OpenAI's error events).
  upstream_stream_error: { status: 502, type: "upstream_error", system: "upstream_error" },
  upstream_timeout: { status: 504, type: "upstream_error", system: "upstream_error" },
  // The provider answered 5xx itself, or reported the same in a stream.
  upstream_error: { status: 502, type: "upstream_error", system: "upstream_error" },
  // The provider answered 503 (Anthropic: 529 overloaded_error): busy, worth a retry later.
  upstream_overloaded: { status: 503, type: "upstream_error", system: "upstream_error" },
  // The provider refused the gateway's own key: the client's key is fine, so not a 401
  // (which an OpenAI client reads as "your key is wrong"); the message names the variable.
  upstream_auth_failed: { status: 502, type: "upstream_error", system: "upstream_error", final: true },
  // The provider refused the request (see the header): the client gets the provider's own
  // status and type; these apply only where it named none.
  upstream_rejected: { status: 400, type: "invalid_request_error" },
  // Never sent (the client is gone); nginx's code, so request logs tell it apart.
  client_closed_request: { status: 499, type: "invalid_request_error" },
  internal_error: { status: 500, type: "server_error", system: "internal_error" },
} as const satisfies Record<string, ErrorSpec>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** The codes an adapter can produce; every other row is the gateway's own. */
export const ADAPTER_ERROR_CODES = [
  "invalid_value",
  "unsupported_parameter",
  "unsupported_value",
  "upstream_bad_response",
  "upstream_stream_error",
  "upstream_error",
  "upstream_overloaded",
  "upstream_auth_failed",
  "upstream_rejected",
] as const satisfies readonly GatewayErrorCode[];

export type AdapterErrorCode = (typeof ADAPTER_ERROR_CODES)[number];

/** OpenAI's error body, the only error shape /v1 ever returns. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A failure an adapter mapped: the table's code for it, and what the client is sent. */
export interface MappedError {
  /** What request_logs.error_code says; its row decides the event and the retry hint. */
  code: AdapterErrorCode;
  status: number;
  body: OpenAIErrorBody;
  /** The provider's own name for the failure (its error code, type or status), for the event's details. */
  providerCode?: string;
  /**
   * Seconds the provider asked the caller to wait, read from its error body (Gemini's
   * RetryInfo); the gateway sends it as Retry-After when the upstream sent no such header.
   */
  retryAfterSeconds?: number;
}

interface MappedOptions {
  param?: string | null;
  providerCode?: string;
  retryAfterSeconds?: number;
}

/** A failure of one of the table's rows, with that row's status and type. */
export function mappedError(code: Exclude<AdapterErrorCode, "upstream_rejected">, message: string, options: MappedOptions = {}): MappedError {
  const spec: ErrorSpec = GATEWAY_ERRORS[code];
  return withOptions({ code, status: spec.status, body: { error: { message, type: spec.type, param: options.param ?? null, code } } }, options);
}

/**
 * The provider refused the request: the client gets its status, type, code and message,
 * the record says upstream_rejected (see the header). `code` left out: the provider named
 * none, and the body says upstream_rejected; null: the provider's body said null.
 */
export function providerRefusal(status: number, message: string, options: { type: string; code?: string | null; param?: string | null; retryAfterSeconds?: number }): MappedError {
  const code = options.code === undefined ? "upstream_rejected" : options.code;
  const mapped: MappedError = { code: "upstream_rejected", status, body: { error: { message, type: options.type, param: options.param ?? null, code } } };
  return withOptions(mapped, { providerCode: options.code ?? undefined, retryAfterSeconds: options.retryAfterSeconds });
}

function withOptions(mapped: MappedError, options: MappedOptions): MappedError {
  if (options.providerCode !== undefined) mapped.providerCode = options.providerCode;
  if (options.retryAfterSeconds !== undefined) mapped.retryAfterSeconds = options.retryAfterSeconds;
  return mapped;
}

/** Thrown by adapters for input their provider cannot honour; the gateway sends it as is. */
export class MappedErrorException extends Error {
  constructor(readonly mapped: MappedError) {
    super(mapped.body.error.message);
  }
}

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
    mapped: MappedError,
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
  code: GatewayErrorCode;
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
    const { mapped } = error;
    const spec: ErrorSpec = GATEWAY_ERRORS[mapped.code];
    const upstream = error instanceof UpstreamErrorResponse ? error : null;
    const details: Record<string, unknown> = { status: mapped.status };
    if (upstream?.upstreamStatus !== undefined) details.upstreamStatus = upstream.upstreamStatus;
    if (mapped.providerCode !== undefined) details.providerCode = mapped.providerCode;
    return {
      status: mapped.status,
      body: mapped.body,
      headers: { ...upstream?.headers, ...(spec.final ? { "x-should-retry": "false" } : {}) },
      code: mapped.code,
      security: null,
      system: spec.system ?? null,
      details,
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

/** The answer an outcome makes: status, headers and OpenAI's JSON error body. */
export function errorPayload(outcome: ErrorOutcome): { status: number; headers: Record<string, string>; body: string } {
  return { status: outcome.status, headers: { "content-type": "application/json", ...outcome.headers }, body: JSON.stringify(outcome.body) };
}
