// Gemini finishReason / promptFeedback.blockReason → OpenAI finish_reason.
// @see https://ai.google.dev/api/generate-content#FinishReason
// @see https://ai.google.dev/api/generate-content#BlockReason
import type { FinishReason } from "../types";

const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "LANGUAGE",
]);

/**
 * Gemini ends a function-calling answer with STOP, so whether tools were called decides
 * between "stop" and "tool_calls". Unknown or non-content reasons (OTHER,
 * MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, …) become "stop".
 */
export function mapFinishReason(finishReason: string | undefined, calledTools: boolean): FinishReason {
  if (finishReason === "MAX_TOKENS") return "length";
  if (finishReason && FILTERED.has(finishReason)) return "content_filter";
  return calledTools ? "tool_calls" : "stop";
}

/** A prompt Gemini refused to answer at all (no candidates) is reported as content_filter. */
export function isPromptBlocked(blockReason: string | undefined): boolean {
  return !!blockReason && blockReason !== "BLOCK_REASON_UNSPECIFIED";
}
