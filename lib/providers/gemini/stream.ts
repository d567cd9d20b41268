// Gemini streamGenerateContent?alt=sse → OpenAI chat.completion.chunk objects, event by event.
// @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
//
// Each SSE event is a whole GenerateContentResponse holding the next piece of the answer:
//   first event                 → first chunk: role "assistant", content ""
//   text parts                  → content fragments (thought summaries skipped)
//   functionCall part           → tool_calls[{index, id, type, function.name, arguments ""}],
//                                 then tool_calls[{index, function.arguments}] (Gemini sends
//                                 each call whole, never in fragments)
//   candidate.finishReason      → finish chunk
//   promptFeedback.blockReason  → finish chunk with "content_filter" (prompt refused)
//   usageMetadata               → recorded (running totals; the last wins)
//   {"error": google.rpc.Status} → error(); the gateway ends the stream with it
// There is no end-of-stream event: the usage chunk (when asked for) is sent by end(), and a
// stream that closes without a finish reason was cut off.
import type { AdapterContext, FinishReason, MappedError, SseEvent, StreamConverter, Usage } from "../types";
import { mappedError } from "@/lib/gateway/errors";
import { buildChunk, buildUsageChunk, toOpenAIUsage, type ChatCompletionChunk } from "../openai-shapes";
import { isRecord } from "../provider-errors";
import { convertSseStream, type SseEventConverter } from "../sse";
import { mapStreamError } from "./errors";
import { isPromptBlocked, mapFinishReason } from "./finish-reason";
import { encodeToolCallId } from "./tool-call-id";
import { convertUsage, reasoningTokens } from "./usage";
import type { GenerateContentResponse, UsageMetadata } from "./wire-types";

export function createStreamConverter(ctx: AdapterContext, clientWantsUsage: boolean): StreamConverter {
  return convertSseStream(new GeminiStreamConverter(ctx, clientWantsUsage));
}

class GeminiStreamConverter implements SseEventConverter {
  /** The model that answered: the requested one until the stream names it. */
  private answered: string;
  private rawUsage: UsageMetadata | null = null;
  private failure: MappedError | null = null;
  private started = false;
  private finishReason: FinishReason | null = null;
  private toolCount = 0;

  constructor(
    private readonly ctx: AdapterContext,
    private readonly clientWantsUsage: boolean,
  ) {
    this.answered = ctx.model;
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    if (this.failure) return [];
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      this.failure = mappedError("upstream_bad_response", "Gemini sent a stream event that is not JSON.");
      return [];
    }
    if (!isRecord(data)) return [];
    if (isRecord(data.error)) {
      this.failure = mapStreamError(data.error);
      return [];
    }
    const response = data as GenerateContentResponse;
    if (typeof response.modelVersion === "string") this.answered = response.modelVersion;
    if (isRecord(response.usageMetadata)) this.rawUsage = response.usageMetadata;
    if (this.finishReason) return []; // anything after the finish chunk only updates usage

    const chunks: ChatCompletionChunk[] = [];
    this.ensureStarted(chunks);
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.thought) continue;
      if (typeof part.text === "string" && part.text !== "") chunks.push(buildChunk(this.ctx, this.answered, { content: part.text }));
      if (part.functionCall) {
        const index = this.toolCount++;
        const id = encodeToolCallId(`${this.ctx.requestId}_${index}`, { id: part.functionCall.id, signature: part.thoughtSignature });
        chunks.push(
          buildChunk(this.ctx, this.answered, { tool_calls: [{ index, id, type: "function", function: { name: part.functionCall.name, arguments: "" } }] }),
          buildChunk(this.ctx, this.answered, { tool_calls: [{ index, function: { arguments: JSON.stringify(part.functionCall.args ?? {}) } }] }),
        );
      }
    }
    if (candidate?.finishReason) this.finishReason = mapFinishReason(candidate.finishReason, this.toolCount > 0);
    else if (!candidate && isPromptBlocked(response.promptFeedback?.blockReason)) this.finishReason = "content_filter";
    if (this.finishReason) chunks.push(buildChunk(this.ctx, this.answered, {}, this.finishReason));
    return chunks;
  }

  end(): ChatCompletionChunk[] {
    if (this.failure) return [];
    if (!this.finishReason) {
      this.failure = mappedError("upstream_stream_error", "The Gemini stream ended before the answer was complete.");
      return [];
    }
    if (!this.clientWantsUsage || !this.rawUsage) return [];
    return [buildUsageChunk(this.ctx, this.answered, toOpenAIUsage(convertUsage(this.rawUsage), reasoningTokens(this.rawUsage)))];
  }

  usage(): Usage | null {
    return this.rawUsage ? convertUsage(this.rawUsage) : null;
  }

  error(): MappedError | null {
    return this.failure;
  }

  model(): string {
    return this.answered;
  }

  private ensureStarted(chunks: ChatCompletionChunk[]): void {
    if (this.started) return;
    this.started = true;
    chunks.push(buildChunk(this.ctx, this.answered, { role: "assistant", content: "" }));
  }
}
