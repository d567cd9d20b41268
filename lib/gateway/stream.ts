// The stream pump: relays a streamed completion from the upstream body to the client
// through the adapter's StreamConverter, and knows no provider. It reads the upstream,
// feeds the converter, writes what comes back (bytes as they are, chunks as `data:`
// events), and ends the stream exactly once:
//  - completed: the converter's last output, then `data: [DONE]` when the converter says
//    the answer is complete and its end was not in its bytes;
//  - failed: after the 200 has started, a failure (the upstream reset, went silent or
//    closed early; the converter found the provider's error or a stream cut short) ends the
//    stream with one OpenAI-shaped error event after the last complete output, a clean end
//    of the response, and the upstream request stopped;
//  - client_closed: the client went away, which aborts the upstream request.
// The provider key is cut out of every failure (some upstreams echo request data) before
// it is sent or recorded. `onEnd` runs exactly once, however the stream ends.
import type { Readable } from "node:stream";
import { redactKeyDeep } from "@/lib/providers/provider-errors";
import { sseData } from "@/lib/providers/sse";
import type { OpenAIErrorBody, StreamConverter, StreamOutput, Usage } from "@/lib/providers/types";
import { describeError, GatewayError, type ErrorOutcome, type GatewayErrorCode } from "./errors";

export interface StreamEnd {
  outcome: "completed" | "failed" | "client_closed";
  usage: Usage | null;
  /** The model that answered, when the stream named it (null: not seen). */
  model: string | null;
  /** Why a failed stream failed (recorded; already sent to the client as an error event). */
  error: { code: GatewayErrorCode; message: string; details?: Record<string, unknown> } | null;
}

export interface RelayOptions {
  /** The upstream body (undici's BodyReadable). */
  body: Readable;
  converter: StreamConverter;
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
const DONE = encoder.encode("data: [DONE]\n\n");

function errorEvent(error: OpenAIErrorBody["error"]): Uint8Array {
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

/** Writes a converter's output; false when there was nothing to write. */
function write(controller: ReadableStreamDefaultController<Uint8Array>, out: StreamOutput): boolean {
  let wrote = false;
  if (out.bytes?.length) {
    controller.enqueue(out.bytes);
    wrote = true;
  }
  if (out.chunks?.length) {
    let text = "";
    for (const chunk of out.chunks) text += sseData(chunk);
    controller.enqueue(encoder.encode(text));
    wrote = true;
  }
  return wrote;
}

export function relayStream(options: RelayOptions): ReadableStream<Uint8Array> {
  const { body, converter, providerKey } = options;
  let ended = false;
  let first = true;
  const end = (result: Omit<StreamEnd, "usage" | "model">) => {
    if (ended) return;
    ended = true;
    options.onEnd({ ...result, usage: converter.usage(), model: converter.model() });
  };
  // A failure nobody recognises still ends the stream with an error event and a record.
  const describe = (error: unknown): ErrorOutcome => {
    try {
      return options.describeFailure(error);
    } catch {
      return describeError(new GatewayError("upstream_stream_error", "The upstream stream failed."), "");
    }
  };
  const fail = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    event: OpenAIErrorBody["error"] | null,
    recorded: NonNullable<StreamEnd["error"]>,
  ) => {
    if (event) controller.enqueue(errorEvent(event));
    controller.close();
    options.abortUpstream();
    end({ outcome: "failed", error: recorded });
  };
  const failUpstream = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    const outcome = describe(error);
    fail(controller, outcome.body.error, { code: outcome.code, message: outcome.body.error.message });
  };
  // The converter's failure: the provider's own error, or a stream cut short.
  const failConverted = (controller: ReadableStreamDefaultController<Uint8Array>, out: StreamOutput) => {
    const failure = redactKeyDeep(out.failure!, providerKey);
    const details = failure.providerCode === undefined ? undefined : { providerCode: failure.providerCode };
    fail(controller, out.failureSent ? null : failure.body.error, { code: failure.code, message: failure.body.error.message, ...(details ? { details } : {}) });
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
          const out = converter.push(chunk);
          const wrote = write(controller, out);
          if (out.failure) return failConverted(controller, out);
          if (wrote) return;
          continue;
        }
        if (body.errored) return failUpstream(controller, body.errored);
        if (body.readableEnded) {
          const out = converter.end();
          write(controller, out);
          if (out.failure) return failConverted(controller, out);
          if (out.done) controller.enqueue(DONE);
          controller.close();
          return end({ outcome: "completed", error: null });
        }
        // Closed without an error and without an end: the connection was cut.
        if (body.destroyed) return failUpstream(controller, Object.assign(new Error("upstream body closed early"), { code: "UND_ERR_SOCKET" }));
        await nextEvent(body);
      }
    },
    cancel() {
      end({ outcome: "client_closed", error: null });
      options.abortUpstream();
      body.destroy();
    },
  });
}
