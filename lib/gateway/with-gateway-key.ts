// The wrapper every /v1 route goes through (proxy.ts does not run on /v1; see
// ARCHITECTURE.md). In order: Host check, API key (format and checksum, then the cached
// lookup), the key's IP allowlist, rate limit and daily quota; then the handler. It owns
// what every response shares: the error mapping (errors.ts, the one place), x-request-id,
// X-RateLimit-* once a key is known, and the usage record with its events. Handlers
// contain no try/catch. What our server refuses before any route runs (unknown path,
// wrong method, no Host) is answered through the same steps by refuseV1Request.
import { randomUUID } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import { getEnv } from "@/lib/config/env";
import { clientIp } from "@/lib/http/client-ip";
import type { CachedKey } from "@/lib/keys/cache";
import { lookupKey, type KeyLookup } from "@/lib/keys/verify";
import { getLimiter } from "@/lib/ratelimit/limiter";
import type { LimitVerdict, WindowState } from "@/lib/ratelimit/types";
import type { Usage } from "@/lib/providers/types";
import type { EventInput } from "@/lib/events/record";
import { getUsageRecorder, type RequestRecord } from "@/lib/usage/recorder";
import { describeError, errorResponse, GatewayError, type ErrorOutcome, type GatewayErrorCode } from "./errors";
import { isHostAllowed } from "@/lib/http/host";
import { log } from "@/lib/log";

export interface GatewayContext {
  requestId: string;
  key: CachedKey;
  clientIp: string | null;
  /** The record the wrapper writes; handlers fill in model, provider, stream, ttfb, usage. */
  record: RequestRecord;
  /** Milliseconds since the request arrived. */
  elapsed(): number;
  /**
   * For a streamed response: the record is written when the returned function is
   * called (when the stream ends), not when the handler returns.
   */
  deferRecord(): (end: { error: { code: string; message: string } | null; clientClosed?: boolean }) => void;
}

export type GatewayHandler = (request: Request, ctx: GatewayContext) => Promise<Response>;

export function withGatewayKey(handler: GatewayHandler): (request: Request) => Promise<Response> {
  return (request) =>
    answer(request, async (state) => {
      const { record } = state;
      const lookup = await lookupKey(bearerToken(request.headers.get("authorization")));
      if (!lookup.ok) {
        // A disabled or expired key's refusal belongs in that key's logs.
        record.keyId = lookup.keyId ?? null;
        throw keyRefusal(lookup);
      }
      const key = lookup.key;
      record.keyId = key.id;
      if (!key.ipAllowed(record.clientIp)) {
        throw new GatewayError("ip_not_allowed", `Requests from ${record.clientIp ?? "an unknown address"} are not allowed for this API key.`);
      }
      const verdict = await getLimiter().check({ keyId: key.id, rateLimit: key.rateLimit, dailyLimit: key.dailyLimit });
      state.window = verdict.window;
      if (!verdict.allowed) throw limitRefusal(verdict);
      record.countedDay = verdict.day;
      const ctx: GatewayContext = {
        requestId: record.requestId,
        key,
        clientIp: record.clientIp,
        record,
        elapsed: state.elapsed,
        deferRecord: () => {
          state.deferred = true;
          return (end) => {
            if (end.error) {
              record.errorCode = end.error.code;
              record.errorMessage = end.error.message;
              if (end.error.code !== "client_closed_request") state.events.push(streamFailureEvent(record));
            } else if (end.clientClosed) {
              record.errorCode = "client_closed_request";
            }
            finishRecord(record, 200, state.elapsed(), state.events);
          };
        },
      };
      return handler(request, ctx);
    });
}

/** What our server refuses on /v1 before any route runs (lib/server/direct-routes.ts). */
export interface V1Refusal {
  code: Extract<GatewayErrorCode, "unknown_url" | "method_not_allowed" | "invalid_request">;
  message: string;
  /** The methods the path answers, for a 405's Allow header. */
  allow?: readonly string[];
  /** The method asked, when the Request cannot carry it (fetch refuses TRACE). */
  method?: string;
}

/**
 * Answers a refusal made by our server (unknown path, wrong method, no Host) like every
 * other /v1 refusal: Host check first, the one error mapping, x-request-id, one record.
 */
export function refuseV1Request(request: Request, refusal: V1Refusal): Promise<Response> {
  return answer(
    request,
    async () => {
      throw new GatewayError(refusal.code, refusal.message, { headers: refusal.allow ? { allow: refusal.allow.join(", ") } : undefined });
    },
    refusal.method,
  );
}

interface RequestState {
  record: RequestRecord;
  /** The key's rate-limit window once checked, for the X-RateLimit-* headers. */
  window: WindowState | null;
  /** Set when a stream writes the record when it ends. */
  deferred: boolean;
  /** Written with the record, in the same journal entry. */
  events: EventInput[];
  elapsed(): number;
}

