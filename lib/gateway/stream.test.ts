// The stream pump, with a made-up provider: it knows no provider, only the converter's
// output. The OpenAI pass-through through this pump is tested in lib/providers/openai.
import { Readable } from "node:stream";
import { convertSseStream, parseSse, type SseEventConverter } from "@/lib/providers/sse";
import type { SseEvent, StreamConverter, Usage } from "@/lib/providers/types";
import { describeError, GatewayError } from "./errors";
import type { StreamEnd } from "./stream";
import { relayToClient } from "@/test/helpers/relay";
import { fakeOpenAIKey } from "@/test/helpers/fake-secrets";

/** The key the gateway sent upstream. */
const KEY = fakeOpenAIKey("relay0123456789abcdefghij");

function splitAt(text: string, cuts: number[]): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

async function relay(parts: Buffer[], options: { converter: StreamConverter; failWith?: Error }) {
  const body = Readable.from(
    (async function* () {
      for (const part of parts) yield part;
      if (options.failWith) throw options.failWith;
    })(),
  );
  let end: StreamEnd | null = null;
  let aborted = 0;
  const stream = relayToClient({
    body,
    converter: options.converter,
    providerKey: KEY,
    describeFailure: (error) => describeError(error instanceof GatewayError ? error : new GatewayError("upstream_unreachable", "The upstream provider (made-up) dropped the connection (ECONNRESET)."), "req"),
    abortUpstream: () => aborted++,
    onEnd: (e) => (end = e),
  });
  const text = await stream.text();
  return { text, end: end as StreamEnd | null, aborted };
}

describe("stream relay, converted", () => {
  // A converter of a made-up provider format: {"t":"text"} events, then {"u":[in,out]}.
  function madeUp(): SseEventConverter {
    let usage: Usage | null = null;
    let error: ReturnType<SseEventConverter["error"]> = null;
    return {
      push(event: SseEvent) {
        const data = JSON.parse(event.data);
        if (data.fail) error = { code: "upstream_error", status: 500, body: { error: { message: "boom", type: "server_error", param: null, code: "x_failed" } } };
        if (data.u) usage = { inputTokens: data.u[0], outputTokens: data.u[1] };
        return data.t ? [{ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: data.t } }] }] : [];
      },
      end: () => [{ object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }],
      usage: () => usage,
      error: () => error,
      model: () => "made-up-model-001",
    };
  }

  it("writes OpenAI chunks and [DONE], and takes usage from the converter", async () => {
    const { text, end } = await relay(splitAt('data: {"t":"a"}\n\ndata: {"t":"b"}\n\ndata: {"u":[3,4]}\n\n', [5, 20]), { converter: convertSseStream(madeUp()) });
    const events = parseSse(text);
    expect(events.map((e) => e.data)).toEqual([
      JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "a" } }] }),
      JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "b" } }] }),
      JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
      "[DONE]",
    ]);
    expect(end).toEqual({ outcome: "completed", usage: { inputTokens: 3, outputTokens: 4 }, model: "made-up-model-001", error: null });
  });

  it("ends with the converter's error as an error event", async () => {
    const { text, end, aborted } = await relay([Buffer.from('data: {"t":"a"}\n\ndata: {"fail":true}\n\ndata: {"t":"never"}\n\n')], { converter: convertSseStream(madeUp()) });
    const events = parseSse(text);
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ error: { message: "boom", type: "server_error", param: null, code: "x_failed" } });
    expect(text).not.toContain("never");
    // Recorded by the table's code; the client sees the converter's body.
    expect(end).toMatchObject({ outcome: "failed", error: { code: "upstream_error", message: "boom" } });
    expect(aborted).toBe(1);
  });

  it("cuts the provider key out of a converted error before it is sent or recorded", async () => {
    const leaking: SseEventConverter = {
      ...madeUp(),
      error: () => ({ code: "upstream_error", status: 502, body: { error: { message: `upstream said: bad key ${KEY}`, type: "upstream_error", param: KEY, code: "upstream_error" } } }),
    };
    const { text, end } = await relay([Buffer.from('data: {"t":"a"}\n\n')], { converter: convertSseStream(leaking) });
    expect(text).not.toContain(KEY);
    expect(JSON.parse(parseSse(text).at(-1)!.data)).toEqual({ error: { message: "upstream said: bad key [redacted]", type: "upstream_error", param: "[redacted]", code: "upstream_error" } });
    expect(end?.error).toEqual({ code: "upstream_error", message: "upstream said: bad key [redacted]" });
  });

  it("ends with the error a converter finds at end() (a stream cut short), not with [DONE]", async () => {
    const cut: SseEventConverter = {
      ...madeUp(),
      end() {
        this.error = () => ({ code: "upstream_stream_error", status: 502, body: { error: { message: "cut short", type: "upstream_error", param: null, code: "upstream_stream_error" } } });
        return [{ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "tail" } }] }];
      },
    };
    const { text, end } = await relay([Buffer.from('data: {"t":"a"}\n\ndata: {"u":[3,1]}\n\n')], { converter: convertSseStream(cut) });
    const data = parseSse(text).map((e) => e.data);
    expect(data).not.toContain("[DONE]");
    expect(data.slice(0, 2).map((d) => JSON.parse(d).choices[0].delta.content)).toEqual(["a", "tail"]);
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: { message: "cut short", type: "upstream_error", param: null, code: "upstream_stream_error" } });
    expect(end).toEqual({ outcome: "failed", usage: { inputTokens: 3, outputTokens: 1 }, model: "made-up-model-001", error: { code: "upstream_stream_error", message: "cut short" } });
  });
});

describe("stream relay", () => {
  // A made-up provider that already speaks the client's format: bytes through as they are.
  function bytesThrough(options: { done: boolean }): StreamConverter {
    return {
      push: (chunk) => ({ bytes: chunk }),
      end: () => (options.done ? { done: true } : {}),
      usage: () => null,
      model: () => null,
    };
  }

  it("sends a converter's bytes as they are, and [DONE] only when the converter says the answer is complete", async () => {
    const upstream = "data: one\n\ndata: two\n\n";
    const completed = await relay(splitAt(upstream, [3, 17]), { converter: bytesThrough({ done: true }) });
    expect(completed.text).toBe(upstream + "data: [DONE]\n\n");
    expect(completed.end).toEqual({ outcome: "completed", usage: null, model: null, error: null });
    const own = await relay([Buffer.from(upstream)], { converter: bytesThrough({ done: false }) });
    expect(own.text).toBe(upstream);
  });

  it("ends a stream whose upstream fails with one error event after what was sent, and stops the upstream", async () => {
    const { text, end, aborted } = await relay([Buffer.from("data: one\n\n")], {
      converter: bytesThrough({ done: true }),
      failWith: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    });
    const events = parseSse(text);
    expect(events.map((e) => e.data.slice(0, 9))).toEqual(["one", '{"error":']);
    expect(JSON.parse(events[1].data)).toEqual({ error: { message: expect.stringContaining("ECONNRESET"), type: "upstream_error", param: null, code: "upstream_unreachable" } });
    expect(end).toMatchObject({ outcome: "failed", error: { code: "upstream_unreachable" } });
    expect(aborted).toBe(1);
  });
});
