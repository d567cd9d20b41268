// Gemini usageMetadata → the gateway's Usage.
// @see https://ai.google.dev/api/generate-content#UsageMetadata
//
// What counts where:
//   inputTokens       = promptTokenCount (includes cachedContentTokenCount)
//                       + toolUsePromptTokenCount (input read by server-side tools, billed as input)
//   cachedInputTokens = cachedContentTokenCount  (OpenAI's prompt_tokens_details.cached_tokens)
//   outputTokens      = candidatesTokenCount + thoughtsTokenCount
//                       (OpenAI's completion_tokens includes reasoning tokens; Gemini reports
//                       thinking separately, so it is added back)
//   reasoning tokens  = thoughtsTokenCount (completion_tokens_details.reasoning_tokens)
// Streamed chunks repeat usageMetadata with running totals; the last one seen wins.
import type { Usage } from "../types";
import type { UsageMetadata } from "./wire-types";

export function convertUsage(usage: UsageMetadata): Usage {
  const converted: Usage = {
    inputTokens: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0),
    outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
  };
  converted.cachedInputTokens = usage.cachedContentTokenCount ?? 0;
  return converted;
}

export function reasoningTokens(usage: UsageMetadata): number | undefined {
  return usage.thoughtsTokenCount ?? undefined;
}
