import { Readable } from "node:stream";
import { parseSse } from "@/lib/providers/sse";
import type { SseEvent, StreamConverter, Usage } from "@/lib/providers/types";
import { describeError, GatewayError } from "./errors";
import { relayStream, type StreamEnd } from "./stream";
import { fakeOpenAIKey } from "@/test/helpers/fake-secrets";

/** The key the gateway sent upstream. */
const KEY = fakeOpenAIKey("relay0123456789abcdefghij");

const chunk = (choices: unknown[], extra: object = {}) =>
  `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices, usage: null, ...extra })}\n\n`;
const USAGE = { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13, prompt_tokens_details: { cached_tokens: 4 } };
const CONTENT = [
  chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
  chunk([{ index: 0, delta: { content: "Hé " }, finish_reason: null }]), // a 2-byte character, to split inside
  chunk([{ index: 0, delta: { content: "there" }, finish_reason: null }]),
  chunk([{ index: 0, delta: {}, finish_reason: "stop" }]),
].join("");
const USAGE_FRAME = chunk([], { usage: USAGE });
const STREAM = CONTENT + USAGE_FRAME + "data: [DONE]\n\n";

function splitAt(text: string, cuts: number[]): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

async function relay(parts: Buffer[], options: { dropUsageChunk?: boolean; converter?: StreamConverter; failWith?: Error } = {}) {
  const body = Readable.from(
    (async function* () {
      for (const part of parts) yield part;
      if (options.failWith) throw options.failWith;
    })(),
  );
  let end: StreamEnd | null = null;
  let aborted = 0;
  const stream = relayStream({
    body,
    converter: options.converter ?? null,
    dropUsageChunk: options.dropUsageChunk ?? false,
    providerKey: KEY,
    describeFailure: (error) => describeError(error instanceof GatewayError ? error : new GatewayError("upstream_unreachable", "The upstream provider (openai) dropped the connection (ECONNRESET)."), "req"),
    abortUpstream: () => aborted++,
    onEnd: (e) => (end = e),
  });
  const text = await new Response(stream).text();
  return { text, end: end as StreamEnd | null, aborted };
}

const expectedUsage: Usage = { inputTokens: 11, outputTokens: 2, cachedInputTokens: 4 };

