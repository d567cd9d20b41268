// OpenAI streams are already chat.completion.chunk events: the converter passes the
// upstream bytes through unchanged, event by event as each event's blank line arrives (an
// incomplete trailing event is held until it is complete, so the gateway can never glue an
// error event to half an event). On the side it reads:
//  - the usage chunk (requested by request.ts), removed when the client did not ask for it;
//  - `data: [DONE]`: a stream that ends without it was cut short (upstream_stream_error);
//  - an error event OpenAI sends inside the stream: passed on as OpenAI wrote it (OpenAI
//    clients read it), recorded as upstream_stream_error, and rewritten only when it quotes
//    the gateway's key (some upstreams echo request data).
// Only the frames that can matter are decoded and parsed — [DONE], a usage object, an error
// — found by byte search; every other frame goes out without being looked at. Once
// include_usage is on every chunk carries "usage":null, which is skipped as bytes. An
// unescaped "error" can only be a key of the event's own object (inside a JSON string its
// quotes are escaped), so the marker finds error events however they are spaced.
// @see https://platform.openai.com/docs/api-reference/chat-streaming
import { mappedError } from "@/lib/gateway/errors";
import type { AdapterContext, MappedError, SseEvent, StreamConverter, StreamOutput, Usage } from "../types";
import { isRecord, redactKeyDeep } from "../provider-errors";
import { parseSse, sseData } from "../sse";
import { mapStreamError } from "./errors";
import { convertUsage } from "./usage";

export function createStreamConverter(ctx: AdapterContext, clientWantsUsage: boolean): StreamConverter {
  return passThrough(ctx.apiKey, !clientWantsUsage);
}

const SEPARATORS = ["\n\n", "\r\n\r\n", "\r\r"];
const MARKERS = ["[DONE]", '"usage"', '"error"'];
const USAGE_NULL = Buffer.from('"usage":null');

/** Index just past the last blank line (end of the last complete event), or -1. */
function lastEventEnd(buf: Buffer): number {
  const lf = buf.lastIndexOf("\n\n");
  const crlf = buf.lastIndexOf("\r\n\r\n");
  const cr = buf.lastIndexOf("\r\r");
  return Math.max(lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 4, cr < 0 ? -1 : cr + 2);
}

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

function passThrough(providerKey: string, dropUsageChunk: boolean): StreamConverter {
  let held: Buffer | null = null;
  let usage: Usage | null = null;
  let model: string | null = null;
  let sawDone = false;
  let reported: MappedError | null = null;

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
      reported = mapStreamError(redacted.error);
      return JSON.stringify(redacted) === JSON.stringify(parsed) ? null : { replace: sseData(redacted) };
    }
    const found = convertUsage(parsed.usage);
    if (!found) return null;
    usage = found;
    if (typeof parsed.model === "string") model = parsed.model;
    return dropUsageChunk && Array.isArray(parsed.choices) && parsed.choices.length === 0 ? { replace: "" } : null;
  };

  const emit = (region: Buffer): StreamOutput => {
    const edits: { start: number; end: number; replace: string }[] = [];
    for (const marker of MARKERS) {
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
    end() {
      // An event the upstream did not terminate with a blank line still counts.
      const out = held?.length ? emit(held) : {};
      held = null;
      // OpenAI's own error event went out as it was: recorded, not sent again.
      if (reported) return { ...out, failure: reported, failureSent: true };
      if (!sawDone) return { ...out, failure: mappedError("upstream_stream_error", "The upstream stream ended before it was complete.") };
      return out;
    },
    usage: () => usage,
    model: () => model,
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
