// The gateway: what our server (lib/server/start.ts) calls for every /v1 request, with
// node:http's own request and response (no Web Request/Response conversion on the hot
// path). For each request, in order:
//   1. a RequestLog (lib/usage/request-log.ts) that owns what the request produces and
//      writes its one record;
//   2. the Host check, then the route (404 unknown_url, 405 method_not_allowed with Allow);
//   3. the API key (format and checksum, then the cached lookup), its IP allowlist, the
//      rate limit and daily quota — X-RateLimit-* once the key's window is known;
//   4. the route's handler, which reports facts to the log and answers through send();
//   5. any error, mapped in one place (errors.ts) to OpenAI's shape, with its event.
// Handlers contain no try/catch and never touch the record. proxy.ts does not run on /v1
// (ARCHITECTURE.md).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Agent } from "undici";
import type { Env } from "@/lib/config/env";
import { clientIpOf } from "@/lib/http/client-ip";
import { closeAfterResponse, shouldCloseAfter } from "@/lib/http/connection";
import { isHostAllowed } from "@/lib/http/host";
import type { CachedKey } from "@/lib/keys/cache";
import type { KeyLookup } from "@/lib/keys/verify";
import type { LimitVerdict, Limiter } from "@/lib/ratelimit/types";
import { RequestLog, type RequestLogSink } from "@/lib/usage/request-log";
import { log } from "@/lib/log";
import { describeError, errorPayload, GatewayError, type ErrorOutcome, type GatewayErrorCode } from "./errors";

/** The process's services the gateway works with, created by lib/runtime/start.ts. */
export interface GatewayServices {
  env: Env;
  lookupKey(secret: string | null): Promise<KeyLookup>;
  limiter: Limiter;
  records: RequestLogSink;
  upstream: Agent;
}

/** What a route's handler gets: the request, the admitted key, the log to report to. */
export interface V1Context {
  req: IncomingMessage;
  res: ServerResponse;
  key: CachedKey;
  log: RequestLog;
  services: GatewayServices;
  /** Aborted when the client goes away before its answer is complete. */
  signal: AbortSignal;
}

export type V1Handler = (ctx: V1Context) => Promise<void>;

/** Path → method → handler. */
export type V1Routes = Record<string, Partial<Record<"GET" | "POST", V1Handler>>>;

/** What our server refuses on /v1 before the gateway looks at it (no usable Host). */
export interface V1Refusal {
  code: Extract<GatewayErrorCode, "invalid_request">;
  message: string;
}

export type Gateway = (req: IncomingMessage, res: ServerResponse, target: { path: string; refusal?: V1Refusal }) => void;

