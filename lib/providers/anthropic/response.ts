// Anthropic Message → OpenAI chat.completion.
// @see https://platform.claude.com/docs/en/api/messages/create (response body)
// Text blocks are concatenated into `content`; tool_use blocks become `tool_calls` with
// Anthropic's ids (toolu_…) kept, so the client's tool messages map straight back.
// Thinking blocks and server-tool blocks have no chat-completions field and are left out.
import { mappedError, MappedErrorException } from "@/lib/gateway/errors";
import type { AdapterContext, Usage } from "../types";
import { completionId, toOpenAIUsage, type ChatCompletion, type OpenAIToolCall } from "../openai-shapes";
import { isRecord } from "../provider-errors";
import { mapFinishReason } from "./finish-reason";
import { convertUsage } from "./usage";
import type { MessageResponse } from "./wire-types";

export function convertChatResponse(upstreamBody: unknown, ctx: AdapterContext): { body: ChatCompletion; usage: Usage | null } {
  if (!isRecord(upstreamBody) || !Array.isArray(upstreamBody.content)) {
    throw new MappedErrorException(mappedError("upstream_bad_response", "Anthropic returned a response that is not a message."));
  }
  const message = upstreamBody as unknown as MessageResponse;
  let text = "";
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of message.content) {
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "tool_use") {
      toolCalls.push({
        id: String(block.id),
        type: "function",
        function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const finishReason = mapFinishReason(message.stop_reason);
  const usage = isRecord(message.usage) ? convertUsage(message.usage) : null;
  const refused = message.stop_reason === "refusal";
  const body: ChatCompletion = {
    id: completionId(ctx),
    object: "chat.completion",
    created: ctx.created,
    model: typeof message.model === "string" ? message.model : ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text === "" && toolCalls.length > 0 ? null : text,
          refusal: refused ? text || "The model declined to answer." : null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
  };
  if (usage) body.usage = toOpenAIUsage(usage);
  return { body, usage };
}
