// The contract between the gateway (lib/gateway) and each provider adapter
// (lib/providers/<openai|anthropic|gemini>/, the same files and function names in each).
// The gateway owns HTTP, limits, timeouts, the stream pump, the error vocabulary and usage
// records; an adapter only converts between OpenAI's chat-completions format and its
// provider's wire format, and maps its provider's failures onto the gateway's codes.
import type { MappedError } from "@/lib/gateway/errors";

export type ProviderId = "openai" | "anthropic" | "gemini";

/** One usage shape for every provider. Each adapter documents what it counts. */
export interface Usage {
  /** Prompt tokens, including cached ones (OpenAI's prompt_tokens). */
  inputTokens: number;
  /** Generated tokens, including reasoning tokens (OpenAI's completion_tokens). */
  outputTokens: number;
  /** Part of inputTokens served from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Tokens written to the provider's prompt cache (Anthropic), part of inputTokens. */
  cacheWriteTokens?: number;
}

export type { FinishReason } from "./openai/finish-reason";

// Errors are the gateway's vocabulary (lib/gateway/errors.ts): an adapter maps every failure
// to one of its codes, and cannot make one up.
export { MappedErrorException, type AdapterErrorCode, type MappedError, type OpenAIErrorBody } from "@/lib/gateway/errors";

/**
 * The request body as the client sent it, after the gateway validated the few fields it
 * needs (model, messages, stream). Everything else passes through untouched for OpenAI;
 * other adapters convert what they support and drop or refuse the rest consistently.
 */
export interface ChatRequest {
  model: string;
  messages: unknown[];
  stream?: boolean;
  [field: string]: unknown;
}

/** What to send upstream. The gateway adds nothing but its own timeouts and abort signal. */
export interface UpstreamRequest {
  /** Absolute URL. */
  url: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body?: string;
}

export interface AdapterContext {
  /** The provider's API key from the server's configuration. Never echoed anywhere. */
  apiKey: string;
  /** Provider base URL from configuration, without a trailing slash. */
  baseUrl: string;
  /** The model name the provider should see (the "provider/" prefix removed). */
  model: string;
  /** A request id for generated ids and logs (e.g. chatcmpl-<id>). */
  requestId: string;
  /** Unix seconds for the `created` field. */
  created: number;
}

/** A server-sent event as read off the upstream connection. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * What a stream converter hands the gateway's pump (lib/gateway/stream.ts) for one piece of
 * the upstream body, or at its end. A pass-through converter (the provider already speaks
 * OpenAI's stream format) returns bytes; a converting one returns chunks, which the pump
 * writes as `data:` events. The pump knows no more about the provider than this.
 */
export interface StreamOutput {
  /** Bytes to send as they are. */
  bytes?: Uint8Array;
  /** OpenAI chat.completion.chunk objects, sent in order, one event each. */
  chunks?: readonly unknown[];
  /** end() only: the answer is complete and its `data: [DONE]` was not in `bytes`: the pump sends it. */
  done?: boolean;
  /**
   * The stream failed. The pump sends what is above, then `failure.body.error` as the last
   * event, ends the response, stops the upstream and records the failure.
   */
  failure?: MappedError;
  /** The failure is the provider's own error event, already in `bytes`: recorded, not sent again. */
  failureSent?: boolean;
}

/**
 * Converts one upstream stream for the client, keeping per-stream state; created once per
 * request. The pump feeds it the upstream body as read, in pieces split anywhere.
 */
export interface StreamConverter {
  /** What to send for the next piece of the upstream body (often nothing: an event split across reads). */
  push(chunk: Uint8Array): StreamOutput;
  /** The upstream body ended: what is left to send, and whether the answer is complete. */
  end(): StreamOutput;
  /** Usage seen so far (complete after end()). */
  usage(): Usage | null;
  /** The model that answered as the stream names it (for the usage record); null or the requested one until then. */
  model(): string | null;
}

export interface ProviderAdapter {
  id: ProviderId;
  /** Whether a bare model name belongs to this provider (gpt-*, claude-*, gemini-* …). */
  ownsModel(model: string): boolean;
  /**
   * Builds the upstream call. `stream` asks for a streamed response; for OpenAI the
   * adapter also asks for the final usage chunk (stream_options.include_usage).
   * Throws a MappedErrorException for requests the provider cannot honour.
   */
  buildChatRequest(request: ChatRequest, ctx: AdapterContext): UpstreamRequest;
  /** Converts a successful non-streamed upstream body into an OpenAI chat.completion. */
  convertChatResponse(upstreamBody: unknown, ctx: AdapterContext): { body: unknown; usage: Usage | null };
  /** A converter for a successful streamed response; `clientWantsUsage`: stream_options.include_usage. */
  createStreamConverter(ctx: AdapterContext, clientWantsUsage: boolean): StreamConverter;
  /** Maps an upstream error response (status and parsed body, or raw text) to OpenAI's shape. */
  mapError(status: number, body: unknown): MappedError;
  /** The upstream call that lists models, and how to read its answer into bare model ids. */
  buildListModelsRequest(ctx: Omit<AdapterContext, "model" | "requestId" | "created">): UpstreamRequest;
  parseModelList(upstreamBody: unknown): string[];
}
