// Pages of the request log for the management API and the CLI: newest first, in keyset
// pages on (created_at, id) (lib/pagination.ts). Every filter is an equality that leads
// one of request_logs' (column, created_at) indexes — key_id, provider, status, model —
// or, with none of them, the (created_at, latency_ms) index, so a page costs about
// `limit` index entries however large the log is. request_id has no index of its own
// until request_logs is partitioned (the unique (request_id, created_at) index); give a
// time range with it on a large log.
import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { getDb } from "@/lib/db/client";
import { keysetPage, type RecordPage } from "@/lib/pagination";
import { parseInput } from "@/lib/validation";
import { listRequestsQuery, type ListRequestsQuery, type RequestListItem } from "./request-list-schema";

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
