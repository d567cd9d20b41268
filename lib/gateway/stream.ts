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
import type { Readable, Writable } from "node:stream";
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
  /** Where the client's answer goes (the ServerResponse, its headers already written). */
  out: Writable;
  /** The key the gateway sent upstream: never passed on or recorded. */
  providerKey: string;
  /** Maps a failure reading the upstream body (timeouts, resets). */
  describeFailure: (error: unknown) => ErrorOutcome;
  /** Stops the upstream request (the client went away, or the stream failed). */
  abortUpstream: () => void;
  onFirstChunk?: () => void;
  /** Runs once, before the stream's last bytes are written (the record is journaled then). */
  onEnd: (end: StreamEnd) => void;
}

const DONE = Buffer.from("data: [DONE]\n\n");

function errorEvent(error: OpenAIErrorBody["error"]): Buffer {
  return Buffer.from(sseData({ error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } }));
}

// Resolves at the body's next event (data to read, its end, its failure) or when the
// client has gone away.
function nextEvent(body: Readable, out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      body.off("readable", done);
      body.off("end", done);
      body.off("error", done);
      body.off("close", done);
      out.off("close", done);
      resolve();
    };
    body.on("readable", done);
    body.on("end", done);
    body.on("error", done);
    body.on("close", done);
    out.on("close", done);
  });
}

// Resolves when the client has taken what was written (or has gone away).
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off("drain", done);
      out.off("close", done);
      resolve();
    };
    out.on("drain", done);
    out.on("close", done);
  });
}

/** A converter's output as bytes to send: passed-through bytes, then chunks as `data:` events. */
function bytesOf(out: StreamOutput): Buffer | null {
  const parts: Buffer[] = [];
  if (out.bytes?.length) parts.push(Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength));
  if (out.chunks?.length) {
    let text = "";
    for (const chunk of out.chunks) text += sseData(chunk);
    parts.push(Buffer.from(text));
  }
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** Pumps the upstream body through the converter to `out` until the stream ends, one way or another. */
export function relayStream(options: RelayOptions): Promise<void> {
  const { body, converter, providerKey, out } = options;
  let ended = false;
  let first = true;
  const end = (result: Omit<StreamEnd, "usage" | "model">) => {
    if (ended) return false;
    ended = true;
    options.onEnd({ ...result, usage: converter.usage(), model: converter.model() });
    return true;
  };
  // The client went away: the upstream request stops, and the record says so.
  const onClientGone = () => {
    if (ended || out.writableFinished) return;
    end({ outcome: "client_closed", error: null });
    options.abortUpstream();
    body.destroy();
  };
  out.once("close", onClientGone);
  // A failure nobody recognises still ends the stream with an error event and a record.
  const describe = (error: unknown): ErrorOutcome => {
    try {
      return options.describeFailure(error);
    } catch {
      return describeError(new GatewayError("upstream_stream_error", "The upstream stream failed."), "");
    }
  };
  const fail = (written: Buffer | null, event: OpenAIErrorBody["error"] | null, recorded: NonNullable<StreamEnd["error"]>) => {
    if (!end({ outcome: "failed", error: recorded })) return;
    options.abortUpstream();
    const tail = event ? errorEvent(event) : null;
    out.end(written && tail ? Buffer.concat([written, tail]) : (written ?? tail ?? undefined));
  };
  const failUpstream = (error: unknown) => {
    const outcome = describe(error);
    fail(null, outcome.body.error, { code: outcome.code, message: outcome.body.error.message });
  };
  // The converter's failure: the provider's own error, or a stream cut short.
  const failConverted = (written: Buffer | null, result: StreamOutput) => {
    const failure = redactKeyDeep(result.failure!, providerKey);
    const details = failure.providerCode === undefined ? undefined : { providerCode: failure.providerCode };
    fail(written, result.failureSent ? null : failure.body.error, { code: failure.code, message: failure.body.error.message, ...(details ? { details } : {}) });
  };

  const pump = async () => {
    for (;;) {
      if (ended) return;
      // body.read() returns everything buffered at once: when the client reads slower than
      // the upstream writes, events are forwarded in fewer, larger writes.
      const chunk = body.read() as Buffer | null;
      if (chunk !== null) {
        if (first) {
          first = false;
          options.onFirstChunk?.();
        }
        const result = converter.push(chunk);
        const bytes = bytesOf(result);
        if (result.failure) return failConverted(bytes, result);
        if (bytes && !out.write(bytes)) await drained(out);
        continue;
      }
      if (body.errored) return failUpstream(body.errored);
      if (body.readableEnded) {
        const result = converter.end();
        const bytes = bytesOf(result);
        if (result.failure) return failConverted(bytes, result);
        end({ outcome: "completed", error: null });
        const tail = result.done ? (bytes ? Buffer.concat([bytes, DONE]) : DONE) : bytes;
        out.end(tail ?? undefined);
        return;
      }
      // Closed without an error and without an end: the connection was cut.
      if (body.destroyed) return failUpstream(Object.assign(new Error("upstream body closed early"), { code: "UND_ERR_SOCKET" }));
      await nextEvent(body, out);
    }
  };
  return pump().finally(() => out.off("close", onClientGone));
}
