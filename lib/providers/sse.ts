// Incremental server-sent-events parser (WHATWG HTML §9.2 "event stream interpretation"):
// lines end in CRLF, LF or CR; `data:` lines accumulate; a blank line dispatches; lines
// starting with ':' are comments (keep-alives). Upstream chunks may split anywhere,
// including between CR and LF.
import type { MappedError, SseEvent, StreamConverter, StreamOutput, Usage } from "./types";

export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event: string | undefined;
  private skipLeadingLf = false;

  /** Parses a decoded chunk; returns the events it completed. */
  push(text: string): SseEvent[] {
    if (this.skipLeadingLf && text.startsWith("\n")) text = text.slice(1);
    this.skipLeadingLf = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const lf = this.buffer.indexOf("\n", start);
      const cr = this.buffer.indexOf("\r", start);
      if (lf < 0 && cr < 0) break;
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      const line = this.buffer.slice(start, end);
      if (this.buffer[end] === "\r") {
        if (end + 1 === this.buffer.length) this.skipLeadingLf = true; // CR ends the chunk: an LF may follow
        start = this.buffer[end + 1] === "\n" ? end + 2 : end + 1;
      } else {
        start = end + 1;
      }
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** The stream ended: an event not yet terminated by a blank line is still delivered. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.buffer) {
      const event = this.line(this.buffer);
      if (event) events.push(event);
      this.buffer = "";
    }
    const last = this.dispatch();
    if (last) events.push(last);
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    return null;
  }

  private dispatch(): SseEvent | null {
    if (this.data.length === 0) {
      this.event = undefined;
      return null;
    }
    const event: SseEvent = this.event === undefined ? { data: this.data.join("\n") } : { event: this.event, data: this.data.join("\n") };
    this.data = [];
    this.event = undefined;
    return event;
  }
}

/** Parses a whole recorded stream (fixtures). */
export function parseSse(text: string): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()];
}

/** One SSE frame carrying a JSON payload. */
export function sseData(payload: unknown): string {
  return `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;
}

/**
 * What an adapter that converts an SSE stream implements: OpenAI chunks for each upstream
 * event, keeping per-stream state. convertSseStream turns it into the pump's StreamConverter.
 */
export interface SseEventConverter {
  /** Chunks to send for one upstream event, in order; often none (e.g. ping). */
  push(event: SseEvent): unknown[];
  /**
   * Called once when the upstream stream ended. Returns trailing chunks (e.g. the usage
   * chunk when the provider sends usage last); where the stream was cut short, none and
   * error() set.
   */
  end(): unknown[];
  /** A failure seen in the stream (the provider's error event, an event that is not JSON, a stream cut short); null while none. */
  error(): MappedError | null;
  usage(): Usage | null;
  /** The model that answered as the stream names it; until then the requested one. */
  model(): string;
}

/** Decodes the upstream body, splits it into events and feeds them to `events`, up to its first failure. */
export function convertSseStream(events: SseEventConverter): StreamConverter {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const run = (list: SseEvent[], chunks: unknown[] = []): StreamOutput => {
    for (const event of list) {
      chunks.push(...events.push(event));
      const failure = events.error();
      if (failure) return { chunks, failure };
    }
    return { chunks };
  };
  return {
    push: (chunk) => run(parser.push(decoder.decode(chunk, { stream: true }))),
    end() {
      const out = run([...parser.push(decoder.decode()), ...parser.end()]);
      if (out.failure) return out;
      const chunks = [...(out.chunks ?? []), ...events.end()];
      const failure = events.error();
      return failure ? { chunks, failure } : { chunks, done: true };
    },
    usage: () => events.usage(),
    model: () => events.model(),
  };
}
