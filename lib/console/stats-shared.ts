// Definitions shared by the usage queries (server) and the chart shaping / tables (either side).

/**
 * How a status counts. Refusals are the gateway saying no to a key (401 unknown, disabled
 * or expired key; 403 quota, IP or model); rate limits are 429; everything else ≥ 400 is an error.
 */
export const STATUS_CLASSES = ["success", "refused", "rate_limited", "client_error", "server_error"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

export function statusClass(status: number): StatusClass {
  if (status < 400) return "success";
  if (status === 401 || status === 403) return "refused";
  if (status === 429) return "rate_limited";
  return status < 500 ? "client_error" : "server_error";
}

/** Upper edges (ms) of the latency histogram's bars; the last bar is open-ended. */
export const LATENCY_EDGES_MS = [100, 250, 500, 1000, 2000, 5000, 10000, 30000] as const;
