// Gemini GenerateContentResponse → OpenAI chat.completion.
// @see https://ai.google.dev/api/generate-content#generatecontentresponse
// The first candidate is the answer (n is always 1). Text parts are concatenated, thought
// summaries skipped, and functionCall parts become tool_calls whose ids carry Gemini's call
// id and thought signature (see tool-call-id.ts). A prompt Gemini blocked outright has no
// candidate: it is answered with empty content and finish_reason "content_filter".
import { mappedError, MappedErrorException } from "@/lib/gateway/errors";
import type { AdapterContext, Usage } from "../types";
import { completionId, toOpenAIUsage, type ChatCompletion, type OpenAIToolCall } from "../openai-shapes";
import { isRecord } from "../provider-errors";
import { isPromptBlocked, mapFinishReason } from "./finish-reason";
import { encodeToolCallId } from "./tool-call-id";
import { convertUsage, reasoningTokens } from "./usage";
import type { GenerateContentResponse, Part } from "./wire-types";

export function convertChatResponse(upstreamBody: unknown, ctx: AdapterContext): { body: ChatCompletion; usage: Usage | null } {
  if (!isRecord(upstreamBody)) {
    throw new MappedErrorException(mappedError("upstream_bad_response", "Gemini returned a response that is not a GenerateContentResponse."));
  }
  const response = upstreamBody as GenerateContentResponse;
  const candidate = response.candidates?.[0];
  const parts: Part[] = Array.isArray(candidate?.content?.parts) ? candidate.content.parts : [];

  let text = "";
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of parts) {
    if (part.thought) continue;
    if (typeof part.text === "string") text += part.text;
    if (part.functionCall) {
      toolCalls.push({
        id: encodeToolCallId(`${ctx.requestId}_${toolCalls.length}`, { id: part.functionCall.id, signature: part.thoughtSignature }),
        type: "function",
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
      });
    }
  }

  const blocked = !candidate && isPromptBlocked(response.promptFeedback?.blockReason);
  const finishReason = blocked ? "content_filter" : mapFinishReason(candidate?.finishReason, toolCalls.length > 0);
  const usage = isRecord(response.usageMetadata) ? convertUsage(response.usageMetadata) : null;
  const body: ChatCompletion = {
    id: completionId(ctx),
    object: "chat.completion",
    created: ctx.created,
    model: response.modelVersion ?? ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text === "" && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
  };
  if (usage && response.usageMetadata) body.usage = toOpenAIUsage(usage, reasoningTokens(response.usageMetadata));
  return { body, usage };
}
