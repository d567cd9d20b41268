// Relaying a streamed completion to the client. Two modes:
//  - pass-through (OpenAI): upstream bytes go out unchanged, event by event as each
//    event's blank line arrives (an incomplete trailing event is held until it is
//    complete, so an error event can never be glued to half an event). The events are
//    parsed on the side only to read the usage chunk, and that chunk is removed when the
//    client did not ask for it (the gateway asked upstream for it);
//  - converted (other providers): each upstream event goes through the adapter's
//    StreamConverter and OpenAI chunks are written, ending in `data: [DONE]`.
// After the 200 has started, an upstream failure (reset, idle timeout, premature end,
// an error reported by the provider) ends the stream with one OpenAI-shaped error event
// and a clean end of the response. `onEnd` runs exactly once, however the stream ends:
// completed, failed, or cancelled because the client went away (which aborts upstream).
import { SseParser, parseSse, sseData } from "@/lib/providers/sse";
import { toUsage } from "@/lib/providers/openai/usage";
import type { MappedError, SseEvent, StreamConverter, Usage } from "@/lib/providers/types";
import { GatewayError, type ErrorOutcome } from "./errors";

export interface StreamEnd {
  outcome: "completed" | "failed" | "client_closed";
  usage: Usage | null;
  /** Why a failed stream failed (recorded; already sent to the client as an error event). */
  error: { code: string; message: string } | null;
}

export interface RelayOptions {
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown };
  /** Null: OpenAI pass-through. */
  converter: StreamConverter | null;
  /** Pass-through only: drop the usage-only chunk (the client did not ask for usage). */
  dropUsageChunk: boolean;
  /** Maps a failure reading the upstream body (timeouts, resets). */
  describeFailure: (error: unknown) => ErrorOutcome;
  abortUpstream: () => void;
  onFirstChunk?: () => void;
  onEnd: (end: StreamEnd) => void;
}

const encoder = new TextEncoder();

export function errorEvent(error: { message: string; type: string; code: string | null; param?: string | null }): Uint8Array {
  return encoder.encode(sseData({ error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } }));
}

export function relayStream(options: RelayOptions): ReadableStream<Uint8Array> {
  const iterator = options.body[Symbol.asyncIterator]();
  const step = options.converter ? convertedStep(options.converter) : passThroughStep(options.dropUsageChunk);
  let ended = false;
  let first = true;
  const end = (result: StreamEnd) => {
    if (ended) return;
    ended = true;
    options.onEnd(result);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { value, done } = await iterator.next();
          if (ended) return; // cancelled while waiting
          if (first && !done) {
            first = false;
            options.onFirstChunk?.();
          }
          const out = done ? step.finish() : step.push(value);
          if (out.bytes) controller.enqueue(out.bytes);
          if (out.failure) {
            controller.enqueue(errorEvent(out.failure.error));
            controller.close();
            options.abortUpstream();
            return end({ outcome: "failed", usage: step.usage(), error: { code: out.failure.code, message: out.failure.error.message } });
          }
          if (done) {
            controller.close();
            const reported = step.reportedError();
            return end({ outcome: reported ? "failed" : "completed", usage: step.usage(), error: reported });
          }
          if (out.bytes) return;
        }
      } catch (error) {
        if (ended) return;
        const failure = options.describeFailure(error);
        controller.enqueue(errorEvent(failure.body.error));
        controller.close();
        options.abortUpstream();
        end({ outcome: "failed", usage: step.usage(), error: { code: failure.code, message: failure.body.error.message } });
      }
    },
    cancel() {
      end({ outcome: "client_closed", usage: step.usage(), error: null });
      options.abortUpstream();
      options.body.destroy();
    },
  });
}

interface StepResult {
  bytes?: Uint8Array;
  /** The stream must end with this error event. */
  failure?: { code: string; error: MappedError["body"]["error"] };
}

interface Step {
  push(chunk: Uint8Array): StepResult;
  finish(): StepResult;
  usage(): Usage | null;
  /** An error event the provider sent and that was passed through as it was. */
  reportedError(): { code: string; message: string } | null;
}

const incomplete = (message: string): StepResult => {
  const e = new GatewayError("upstream_stream_error", message);
  return { failure: { code: e.code, error: { message: e.message, type: "upstream_error", param: null, code: e.code } } };
};

