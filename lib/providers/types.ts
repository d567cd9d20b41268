// The contract between the gateway (lib/gateway) and each provider adapter
// (lib/providers/<openai|anthropic|gemini>/). The gateway owns HTTP, limits, timeouts,
// SSE framing and usage records; an adapter only converts between OpenAI's
// chat-completions format and its provider's wire format.

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

/** OpenAI's error body, the only error shape /v1 ever returns. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error mapped to what the gateway sends its client. */
export interface MappedError {
  status: number;
  body: OpenAIErrorBody;
  /**
   * Seconds the provider asked the caller to wait, read from its error body (Gemini's
   * RetryInfo); the gateway sends it as Retry-After when the upstream sent no such header.
   */
  retryAfterSeconds?: number;
}

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
 * Converts one upstream stream into OpenAI `chat.completion.chunk` objects, event by
 * event, keeping per-stream state. Created once per request.
 */
export interface StreamConverter {
  /** Chunks to send for one upstream event, in order; often none (e.g. ping). */
  push(event: SseEvent): unknown[];
  /**
   * Called once when the upstream stream ended normally. Returns trailing chunks (e.g.
   * the finish chunk or a usage chunk when the provider sends usage last).
   */
  end(): unknown[];
  /** Usage seen so far (complete after end()). */
  usage(): Usage | null;
  /**
   * A provider error reported inside the stream (Anthropic's `error` event, Gemini's
   * error object), mapped to OpenAI's shape; null while none has been seen. After one is
   * seen the gateway ends the stream with it as an error event.
   */
  error(): MappedError | null;
  /** The model that answered as the stream names it (for the usage record); until then the requested one. */
  model(): string;
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
  /** A converter for a successful streamed response. Null means: pass the bytes through (OpenAI). */
  createStreamConverter(ctx: AdapterContext, clientWantsUsage: boolean): StreamConverter | null;
  /** Maps an upstream error response (status and parsed body, or raw text) to OpenAI's shape. */
  mapError(status: number, body: unknown): MappedError;
  /** The upstream call that lists models, and how to read its answer into bare model ids. */
  buildListModelsRequest(ctx: Omit<AdapterContext, "model" | "requestId" | "created">): UpstreamRequest;
  parseModelList(upstreamBody: unknown): string[];
}

/** Thrown by adapters for input their provider cannot honour; the gateway sends it as is. */
export class MappedErrorException extends Error {
  constructor(readonly mapped: MappedError) {
    super(mapped.body.error.message);
  }
}

export function openAIError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): MappedError {
  return { status, body: { error: { message, type, param, code } } };
}

/**
 * The provider refused the gateway's own credentials. Every adapter answers this the same
 * way: the client's key is fine and retrying cannot help, so it is a 502 that names the
 * variable to fix, never a 401 (which an OpenAI client reads as "your key is wrong").
 */
export function providerAuthError(provider: string, keyVariable: string): MappedError {
  return openAIError(
    502,
    `The gateway's ${provider} credentials were refused by ${provider}; ask the gateway's administrator to check ${keyVariable}.`,
    "upstream_error",
    "upstream_auth_failed",
  );
}

/**
 * How a provider's own failure (an HTTP 5xx, or the same reported inside a stream) reaches
 * the client, for every adapter: never as our 500, always with the provider's message.
 * lib/gateway/errors.ts has both codes in its table, which decides status, type and event.
 */
export const UPSTREAM_FAILURES = {
  /** 500, 502, 504, any other 5xx: the provider failed; the client's request may be fine. */
  failed: { status: 502, type: "upstream_error", code: "upstream_error" },
  /** 503, and Anthropic's 529 overloaded_error: the provider is busy; worth a retry later. */
  overloaded: { status: 503, type: "upstream_error", code: "upstream_overloaded" },
} as const;

/** The failure an upstream HTTP status of 500 or more means. */
export function upstreamFailureFor(status: number): (typeof UPSTREAM_FAILURES)[keyof typeof UPSTREAM_FAILURES] {
  return status === 503 || status === 529 ? UPSTREAM_FAILURES.overloaded : UPSTREAM_FAILURES.failed;
}