describe("stream relay, OpenAI pass-through", () => {
  it("sends the upstream bytes unchanged and reads the usage, wherever the upstream splits them", async () => {
    const length = Buffer.byteLength(STREAM);
    for (let cut = 1; cut < length; cut += 7) {
      const { text, end } = await relay(splitAt(STREAM, [cut, cut + 3, cut + 50]));
      expect(text).toBe(STREAM);
      // The model named by the usage chunk (the model that answered).
      expect(end).toEqual({ outcome: "completed", usage: expectedUsage, model: "gpt-4o-mini", error: null });
    }
  });

  it("removes the usage chunk the client did not ask for, and only that chunk", async () => {
    for (const cuts of [[], [Buffer.byteLength(CONTENT) + 10], [Buffer.byteLength(CONTENT + USAGE_FRAME) - 1]]) {
      const { text, end } = await relay(splitAt(STREAM, cuts), { dropUsageChunk: true });
      expect(text).toBe(CONTENT + "data: [DONE]\n\n");
      expect(end?.usage).toEqual(expectedUsage);
    }
  });

  it("forwards each complete event before the upstream finishes", async () => {
    const body = new Readable({ read() {} });
    const stream = relayStream({ body, converter: null, dropUsageChunk: false, providerKey: KEY, describeFailure: (e) => describeError(e, "r"), abortUpstream: () => undefined, onEnd: () => undefined });
    const reader = stream.getReader();
    const [first, rest] = [CONTENT.slice(0, CONTENT.indexOf("\n\n") + 2), CONTENT.slice(CONTENT.indexOf("\n\n") + 2)];
    body.push(Buffer.from(first + rest.slice(0, 10)));
    const { value } = await reader.read();
    expect(Buffer.from(value!).toString()).toBe(first); // the incomplete second event is held back
    body.push(Buffer.from(rest.slice(10)));
    expect(Buffer.from((await reader.read()).value!).toString()).toBe(rest);
    await reader.cancel();
  });

  it("ends a failed stream with one OpenAI error event after the last complete event, dropping half an event", async () => {
    const partial = STREAM.slice(0, CONTENT.indexOf("there") + 2);
    const { text, end, aborted } = await relay([Buffer.from(partial)], { failWith: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    const events = parseSse(text);
    const last = JSON.parse(events.at(-1)!.data);
    expect(last).toEqual({ error: { message: expect.stringContaining("ECONNRESET"), type: "upstream_error", param: null, code: "upstream_unreachable" } });
    expect(events.slice(0, -1).every((e) => !e.data.includes("ther"))).toBe(true);
    expect(text.endsWith("\n\n")).toBe(true);
    expect(end).toMatchObject({ outcome: "failed", error: { code: "upstream_unreachable" } });
    expect(aborted).toBe(1);
  });

  it("treats an upstream end without [DONE] as a failure", async () => {
    const { text, end } = await relay([Buffer.from(CONTENT)]);
    expect(JSON.parse(parseSse(text).at(-1)!.data).error.code).toBe("upstream_stream_error");
    expect(end?.outcome).toBe("failed");
  });

  it("passes a provider's own error event through and records it", async () => {
    const error = `data: ${JSON.stringify({ error: { message: "overloaded", type: "server_error", param: null, code: null } })}\n\n`;
    const { text, end } = await relay([Buffer.from(CONTENT.slice(0, 200)), Buffer.from(CONTENT.slice(200) + error)]);
    expect(text).toBe(CONTENT + error);
    expect(end).toMatchObject({ outcome: "failed", error: { code: "upstream_stream_error", message: "overloaded" } });
  });

  it("cuts the provider key out of an error event that quotes it, wherever the upstream splits the stream, and records it cut", async () => {
    const leaked = { error: { message: `Invalid request made with ${KEY}`, type: "server_error", param: KEY, code: `bad_${KEY}` } };
    const error = `data: ${JSON.stringify(leaked)}\n\n`;
    const redacted = `data: ${JSON.stringify({ error: { message: "Invalid request made with [redacted]", type: "server_error", param: "[redacted]", code: "bad_[redacted]" } })}\n\n`;
    const length = Buffer.byteLength(CONTENT + error);
    for (let cut = 1; cut < length; cut += 13) {
      const { text, end } = await relay(splitAt(CONTENT + error, [cut, cut + 40]));
      // Every other event goes out byte for byte.
      expect(text).toBe(CONTENT + redacted);
      // Recorded as the table's code for a provider's error event (its own code, redacted, goes in the details).
      expect(end).toMatchObject({ outcome: "failed", error: { code: "upstream_stream_error", message: "Invalid request made with [redacted]" } });
    }
  });

  it("finds error events however the upstream spaces or escapes them", async () => {
    // JSON lets a key be spelled with \u escapes; only parsing shows it.
    const escaped = KEY.replace("sk", "\\u0073k");
    const error = `data: { "error" : { "message": "key ${escaped} refused", "type": "server_error", "param": null, "code": null } }\n\n`;
    const { text, end } = await relay([Buffer.from(CONTENT + error)]);
    expect(text).not.toContain(KEY);
    expect(text.slice(0, CONTENT.length)).toBe(CONTENT);
    expect(JSON.parse(parseSse(text).at(-1)!.data)).toEqual({ error: { message: "key [redacted] refused", type: "server_error", param: null, code: null } });
    expect(end?.error).toEqual({ code: "upstream_stream_error", message: "key [redacted] refused" });
  });

  it("on cancel (the client went away) aborts upstream and ends once as client_closed", async () => {
    const body = new Readable({ read() {} });
    const ends: StreamEnd[] = [];
    let aborted = 0;
    const stream = relayStream({ body, converter: null, dropUsageChunk: false, providerKey: KEY, describeFailure: (e) => describeError(e, "r"), abortUpstream: () => aborted++, onEnd: (e) => ends.push(e) });
    const reader = stream.getReader();
    body.push(Buffer.from(CONTENT.slice(0, CONTENT.indexOf("\n\n") + 2)));
    await reader.read();
    await reader.cancel();
    expect(ends).toEqual([{ outcome: "client_closed", usage: null, model: null, error: null }]);
    expect(aborted).toBe(1);
    expect(body.destroyed).toBe(true);
  });
});

describe("stream relay, converted", () => {
  // A converter of a made-up provider format: {"t":"text"} events, then {"u":[in,out]}.
  function converter(): StreamConverter {
    let usage: Usage | null = null;
    let error: ReturnType<StreamConverter["error"]> = null;
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
    const { text, end } = await relay(splitAt('data: {"t":"a"}\n\ndata: {"t":"b"}\n\ndata: {"u":[3,4]}\n\n', [5, 20]), { converter: converter() });
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
    const { text, end, aborted } = await relay([Buffer.from('data: {"t":"a"}\n\ndata: {"fail":true}\n\ndata: {"t":"never"}\n\n')], { converter: converter() });
    const events = parseSse(text);
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ error: { message: "boom", type: "server_error", param: null, code: "x_failed" } });
    expect(text).not.toContain("never");
    // Recorded by the table's code; the client sees the converter's body.
    expect(end).toMatchObject({ outcome: "failed", error: { code: "upstream_error", message: "boom" } });
    expect(aborted).toBe(1);
  });

  it("cuts the provider key out of a converted error before it is sent or recorded", async () => {
    const leaking: StreamConverter = {
      ...converter(),
      error: () => ({ code: "upstream_error", status: 502, body: { error: { message: `upstream said: bad key ${KEY}`, type: "upstream_error", param: KEY, code: "upstream_error" } } }),
    };
    const { text, end } = await relay([Buffer.from('data: {"t":"a"}\n\n')], { converter: leaking });
    expect(text).not.toContain(KEY);
    expect(JSON.parse(parseSse(text).at(-1)!.data)).toEqual({ error: { message: "upstream said: bad key [redacted]", type: "upstream_error", param: "[redacted]", code: "upstream_error" } });
    expect(end?.error).toEqual({ code: "upstream_error", message: "upstream said: bad key [redacted]" });
  });

  it("ends with the error a converter finds at end() (a stream cut short), not with [DONE]", async () => {
    const cut: StreamConverter = {
      ...converter(),
      end() {
        this.error = () => ({ code: "upstream_stream_error", status: 502, body: { error: { message: "cut short", type: "upstream_error", param: null, code: "upstream_stream_error" } } });
        return [{ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "tail" } }] }];
      },
    };
    const { text, end } = await relay([Buffer.from('data: {"t":"a"}\n\ndata: {"u":[3,1]}\n\n')], { converter: cut });
    const data = parseSse(text).map((e) => e.data);
    expect(data).not.toContain("[DONE]");
    expect(data.slice(0, 2).map((d) => JSON.parse(d).choices[0].delta.content)).toEqual(["a", "tail"]);
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: { message: "cut short", type: "upstream_error", param: null, code: "upstream_stream_error" } });
    expect(end).toEqual({ outcome: "failed", usage: { inputTokens: 3, outputTokens: 1 }, model: "made-up-model-001", error: { code: "upstream_stream_error", message: "cut short" } });
  });
});
