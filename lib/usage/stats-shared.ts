// Definitions shared by the usage queries (server) and the chart shaping / tables (either side).

export const STATUS_CLASSES = ["success", "refused", "rate_limited", "client_error", "server_error"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** What a request's record says about its outcome besides the status. */
export interface OutcomeFacts {
  /**
   * A provider was chosen (request_logs.provider is set). The gateway refuses before it
   * routes (key, IP, model, limits), so a 401/403/429 with a provider is the provider's
   * answer to the gateway's own credentials or account, not a refusal of the caller.
   */
  upstream?: boolean;
  /** A 200 whose stream broke after it had started (error_code set, not client_closed_request). */
  streamFailed?: boolean;
}

// Provider answers about the gateway's account (credentials, billing, its rate limits).
const UPSTREAM_ACCOUNT_STATUSES = new Set([401, 402, 403, 429]);

/**
 * How a request counts. Refusals are the gateway saying no to a key (401 unknown, disabled
 * or expired key; 403 quota, IP or model); rate limits are the gateway's 429; a provider's
 * 401/402/403/429 and a stream that failed midway are upstream errors; anything else ≥ 400
 * is a client error below 500 and a server error from 500.
 */
export function statusClass(status: number, facts: OutcomeFacts = {}): StatusClass {
  if (status < 400) return facts.streamFailed ? "server_error" : "success";
  if (facts.upstream && UPSTREAM_ACCOUNT_STATUSES.has(status)) return "server_error";
  if (!facts.upstream && (status === 401 || status === 403)) return "refused";
  if (!facts.upstream && status === 429) return "rate_limited";
  return status < 500 ? "client_error" : "server_error";
}

/** A stream that broke after its 200 (the client saw an error event), from request_logs columns. */
export function isStreamFailure(status: number, errorCode: string | null): boolean {
  return status < 400 && errorCode !== null && errorCode !== "client_closed_request";
}

/** Upper edges (ms) of the latency histogram's bars; the last bar is open-ended. */
export const LATENCY_EDGES_MS = [100, 250, 500, 1000, 2000, 5000, 10000, 30000] as const;
