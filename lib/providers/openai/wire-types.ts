// The parts of OpenAI's chat-completions wire format this adapter reads. Requests and
// answers pass through otherwise untouched, so only what the gateway looks at is here:
// usage (for records), the model that answered, the model list, and error bodies.
// @see https://platform.openai.com/docs/api-reference/chat/object
// @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
// @see https://platform.openai.com/docs/api-reference/models/list

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
