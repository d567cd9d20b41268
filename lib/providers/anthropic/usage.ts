// Anthropic usage → the gateway's Usage.
// @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance
//
// What counts where: Anthropic's `input_tokens` counts only the uncached prompt tokens after
// the last cache breakpoint; tokens read from the cache (`cache_read_input_tokens`) and
// tokens written to it (`cache_creation_input_tokens`) are reported separately. OpenAI's
// prompt_tokens includes cached tokens, so
//   inputTokens       = input_tokens + cache_creation_input_tokens + cache_read_input_tokens
//   cachedInputTokens = cache_read_input_tokens      (OpenAI's prompt_tokens_details.cached_tokens)
//   cacheWriteTokens  = cache_creation_input_tokens
//   outputTokens      = output_tokens                (includes extended-thinking tokens)
import type { Usage } from "../types";
import type { AnthropicUsage } from "./wire-types";

export function convertUsage(usage: AnthropicUsage): Usage {
  const fresh = usage.input_tokens ?? 0;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: fresh + cacheRead + cacheWrite,
    outputTokens: usage.output_tokens ?? 0,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}

/**
 * In a stream, message_start carries the prompt counts and message_delta the final,
 * cumulative counts; a field message_delta leaves out (or sends as null) keeps its earlier value.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export function mergeUsage(earlier: AnthropicUsage, later: AnthropicUsage): AnthropicUsage {
  const merged: AnthropicUsage = { ...earlier };
  for (const key of ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"] as const) {
    const value = later[key];
    if (typeof value === "number") merged[key] = value;
  }
  return merged;
}
