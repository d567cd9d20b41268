// Reads of the request log (table request_logs), one request at a time: the management
// API's and the CLI's pages, and the console's per-request views (a key's recent requests,
// the logs page's failed requests and their details). The statistics over many requests
// are lib/usage/queries.ts; the writes, lib/usage/writes.ts. Error messages are masked on
// the way out (lib/redact.ts).
import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";
import { keysetPage, type RecordPage } from "@/lib/pagination";
import { redactSecrets } from "@/lib/redact";
import { parseInput } from "@/lib/validation";
import { listRequestsQuery, type ListRequestsQuery, type RequestListItem } from "./request-list-schema";
import { isStreamFailure } from "./stats-shared";

// ---- the management API's and the CLI's pages -------------------------------------------
// Newest first, in keyset pages on (created_at, id) (lib/pagination.ts). Every filter is an
// equality that leads one of request_logs' (column, created_at) indexes — key_id,
// provider, status, model — or, with none of them, the (created_at, latency_ms) index, so
// a page costs about `limit` index entries however large the log is. request_id has no
// index of its own until request_logs is partitioned (the unique (request_id, created_at)
// index); give a time range with it on a large log.

interface Row {
  id: bigint;
  created_at: Date;
  request_id: string;
  key_id: string | null;
  key_prefix: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
  ttfb_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  client_ip: string | null;
  stream: boolean;
}

export async function listRequestLog(raw: ListRequestsQuery): Promise<RecordPage<RequestListItem>> {
  const q = parseInput(listRequestsQuery, raw);
  const where: Prisma.Sql[] = [];
  if (q.from) where.push(Prisma.sql`r.created_at >= ${q.from}`);
  if (q.to) where.push(Prisma.sql`r.created_at < ${q.to}`);
  // The first half bounds the index range; the second breaks ties on the same millisecond.
  if (q.cursor) where.push(Prisma.sql`r.created_at <= ${q.cursor.createdAt} AND (r.created_at < ${q.cursor.createdAt} OR r.id < ${q.cursor.id})`);
  if (q.keyId) where.push(Prisma.sql`r.key_id = ${q.keyId}`);
  if (q.model) where.push(Prisma.sql`r.model = ${q.model}`);
  if (q.provider) where.push(Prisma.sql`r.provider = ${q.provider}`);
  if (q.status !== undefined) where.push(Prisma.sql`r.status = ${q.status}`);
  if (q.requestId) where.push(Prisma.sql`r.request_id = ${q.requestId}`);
  const rows = await getDb().$queryRaw<Row[]>`
    SELECT r.id, r.created_at, r.request_id, r.key_id, k.prefix AS key_prefix, r.model, r.provider, r.status, r.error_code,
           r.latency_ms, r.ttfb_ms, r.prompt_tokens, r.completion_tokens, r.client_ip, r.stream
    FROM request_logs r LEFT JOIN api_keys k ON k.id = r.key_id
    ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT ${q.limit + 1}`;
  return keysetPage(rows, q.limit, toItem);
}

function toItem(r: Row): RequestListItem {
  return {
    requestId: r.request_id,
    createdAt: r.created_at.toISOString(),
    keyId: r.key_id,
    keyPrefix: r.key_prefix,
    model: r.model,
    provider: r.provider,
    status: r.status,
    errorCode: r.error_code,
    latencyMs: r.latency_ms,
    ttfbMs: r.ttfb_ms,
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    clientIp: r.client_ip,
    stream: r.stream,
  };
}

// ---- the console ------------------------------------------------------------------------

export interface RequestLogView {
  id: string;
  createdAt: string;
  requestId: string;
  keyId: string | null;
  keyName: string | null;
  method: string;
  path: string;
  model: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  /** Redacted. */
  errorMessage: string | null;
  latencyMs: number;
  ttfbMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  clientIp: string | null;
  stream: boolean;
}

const requestLogSelect = {
  id: true,
  createdAt: true,
  requestId: true,
  keyId: true,
  method: true,
  path: true,
  model: true,
  provider: true,
  status: true,
  errorCode: true,
  errorMessage: true,
  latencyMs: true,
  ttfbMs: true,
  promptTokens: true,
  completionTokens: true,
  cachedTokens: true,
  clientIp: true,
  stream: true,
  key: { select: { name: true } },
} satisfies Prisma.RequestLogSelect;

function toRequestLogView(row: Prisma.RequestLogGetPayload<{ select: typeof requestLogSelect }>): RequestLogView {
  const { key, id, createdAt, errorMessage, ...rest } = row;
  return { ...rest, id: id.toString(), createdAt: createdAt.toISOString(), errorMessage: redactSecrets(errorMessage), keyName: key?.name ?? null };
}

export async function listRecentRequests(keyId: string, limit = 20): Promise<RequestLogView[]> {
  const rows = await getDb().requestLog.findMany({
    where: { keyId },
    select: requestLogSelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(toRequestLogView);
}

export async function getRequestLog(id: bigint): Promise<RequestLogView | null> {
  // id is unique by its sequence, though the partitioned table's key is (id, created_at).
  const row = await getDb().requestLog.findFirst({ where: { id }, select: requestLogSelect });
  return row ? toRequestLogView(row) : null;
}

export interface RequestErrorFilter {
  from: Date;
  to: Date;
  level?: "warn" | "error";
  keyId?: string;
  text?: string;
  /** Any of these request_logs.error_code values. */
  codes?: string[];
}

// A 200 whose stream broke midway: the client saw an error event (lib/gateway/stream.ts).
const STREAM_FAILED: Prisma.RequestLogWhereInput = { status: { lt: 400 }, AND: [{ errorCode: { not: null } }, { errorCode: { not: "client_closed_request" } }] };

/** Failed requests newest first: 5xx and broken streams are errors, 4xx warnings. */
export async function listRequestErrors(f: RequestErrorFilter, take: number): Promise<RequestLogView[]> {
  const failed: Prisma.RequestLogWhereInput =
    f.level === "error"
      ? { OR: [{ status: { gte: 500 } }, STREAM_FAILED] }
      : f.level === "warn"
        ? { status: { gte: 400, lt: 500 } }
        : { OR: [{ status: { gte: 400 } }, STREAM_FAILED] };
  const where: Prisma.RequestLogWhereInput = {
    createdAt: { gte: f.from, lt: f.to },
    AND: [
      failed,
      ...(f.text
        ? [
            {
              OR: [
                { errorMessage: { contains: f.text, mode: "insensitive" } },
                { errorCode: { contains: f.text, mode: "insensitive" } },
                { model: { contains: f.text, mode: "insensitive" } },
                { requestId: f.text },
                { clientIp: f.text },
              ],
            } satisfies Prisma.RequestLogWhereInput,
          ]
        : []),
    ],
    ...(f.keyId ? { keyId: f.keyId } : {}),
    ...(f.codes ? { errorCode: { in: f.codes } } : {}),
  };
  const rows = await getDb().requestLog.findMany({ where, select: requestLogSelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  return rows.map(toRequestLogView);
}

/** The level a failed request is listed with in the logs. */
export function requestLevel(r: Pick<RequestLogView, "status" | "errorCode">): "warn" | "error" {
  return r.status >= 500 || isStreamFailure(r.status, r.errorCode) ? "error" : "warn";
}
