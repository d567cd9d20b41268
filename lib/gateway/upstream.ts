// Calls to providers go through one undici Agent per process (created by
// lib/runtime/start.ts, handed to the gateway): keep-alive connections pooled per origin,
// no per-request setup (measured: global fetch costs ~1 ms more per
// request). Its timeouts come from the configuration:
//   UPSTREAM_CONNECT_TIMEOUT  opening a connection
//   UPSTREAM_TIMEOUT          waiting for the response headers (the first byte)
//   UPSTREAM_IDLE_TIMEOUT     silence between two body chunks (streams)
import { Agent, type Dispatcher } from "undici";
import { getEnv } from "@/lib/config/env";
import { redactKey, redactKeyDeep } from "@/lib/providers/provider-errors";
import type { ProviderAdapter, UpstreamRequest } from "@/lib/providers/types";
import { onShutdown } from "@/lib/runtime/lifecycle";
import { GatewayError, UpstreamErrorResponse } from "./errors";

let processAgent: Agent | undefined;

export function getUpstreamAgent(): Agent {
  if (!processAgent) {
    const env = getEnv();
    const agent = new Agent({
      connect: { timeout: env.UPSTREAM_CONNECT_TIMEOUT * 1000 },
      headersTimeout: env.UPSTREAM_TIMEOUT * 1000,
      bodyTimeout: env.UPSTREAM_IDLE_TIMEOUT * 1000,
      keepAliveTimeout: 30_000,
    });
    processAgent = agent;
    onShutdown("upstream", async () => {
      processAgent = undefined;
      await agent.close();
    });
  }
  return processAgent;
}

export type UpstreamResponse = Dispatcher.ResponseData;

// Upstream URLs repeat (a handful of endpoints per provider): parse each once.
const targets = new Map<string, { origin: string; path: string }>();

function targetOf(href: string): { origin: string; path: string } {
  let target = targets.get(href);
  if (!target) {
    const url = new URL(href);
    target = { origin: url.origin, path: url.pathname + url.search };
    if (targets.size >= 256) targets.clear();
    targets.set(href, target);
  }
  return target;
}

/** Sends the request; network failures and timeouts become 502/504 GatewayErrors. */
export async function sendUpstream(agent: Agent, req: UpstreamRequest, signal: AbortSignal, provider: string): Promise<UpstreamResponse> {
  const { origin, path } = targetOf(req.url);
  try {
    return await agent.request({
      origin,
      path,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
    });
  } catch (error) {
    throw upstreamFailure(error, signal, provider);
  }
}

const TIMEOUTS: Record<string, (env: ReturnType<typeof getEnv>) => string> = {
  UND_ERR_CONNECT_TIMEOUT: (env) => `could not connect within ${env.UPSTREAM_CONNECT_TIMEOUT} s (UPSTREAM_CONNECT_TIMEOUT)`,
  UND_ERR_HEADERS_TIMEOUT: (env) => `did not start answering within ${env.UPSTREAM_TIMEOUT} s (UPSTREAM_TIMEOUT)`,
  UND_ERR_BODY_TIMEOUT: (env) => `went silent for ${env.UPSTREAM_IDLE_TIMEOUT} s (UPSTREAM_IDLE_TIMEOUT)`,
};

const UNREACHABLE = new Set([
  "ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ETIMEDOUT",
  "UND_ERR_SOCKET", "UND_ERR_CLOSED", "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

/** Maps a failed exchange with a provider; an error it does not recognise is rethrown (our bug → 500). */
export function upstreamFailure(error: unknown, signal: AbortSignal, provider: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signal.aborted) return new GatewayError("client_closed_request", "The client closed the connection.");
  const code = errorCode(error);
  const timeout = code ? TIMEOUTS[code] : undefined;
  if (timeout) return new GatewayError("upstream_timeout", `The upstream provider (${provider}) ${timeout(getEnv())}.`);
  if (code && UNREACHABLE.has(code)) {
    return new GatewayError("upstream_unreachable", `The upstream provider (${provider}) could not be reached or dropped the connection (${code}).`);
  }
  throw error;
}

function errorCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string") return e.code;
  }
  return undefined;
}

/** Reads an upstream body as text, at most `limit` bytes (error bodies). */
export async function readUpstreamText(body: UpstreamResponse["body"], limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * An upstream error response mapped by its adapter. The provider's key is never passed on:
 * it is cut out of the raw text and again out of the mapped error (a JSON body can spell it
 * with escapes that only parsing reveals).
 */
export async function upstreamError(adapter: ProviderAdapter, upstream: UpstreamResponse, apiKey: string, signal: AbortSignal): Promise<UpstreamErrorResponse> {
  let text: string;
  try {
    text = redactKey(await readUpstreamText(upstream.body), apiKey);
  } catch (error) {
    throw upstreamFailure(error, signal, adapter.id);
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the adapter maps the status alone
  }
  const mapped = adapter.mapError(upstream.statusCode, body);
  const redacted = redactKeyDeep(mapped, apiKey);
  // The provider's header, else the delay its error body names (Gemini's RetryInfo).
  const header = upstream.headers["retry-after"];
  const retryAfter = typeof header === "string" ? header : mapped.retryAfterSeconds !== undefined ? String(mapped.retryAfterSeconds) : undefined;
  return new UpstreamErrorResponse(redacted, retryAfter ? { "retry-after": retryAfter } : {}, upstream.statusCode);
}
