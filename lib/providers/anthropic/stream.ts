// Anthropic Messages SSE stream → OpenAI chat.completion.chunk objects, event by event.
// @see https://platform.claude.com/docs/en/build-with-claude/streaming
//
//   message_start                      → first chunk: role "assistant", content ""
//   content_block_start (text)         → nothing (its text arrives as deltas)
//   content_block_start (tool_use)     → tool_calls[{index, id, type, function.name, arguments ""}]
//   content_block_delta text_delta     → content fragment
//   content_block_delta input_json_delta → tool_calls[{index, function.arguments fragment}]
//   content_block_stop, ping           → nothing
//   message_delta                      → finish chunk (finish_reason), final usage recorded
//   message_stop                       → usage chunk (choices: []) when the client asked for it
//   error                              → error() is set; the gateway ends the stream with it
// Thinking blocks and event types added after this was written are skipped, as Anthropic's
// versioning policy allows new event types within a version.
import type { AdapterContext, MappedError, SseEvent, StreamConverter, Usage } from "../types";
import { mappedError } from "@/lib/gateway/errors";
import { buildChunk, buildUsageChunk, toOpenAIUsage, type ChatCompletionChunk } from "../openai-shapes";
import { isRecord } from "../provider-errors";
import { convertSseStream, type SseEventConverter } from "../sse";
import { mapStreamError } from "./errors";
import { mapFinishReason } from "./finish-reason";
import { convertUsage, mergeUsage } from "./usage";
import type { AnthropicUsage, StreamEvent } from "./wire-types";

export function createStreamConverter(ctx: AdapterContext, clientWantsUsage: boolean): StreamConverter {
  return convertSseStream(new AnthropicStreamConverter(ctx, clientWantsUsage));
}

class AnthropicStreamConverter implements SseEventConverter {
  /** The model that answered: the requested one until the stream names it. */
  private answered: string;
  private rawUsage: AnthropicUsage | null = null;
  private failure: MappedError | null = null;
  private started = false;
  private finished = false;
  private stopped = false;
  /** Anthropic content-block index → OpenAI tool_calls index. */
  private toolIndexByBlock = new Map<number, number>();

  constructor(
    private readonly ctx: AdapterContext,
    private readonly clientWantsUsage: boolean,
  ) {
    this.answered = ctx.model;
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    if (this.failure || this.stopped) return [];
    let data: StreamEvent;
    try {
      data = JSON.parse(event.data) as StreamEvent;
    } catch {
      this.failure = mappedError("upstream_bad_response", "Anthropic sent a stream event that is not JSON.");
      return [];
    }
    if (!isRecord(data)) return [];
    switch (data.type) {
      case "message_start":
        return this.start(data.message);
      case "content_block_start":
        return this.blockStart(data.index, data.content_block);
      case "content_block_delta":
        return this.blockDelta(data.index, data.delta);
      case "message_delta":
        if (isRecord(data.usage)) this.rawUsage = mergeUsage(this.rawUsage ?? {}, data.usage);
        if (data.delta && "stop_reason" in data.delta && data.delta.stop_reason) {
          this.finished = true;
          return [...this.ensureStarted(), buildChunk(this.ctx, this.answered, {}, mapFinishReason(data.delta.stop_reason))];
        }
        return [];
      case "message_stop":
        this.stopped = true;
        return this.clientWantsUsage && this.rawUsage ? [buildUsageChunk(this.ctx, this.answered, toOpenAIUsage(convertUsage(this.rawUsage)))] : [];
      case "error":
        this.failure = mapStreamError(isRecord(data.error) ? data.error : {});
        return [];
      default:
        return []; // ping, content_block_stop, future event types
    }
  }

  end(): ChatCompletionChunk[] {
    // A stream that closes before message_stop (and without an error event) was cut off.
    if (!this.stopped && !this.failure) {
      this.failure = mappedError("upstream_stream_error", "The Anthropic stream ended before the message was complete.");
    }
    return [];
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

  private start(message: unknown): ChatCompletionChunk[] {
    if (isRecord(message)) {
      if (typeof message.model === "string") this.answered = message.model;
      if (isRecord(message.usage)) this.rawUsage = mergeUsage(this.rawUsage ?? {}, message.usage);
    }
    return this.ensureStarted();
  }

  private ensureStarted(): ChatCompletionChunk[] {
    if (this.started) return [];
    this.started = true;
    return [buildChunk(this.ctx, this.answered, { role: "assistant", content: "" })];
  }

  private blockStart(index: number, block: unknown): ChatCompletionChunk[] {
    if (!isRecord(block) || block.type !== "tool_use") return [];
    const toolIndex = this.toolIndexByBlock.size;
    this.toolIndexByBlock.set(index, toolIndex);
    return [
      ...this.ensureStarted(),
      buildChunk(this.ctx, this.answered, {
        tool_calls: [{ index: toolIndex, id: String(block.id), type: "function", function: { name: String(block.name), arguments: "" } }],
      }),
    ];
  }

  private blockDelta(index: number, delta: unknown): ChatCompletionChunk[] {
    if (!isRecord(delta) || this.finished) return [];
    if (delta.type === "text_delta" && typeof delta.text === "string" && delta.text !== "") {
      return [...this.ensureStarted(), buildChunk(this.ctx, this.answered, { content: delta.text })];
    }
    if (delta.type === "input_json_delta" && typeof delta.partial_json === "string" && delta.partial_json !== "") {
      const toolIndex = this.toolIndexByBlock.get(index);
      if (toolIndex === undefined) return [];
      return [buildChunk(this.ctx, this.answered, { tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] })];
    }
    return [];
  }
}
