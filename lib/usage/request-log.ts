// One object per /v1 request that owns what the request produced — who asked, for which
// model, through which provider, how long it took to the first and to the last byte, the
// tokens it used, how it ended and the events it caused — and turns it into exactly one
// record. Whoever writes the response's last bytes calls finish() first (the gateway for a
// JSON answer or a refusal, the stream pump when a stream ends, however it ends), so the
// record is in the journal before the client has the whole answer; a second finish() is
// ignored. The gateway's wrapper, its handlers and the pump only report facts to it.
// Everything that watches requests end (the usage record today; metrics, the access log and
// the alert windows) hangs off finish(), not off the handlers.
import { randomUUID } from "node:crypto";
import type { EventInput } from "@/lib/events/record";
import type { Usage } from "@/lib/providers/types";
import { log } from "@/lib/log";
import type { RequestRecord } from "./recorder";

/** What watches requests end: the usage recorder, and whatever else observes traffic. */
export interface RequestLogSink {
  record(record: RequestRecord, events: EventInput[]): void;
}

/** One sink that hands each finished request to every sink, in order (the recorder first). */
export function fanOut(sinks: readonly RequestLogSink[]): RequestLogSink {
  if (sinks.length === 1) return sinks[0];
  return {
    record(record, events) {
      for (const sink of sinks) sink.record(record, events);
    },
  };
}

export interface RequestLogStart {
  method: string;
  path: string;
  clientIp: string | null;
}

export class RequestLog {
  readonly requestId = randomUUID();
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  private keyId: string | null = null;
  private countedDay: string | null = null;
  private model: string | null = null;
  private provider: string | null = null;
  private stream = false;
  private ttfbMs: number | null = null;
  private usage: Usage | null = null;
  private error: { code: string; message: string | null } | null = null;
  private readonly events: EventInput[] = [];
  private finishedWith: number | null = null;

  constructor(
    private readonly sink: RequestLogSink,
    readonly start: RequestLogStart,
  ) {}

  get clientIp(): string | null {
    return this.start.clientIp;
  }

  /** Milliseconds since the request arrived. */
  elapsed(): number {
    return performance.now() - this.t0;
  }

  /** The key the request came with: an admitted one, or a disabled or expired one it names. */
  keyed(keyId: string): void {
    this.keyId = keyId;
  }

  /** The UTC day whose quota the request was counted against. */
  counted(day: string): void {
    this.countedDay = day;
  }

  /** The model asked for, and whether the answer streams. */
  asked(model: string, stream: boolean): void {
    this.model = model;
    this.stream = stream;
  }

  routedTo(provider: string): void {
    this.provider = provider;
  }

  /** The model that answered, once the provider names it (a dated snapshot of an alias). */
  answeredBy(model: string | null | undefined): void {
    if (model) this.model = model;
  }

  /** The upstream's first byte arrived (kept once). */
  firstByte(): void {
    this.ttfbMs ??= Math.round(this.elapsed());
  }

  used(usage: Usage | null): void {
    if (usage) this.usage = usage;
  }

  /** How the request failed (refused, or an upstream failure), and the event it is recorded as. */
  failed(code: string, message: string, event?: Omit<EventInput, "keyId" | "clientIp" | "requestId" | "createdAt"> | null): void {
    this.error = { code, message };
    if (event) {
      this.events.push({
        ...event,
        keyId: this.keyId,
        clientIp: this.clientIp,
        requestId: this.requestId,
        details: { ...(event.details as Record<string, unknown> | undefined), path: this.start.path, ...(this.model ? { model: this.model } : {}) },
        createdAt: new Date(this.startedAt),
      });
    }
  }

  /** The client went away before its answer was complete (nginx's 499 in the record's words). */
  clientGone(): void {
    this.error = { code: "client_closed_request", message: null };
  }

  get finished(): boolean {
    return this.finishedWith !== null;
  }

  /** Writes the record once, with the status the client got (499 style codes aside). */
  finish(status: number): void {
    if (this.finishedWith !== null) return;
    this.finishedWith = status;
    const record: RequestRecord = {
      requestId: this.requestId,
      keyId: this.keyId,
      method: this.start.method,
      path: this.start.path,
      model: this.model,
      provider: this.provider,
      status,
      errorCode: this.error?.code ?? null,
      errorMessage: this.error?.message ?? null,
      startedAt: this.startedAt,
      latencyMs: Math.round(this.elapsed()),
      ttfbMs: this.ttfbMs,
      promptTokens: this.usage?.inputTokens ?? null,
      completionTokens: this.usage?.outputTokens ?? null,
      cachedTokens: this.usage?.cachedInputTokens ?? null,
      clientIp: this.clientIp,
      stream: this.stream,
      countedDay: this.countedDay,
    };
    this.sink.record(record, this.events);
    if (log.enabled("debug")) {
      log.debug(`[gateway] ${record.method} ${record.path} ${status} ${record.latencyMs}ms request=${record.requestId} key=${record.keyId ?? "-"} model=${record.model ?? "-"}${record.errorCode ? ` error=${record.errorCode}` : ""}`);
    }
  }
}