/** Index just past the last blank line (end of the last complete event), or -1. */
export function lastEventEnd(buf: Buffer): number {
  const lf = buf.lastIndexOf("\n\n");
  const crlf = buf.lastIndexOf("\r\n\r\n");
  const cr = buf.lastIndexOf("\r\r");
  return Math.max(lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 4, cr < 0 ? -1 : cr + 2);
}

function passThroughStep(dropUsageChunk: boolean): Step {
  const parser = new SseParser();
  let held: Buffer | null = null;
  let usage: Usage | null = null;
  let sawDone = false;
  let reported: { code: string; message: string } | null = null;

  // Returns true for the usage-only chunk (empty choices) that is to be dropped.
  const inspect = (event: SseEvent): boolean => {
    const data = event.data;
    if (data === "[DONE]") {
      sawDone = true;
      return false;
    }
    // Every chunk carries "usage":null once include_usage is on; parse only the one with numbers.
    if (data.includes('"usage"') && !data.includes('"usage":null')) {
      const chunk = safeParse(data) as { usage?: unknown; choices?: unknown } | null;
      const found = chunk ? toUsage(chunk.usage) : null;
      if (found) {
        usage = found;
        return dropUsageChunk && Array.isArray(chunk!.choices) && chunk!.choices.length === 0;
      }
    }
    if (data.startsWith('{"error"')) {
      const parsed = safeParse(data) as { error?: { message?: unknown; code?: unknown } } | null;
      if (parsed?.error) {
        const code = typeof parsed.error.code === "string" ? parsed.error.code : "upstream_stream_error";
        reported = { code, message: String(parsed.error.message ?? "upstream error") };
      }
    }
    return false;
  };

  const emit = (complete: Buffer): StepResult => {
    const text = complete.toString("utf8");
    let drop = false;
    for (const event of parser.push(text)) if (inspect(event)) drop = true;
    if (!drop) return { bytes: complete };
    const kept = text.split(/(?<=\r\n\r\n|\n\n|\r\r)/).filter((frame) => !parseSse(frame).some((e) => isUsageOnly(e.data)));
    return kept.length ? { bytes: Buffer.from(kept.join(""), "utf8") } : {};
  };

  return {
    push(chunk) {
      const buf: Buffer = held ? Buffer.concat([held, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const endAt = lastEventEnd(buf);
      if (endAt < 0) {
        held = buf;
        return {};
      }
      held = endAt < buf.length ? buf.subarray(endAt) : null;
      return emit(endAt === buf.length ? buf : buf.subarray(0, endAt));
    },
    finish() {
      // An event the upstream did not terminate with a blank line still counts.
      const out = held?.length ? emit(held) : {};
      held = null;
      for (const event of parser.end()) inspect(event);
      if (!sawDone && !reported) return { ...out, ...incomplete("The upstream stream ended before it was complete.") };
      return out;
    },
    usage: () => usage,
    reportedError: () => reported,
  };
}

function isUsageOnly(data: string): boolean {
  if (!data.includes('"usage"')) return false;
  const chunk = safeParse(data) as { usage?: unknown; choices?: unknown } | null;
  return !!chunk && toUsage(chunk.usage) !== null && Array.isArray(chunk.choices) && chunk.choices.length === 0;
}

function convertedStep(converter: StreamConverter): Step {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const frames = (chunks: unknown[]) => chunks.map((c) => sseData(c)).join("");
  const failed = (): StepResult["failure"] | undefined => {
    const error = converter.error();
    return error ? { code: error.body.error.code ?? `upstream_${error.status}`, error: error.body.error } : undefined;
  };
  const run = (events: SseEvent[]): StepResult => {
    let out = "";
    for (const event of events) {
      out += frames(converter.push(event));
      const failure = failed();
      if (failure) return { bytes: out ? encoder.encode(out) : undefined, failure };
    }
    return out ? { bytes: encoder.encode(out) } : {};
  };
  return {
    push: (chunk) => run(parser.push(decoder.decode(chunk, { stream: true }))),
    finish() {
      const result = run([...parser.push(decoder.decode()), ...parser.end()]);
      if (result.failure) return result;
      const tail = frames(converter.end()) + "data: [DONE]\n\n";
      const before = result.bytes ? Buffer.from(result.bytes).toString("utf8") : "";
      return { bytes: encoder.encode(before + tail) };
    },
    usage: () => converter.usage(),
    reportedError: () => null,
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
