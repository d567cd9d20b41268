// Anthropic stop_reason → OpenAI finish_reason.
// @see https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons
import type { FinishReason } from "../types";

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  // The answer filled the model's context window: truncated, like max_tokens.
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
  // A server-tool loop paused; the text so far is a complete turn for an OpenAI client.
  pause_turn: "stop",
};

/** Unknown future values become "stop" rather than failing a finished answer. */
export function mapFinishReason(stopReason: string | null | undefined): FinishReason {
  return (stopReason && STOP_REASONS[stopReason]) || "stop";
}
