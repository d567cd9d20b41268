// OpenAI → gateway: the response is already in the client's format, so the body is
// returned as the very object it was (the gateway then sends the upstream bytes
// unchanged) and only the usage is read from it. Stop reasons need no mapping.
// @see https://platform.openai.com/docs/api-reference/chat/object
// @see https://platform.openai.com/docs/api-reference/models/list
import type { AdapterContext, Usage } from "../types";
import { toUsage } from "./usage";

export function convertChatResponse(upstreamBody: unknown, _ctx: AdapterContext): { body: unknown; usage: Usage | null } {
  const usage = upstreamBody && typeof upstreamBody === "object" ? toUsage((upstreamBody as { usage?: unknown }).usage) : null;
  return { body: upstreamBody, usage };
}

export function parseModelList(upstreamBody: unknown): string[] {
  const data = upstreamBody && typeof upstreamBody === "object" ? (upstreamBody as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) return [];
  return data.map((m) => (m && typeof m === "object" ? (m as { id?: unknown }).id : undefined)).filter((id): id is string => typeof id === "string");
}
