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
// and a clean end of the response. The provider key is cut out of every error the
// provider reports (some upstreams echo request data) before it is sent or recorded: a
// pass-through error event is rewritten only when it quotes the key. `onEnd` runs exactly
// once, however the stream ends: completed, failed, or cancelled because the client went
// away (which aborts upstream).
import type { Readable } from "node:stream";
import { SseParser, parseSse, sseData } from "@/lib/providers/sse";
import { convertUsage } from "@/lib/providers/openai/usage";
import { isRecord, redactKeyDeep } from "@/lib/providers/provider-errors";
import type { MappedError, SseEvent, StreamConverter, Usage } from "@/lib/providers/types";
import { describeError, GatewayError, type ErrorOutcome, type GatewayErrorCode } from "./errors";

export interface StreamEnd {
  outcome: "completed" | "failed" | "client_closed";
  usage: Usage | null;
  /** The model that answered, when the stream named it (null: not seen). */
  model: string | null;
  /** Why a failed stream failed (recorded; already sent to the client as an error event). */
  error: { code: GatewayErrorCode; message: string } | null;
}

export interface RelayOptions {
  /** The upstream body (undici's BodyReadable). */
  body: Readable;
  /** Null: OpenAI pass-through. */
  converter: StreamConverter | null;
  /** Pass-through only: drop the usage-only chunk (the client did not ask for usage). */
  dropUsageChunk: boolean;
  /** The key the gateway sent upstream: never passed on or recorded. */
  providerKey: string;
  /** Maps a failure reading the upstream body (timeouts, resets). */
  describeFailure: (error: unknown) => ErrorOutcome;
  /** Stops the upstream request (the client went away, or the stream failed). */
  abortUpstream: () => void;
  onFirstChunk?: () => void;
  onEnd: (end: StreamEnd) => void;
}

const encoder = new TextEncoder();

export function errorEvent(error: { message: string; type: string; code: string | null; param?: string | null }): Uint8Array {
  return encoder.encode(sseData({ error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } }));
}

// Resolves at the body's next event: data to read, its end, or its failure.
function nextEvent(body: Readable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      body.off("readable", done);
      body.off("end", done);
      body.off("error", done);
      body.off("close", done);
      resolve();
    };
    body.on("readable", done);
    body.on("end", done);
    body.on("error", done);
    body.on("close", done);
  });
}

export function relayStream(options: RelayOptions): ReadableStream<Uint8Array> {
  const { body } = options;
  const step = options.converter ? convertedStep(options.converter, options.providerKey) : passThroughStep(options.dropUsageChunk, options.providerKey);
  let ended = false;
  let first = true;
  const end = (result: StreamEnd) => {
    if (ended) return;
    ended = true;
    options.onEnd(result);
  };
  // A failure nobody recognises still ends the stream with an error event and a record.
  const describe = (error: unknown): ErrorOutcome => {
    try {
      return options.describeFailure(error);
    } catch {
      return describeError(new GatewayError("upstream_stream_error", "The upstream stream failed."), "");
    }
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, code: GatewayErrorCode, error: MappedError["body"]["error"]) => {
    controller.enqueue(errorEvent(error));
    controller.close();
    options.abortUpstream();
    end({ outcome: "failed", usage: step.usage(), model: step.model(), error: { code, message: error.message } });
  };

  return new ReadableStream<Uint8Array>({
    // body.read() returns everything buffered at once: when the client reads slower than
    // the upstream writes, events are forwarded in fewer, larger writes.
    async pull(controller) {
      for (;;) {
        if (ended) return;
        const chunk = body.read() as Buffer | null;
        if (chunk !== null) {
          if (first) {
            first = false;
            options.onFirstChunk?.();
          }
          const out = step.push(chunk);
          if (out.bytes) controller.enqueue(out.bytes);
          if (out.failure) return fail(controller, out.failure.code, out.failure.error);
          if (out.bytes) return;
          continue;
        }
        if (body.errored) {
          const failure = describe(body.errored);
          return fail(controller, failure.code, failure.body.error);
        }
        if (body.readableEnded) {
          const out = step.finish();
          if (out.bytes) controller.enqueue(out.bytes);
          if (out.failure) return fail(controller, out.failure.code, out.failure.error);
          controller.close();
          const reported = step.reportedError();
          return end({ outcome: reported ? "failed" : "completed", usage: step.usage(), model: step.model(), error: reported });
        }
        if (body.destroyed) {
          // Closed without an error and without an end: the connection was cut.
          const failure = describe(Object.assign(new Error("upstream body closed early"), { code: "UND_ERR_SOCKET" }));
          return fail(controller, failure.code, failure.body.error);
        }
        await nextEvent(body);
      }
    },
    cancel() {
      end({ outcome: "client_closed", usage: step.usage(), model: step.model(), error: null });
      options.abortUpstream();
      body.destroy();
    },
  });
}

interface StepResult {
  bytes?: Uint8Array;
  /** The stream must end with this error event. */
  failure?: { code: GatewayErrorCode; error: MappedError["body"]["error"] };
}