export function createGateway(services: GatewayServices, routes: V1Routes): Gateway {
  return (req, res, target) => {
    const requestLog = new RequestLog(services.records, { method: req.method ?? "GET", path: target.path, clientIp: clientIpOf(req.headers) });
    res.setHeader("x-request-id", requestLog.requestId);
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    answer(req, res, target, requestLog, abort.signal, services, routes).catch((error: unknown) => {
      // answer() maps its own errors; reaching here is a bug in the mapping itself.
      log.error(`[gateway] ${req.method} ${target.path}: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end();
    });
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  target: { path: string; refusal?: V1Refusal },
  requestLog: RequestLog,
  signal: AbortSignal,
  services: GatewayServices,
  routes: V1Routes,
): Promise<void> {
  try {
    if (target.refusal) throw new GatewayError(target.refusal.code, target.refusal.message);
    // A foreign Host is refused on unknown paths too: this server does not answer it at all.
    const allowedHosts = services.env.ALLOWED_HOSTS;
    if (allowedHosts.length && !isHostAllowed(req.headers.host ?? null, allowedHosts)) {
      throw new GatewayError("host_not_allowed", "This server does not answer to that host name.");
    }
    const handler = route(routes, req.method ?? "GET", target.path);
    const key = await admit(req, res, requestLog, services);
    await handler({ req, res, key, log: requestLog, services, signal });
  } catch (error) {
    sendError(req, res, requestLog, describeError(error, requestLog.requestId), error);
  }
}

function route(routes: V1Routes, method: string, path: string): V1Handler {
  const methods = routes[path];
  // Node answers HEAD like GET, without the body.
  const handler = methods?.[(method === "HEAD" ? "GET" : method) as "GET" | "POST"];
  if (handler) return handler;
  if (!methods) throw new GatewayError("unknown_url", `Invalid URL (${method} ${path})`);
  const allow = Object.keys(methods).flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]));
  throw new GatewayError("method_not_allowed", `${method} is not allowed on ${path}; use ${Object.keys(methods).join(" or ")}.`, {
    headers: { allow: allow.join(", ") },
  });
}

async function admit(req: IncomingMessage, res: ServerResponse, requestLog: RequestLog, services: GatewayServices): Promise<CachedKey> {
  const lookup = await services.lookupKey(bearerToken(req.headers.authorization));
  if (!lookup.ok) {
    // A disabled or expired key's refusal belongs in that key's logs.
    if (lookup.keyId) requestLog.keyed(lookup.keyId);
    throw keyRefusal(lookup);
  }
  const { key } = lookup;
  requestLog.keyed(key.id);
  if (!key.ipAllowed(requestLog.clientIp)) {
    throw new GatewayError("ip_not_allowed", `Requests from ${requestLog.clientIp ?? "an unknown address"} are not allowed for this API key.`);
  }
  const verdict = await services.limiter.check({ keyId: key.id, rateLimit: key.rateLimit, dailyLimit: key.dailyLimit });
  res.setHeader("x-ratelimit-limit", String(verdict.window.limit));
  res.setHeader("x-ratelimit-remaining", String(verdict.window.remaining));
  res.setHeader("x-ratelimit-reset", String(Math.ceil(verdict.window.resetAt / 1000)));
  if (!verdict.allowed) throw limitRefusal(verdict, services.env.RATE_LIMIT_WINDOW);
  requestLog.counted(verdict.day);
  return key;
}

/** Answers a JSON body: the record is written first, then the bytes. */
export function sendJson(ctx: Pick<V1Context, "res" | "log">, status: number, body: string | object): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  ctx.log.finish(status);
  ctx.res.writeHead(status, { "content-type": "application/json" });
  ctx.res.end(text);
}

function sendError(req: IncomingMessage, res: ServerResponse, requestLog: RequestLog, outcome: ErrorOutcome, error: unknown): void {
  // The stack only: an error object's own fields could carry request options.
  if (outcome.code === "internal_error") log.error(`[gateway] request ${requestLog.requestId} failed: ${(error as Error)?.stack ?? String(error)}`);
  const type = outcome.security ?? outcome.system;
  requestLog.failed(
    outcome.code,
    outcome.body.error.message,
    type
      ? {
          category: outcome.security ? "security" : "system",
          level: outcome.security ? "warn" : "error",
          type,
          message: outcome.body.error.message,
          details: { code: outcome.code, ...outcome.details },
        }
      : null,
  );
  requestLog.finish(outcome.status);
  if (res.headersSent) {
    // A handler failed after its answer had started: nothing more can be said to the client.
    res.end();
    return;
  }
  if (shouldCloseAfter(req, outcome.status)) closeAfterResponse(res);
  const { status, headers, body } = errorPayload(outcome);
  res.writeHead(status, headers);
  res.end(body);
}

/** The token of an `Authorization: Bearer <token>` header; "" for another scheme, null when absent. */
export function bearerToken(header: string | undefined | null): string | null {
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

function limitRefusal(verdict: Extract<LimitVerdict, { allowed: false }>, windowSeconds: number): GatewayError {
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
    `Rate limit reached for this API key (${verdict.window.limit} requests per ${windowSeconds} s). Retry after ${seconds} s.`,
    { headers: { "retry-after": String(seconds) }, details: { limit: verdict.window.limit } },
  );
}