// What every /v1 answer shares: the Host check, the error mapping, x-request-id and
// X-RateLimit-* headers, and exactly one record.
async function answer(request: Request, work: (state: RequestState) => Promise<Response>, method = request.method): Promise<Response> {
  const started = performance.now();
  const requestId = randomUUID();
  const state: RequestState = {
    record: {
      requestId,
      keyId: null,
      method,
      path: pathOf(request.url),
      model: null,
      provider: null,
      status: 0,
      errorCode: null,
      errorMessage: null,
      startedAt: Date.now(),
      latencyMs: 0,
      ttfbMs: null,
      promptTokens: null,
      completionTokens: null,
      cachedTokens: null,
      clientIp: clientIp(request.headers),
      stream: false,
      countedDay: null,
    },
    window: null,
    deferred: false,
    events: [],
    elapsed: () => performance.now() - started,
  };
  const { record } = state;
  let response: Response;
  try {
    const allowedHosts = getEnv().ALLOWED_HOSTS;
    if (allowedHosts.length && !isHostAllowed(request.headers.get("host") ?? new URL(request.url).host, allowedHosts)) {
      throw new GatewayError("host_not_allowed", "This server does not answer to that host name.");
    }
    response = await work(state);
  } catch (error) {
    state.deferred = false;
    const outcome = describeError(error, requestId);
    // The stack only: an error object's own fields could carry request options.
    if (outcome.code === "internal_error") log.error(`[gateway] request ${requestId} failed: ${(error as Error)?.stack ?? String(error)}`);
    response = errorResponse(outcome);
    record.errorCode = outcome.code;
    record.errorMessage = outcome.body.error.message;
    const event = refusalEvent(record, outcome);
    if (event) state.events.push(event);
  }
  response.headers.set("x-request-id", requestId);
  if (state.window) {
    response.headers.set("x-ratelimit-limit", String(state.window.limit));
    response.headers.set("x-ratelimit-remaining", String(state.window.remaining));
    response.headers.set("x-ratelimit-reset", String(Math.ceil(state.window.resetAt / 1000)));
  }
  if (!state.deferred) finishRecord(record, response.status, state.elapsed(), state.events);
  return response;
}

// Journals the record with its events (one write) before the response's last byte leaves.
function finishRecord(record: RequestRecord, status: number, elapsedMs: number, events: EventInput[]): void {
  record.status = status;
  record.latencyMs = Math.round(elapsedMs);
  getUsageRecorder().record(record, events);
  if (log.enabled("debug")) {
    log.debug(`[gateway] ${record.method} ${record.path} ${status} ${record.latencyMs}ms request=${record.requestId} key=${record.keyId ?? "-"} model=${record.model ?? "-"}${record.errorCode ? ` error=${record.errorCode}` : ""}`);
  }
}

export function applyUsage(record: RequestRecord, usage: Usage | null): void {
  if (!usage) return;
  record.promptTokens = usage.inputTokens;
  record.completionTokens = usage.outputTokens;
  record.cachedTokens = usage.cachedInputTokens ?? null;
}

function refusalEvent(record: RequestRecord, outcome: ErrorOutcome): EventInput | null {
  const security = outcome.security;
  const type = security ?? outcome.system;
  if (!type) return null;
  return {
    category: security ? "security" : "system",
    level: security ? "warn" : "error",
    type,
    message: outcome.body.error.message,
    keyId: record.keyId,
    clientIp: record.clientIp,
    requestId: record.requestId,
    details: { code: outcome.code, path: record.path, ...(record.model ? { model: record.model } : {}), ...outcome.details } as Prisma.InputJsonObject,
    createdAt: new Date(record.startedAt),
  };
}

// A stream that failed after its 200 had started: the client saw an error event.
function streamFailureEvent(record: RequestRecord): EventInput {
  return {
    category: "system",
    level: "error",
    type: "upstream_error",
    message: record.errorMessage ?? "The upstream stream failed.",
    keyId: record.keyId,
    clientIp: record.clientIp,
    requestId: record.requestId,
    details: { code: record.errorCode, path: record.path, model: record.model, stream: true },
    createdAt: new Date(record.startedAt),
  };
}

/** The token of an `Authorization: Bearer <token>` header; "" for another scheme, null when absent. */
export function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : "";
}

const KEY_REFUSALS = {
  missing: ["missing_api_key", "Missing API key: send it in the Authorization header as 'Bearer <key>'."],
  malformed: ["malformed_api_key", "The API key is malformed: gateway keys start with 'sk-akm_' followed by 46 letters and digits. Check that it was copied completely."],
  unknown: ["invalid_api_key", "Incorrect API key provided."],
  disabled: ["api_key_disabled", "This API key has been disabled."],
  expired: ["api_key_expired", "This API key has expired."],
} as const;

function keyRefusal(lookup: Extract<KeyLookup, { ok: false }>): GatewayError {
  const [code, message] = KEY_REFUSALS[lookup.reason];
  return new GatewayError(code, message);
}

function limitRefusal(verdict: Extract<LimitVerdict, { allowed: false }>): GatewayError {
  if (verdict.reason === "daily_quota_exceeded") {
    const reset = new Date(verdict.quotaResetAt).toISOString().replace(".000Z", "Z");
    return new GatewayError(
      "daily_quota_exceeded",
      `Daily request quota reached for this API key (${verdict.dailyLimit} requests per UTC day). It resets at ${reset} (00:00 UTC).`,
      { details: { dailyLimit: verdict.dailyLimit, resetsAt: reset } },
    );
  }
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  return new GatewayError(
    "rate_limit_exceeded",
    `Rate limit reached for this API key (${verdict.window.limit} requests per ${getEnv().RATE_LIMIT_WINDOW} s). Retry after ${seconds} s.`,
    { headers: { "retry-after": String(seconds) }, details: { limit: verdict.window.limit } },
  );
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  return start < 0 ? "/" : end < 0 ? url.slice(start) : url.slice(start, end);
}
