// The parts of OpenAI's chat-completions wire format this adapter reads. Requests and
// answers pass through otherwise untouched, so only what the gateway looks at is here:
// usage (for records), the model that answered, the model list, and error bodies.
// @see https://platform.openai.com/docs/api-reference/chat/object
// @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
// @see https://platform.openai.com/docs/api-reference/models/list
// @see https://platform.openai.com/docs/guides/error-codes
import { z } from "zod";
import { lenient } from "../provider-errors";

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null;
}

/** What the gateway reads of a chat.completion and of a chat.completion.chunk. */
export interface CompletionEnvelope {
  model?: string;
  /** A stream's usage chunk has none: `choices: []`. */
  choices?: unknown[];
  /** Streams: null on every chunk but the usage chunk (stream_options.include_usage). */
  usage?: CompletionUsage | null;
}

export interface ModelListResponse {
  object: "list";
  data: { id: string; object: "model"; created?: number; owned_by?: string }[];
}

/**
 * The error object of an error response (`{"error": {…}}`) and of an error event inside a
 * stream. Read leniently: a field of another type counts as absent. `code` is a string for
 * OpenAI's own errors, a number for Cloudflare's in front of the API (502 cf_bad_gateway).
 */
export const errorObject = z.object({
  message: lenient(z.string()),
  type: lenient(z.string()),
  param: lenient(z.string().nullable()),
  code: lenient(z.union([z.string(), z.number()]).nullable()),
});

export const errorBody = z.object({ error: errorObject });
