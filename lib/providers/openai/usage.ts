// OpenAI usage → the gateway's Usage. What counts:
//   inputTokens       = prompt_tokens (cached tokens included; they are also in cachedInputTokens)
//   outputTokens      = completion_tokens (reasoning and audio tokens included)
//   cachedInputTokens = prompt_tokens_details.cached_tokens
// @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
import type { Usage } from "../types";
import { isRecord } from "../provider-errors";
import type { CompletionUsage } from "./wire-types";

/** Reads a usage object as OpenAI sends it; null for anything else (`"usage": null` on stream chunks). */
export function convertUsage(raw: unknown): Usage | null {
  if (!isRecord(raw)) return null;
  const u = raw as Partial<CompletionUsage>;
  if (typeof u.prompt_tokens !== "number" || typeof u.completion_tokens !== "number") return null;
  const usage: Usage = { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens };
  const cached = u.prompt_tokens_details?.cached_tokens;
  if (typeof cached === "number") usage.cachedInputTokens = cached;
  return usage;
}
