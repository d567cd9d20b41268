// OpenAI → gateway: the response is already in the client's format, so the body is
// returned as the very object it was (the gateway then sends the upstream bytes
// unchanged) and only the usage is read from it. Finish reasons need no mapping.
// @see https://platform.openai.com/docs/api-reference/chat/object
import type { AdapterContext, Usage } from "../types";
import { isRecord } from "../provider-errors";
import { convertUsage } from "./usage";

export function convertChatResponse(upstreamBody: unknown, _ctx: AdapterContext): { body: unknown; usage: Usage | null } {
  return { body: upstreamBody, usage: isRecord(upstreamBody) ? convertUsage(upstreamBody.usage) : null };
}