interface Step {
  push(chunk: Uint8Array): StepResult;
  finish(): StepResult;
  usage(): Usage | null;
  model(): string | null;
  /** An error event the provider sent and that was passed through as it was. */
  reportedError(): { code: GatewayErrorCode; message: string } | null;
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

const SEPARATORS = ["\n\n", "\r\n\r\n", "\r\r"];
const USAGE_NULL = Buffer.from('"usage":null');

/** The frame (event and its blank line) around byte `at` of a region of whole frames. */
function frameAround(region: Buffer, at: number): [number, number] {
  let start = 0;
  let end = region.length;
  for (const sep of SEPARATORS) {
    const before = region.lastIndexOf(sep, at);
    if (before >= 0 && before + sep.length <= at) start = Math.max(start, before + sep.length);
    const after = region.indexOf(sep, at);
    if (after >= 0) end = Math.min(end, after + sep.length);
  }
  return [start, end];
}

// Only the frames that can matter are decoded and parsed — [DONE], a usage object, an
// error — found by byte search; every other frame goes out without being looked at.
// Once include_usage is on every chunk carries "usage":null, which is skipped as bytes.
// An unescaped "error" can only be a key of the event's own object (inside a JSON string
// its quotes are escaped), so the marker finds error events however they are spaced.
function passThroughStep(dropUsageChunk: boolean, providerKey: string): Step {
  let held: Buffer | null = null;
  let usage: Usage | null = null;
  let model: string | null = null;
  let sawDone = false;
  let reported: { code: GatewayErrorCode; message: string } | null = null;

  // What becomes of a frame: kept as it is (null), dropped (the usage-only chunk the
  // client did not ask for), or replaced (an error event that quoted the provider key).
  const inspect = (event: SseEvent): null | { replace: string } => {
    const data = event.data;
    if (data === "[DONE]") {
      sawDone = true;
      return null;
    }
    const parsed = safeParse(data);
    if (!isRecord(parsed)) return null;
    if (isRecord(parsed.error)) {
      const redacted = redactKeyDeep(parsed, providerKey);
      const error = redacted.error as { message?: unknown; code?: unknown };
      reported = { code: "upstream_stream_error", message: String(error.message ?? "upstream error") };
      return JSON.stringify(redacted) === JSON.stringify(parsed) ? null : { replace: sseData(redacted) };
    }
    const found = convertUsage(parsed.usage);
    if (!found) return null;
    usage = found;
    if (typeof parsed.model === "string") model = parsed.model;
    return dropUsageChunk && Array.isArray(parsed.choices) && parsed.choices.length === 0 ? { replace: "" } : null;
  };

  const emit = (region: Buffer): StepResult => {
    const edits: { start: number; end: number; replace: string }[] = [];
    for (const marker of ["[DONE]", '"usage"', '"error"']) {
      for (let at = region.indexOf(marker); at >= 0; ) {
        const [start, end] = frameAround(region, at);
        // A frame already rewritten is not looked at again for another marker.
        if (!(marker === '"usage"' && USAGE_NULL.compare(region, at, at + USAGE_NULL.length) === 0) && !edits.some((e) => e.start === start)) {
          for (const event of parseSse(region.toString("utf8", start, end))) {
            const edit = inspect(event);
            if (edit) edits.push({ start, end, replace: edit.replace });
          }
        }
        at = region.indexOf(marker, Math.max(end, at + 1));
      }
    }
    if (!edits.length) return { bytes: region };
    edits.sort((a, b) => a.start - b.start);
    const parts: Buffer[] = [];
    let from = 0;
    for (const edit of edits) {
      parts.push(region.subarray(from, edit.start), Buffer.from(edit.replace));
      from = edit.end;
    }
    parts.push(region.subarray(from));
    const out = Buffer.concat(parts);
    return out.length ? { bytes: out } : {};
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
      if (!sawDone && !reported) return { ...out, ...incomplete("The upstream stream ended before it was complete.") };
      return out;
    },
    usage: () => usage,
    model: () => model,
    reportedError: () => reported,
  };
}

function convertedStep(converter: StreamConverter, providerKey: string): Step {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const frames = (chunks: unknown[]) => chunks.map((c) => sseData(c)).join("");
  const failed = (): StepResult["failure"] | undefined => {
    const mapped = converter.error();
    if (!mapped) return undefined;
    const error = redactKeyDeep(mapped.body.error, providerKey);
    return { code: mapped.code, error };
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
      const before = result.bytes ? Buffer.from(result.bytes).toString("utf8") : "";
      const tail = before + frames(converter.end());
      // end() is where a converter notices a stream cut short (no message_stop, no finish
      // reason): no [DONE] then, but the error event.
      const failure = failed();
      if (failure) return { bytes: tail ? encoder.encode(tail) : undefined, failure };
      return { bytes: encoder.encode(tail + "data: [DONE]\n\n") };
    },
    usage: () => converter.usage(),
    model: () => converter.model(),
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
