// The OpenAI stream converter passes the upstream bytes through; these tests run it through
// the gateway's pump (lib/gateway/stream.ts) as a request does, and check what the client
// receives and what is recorded.
import { join } from "node:path";
import { Readable } from "node:stream";
import { describeError, GatewayError } from "@/lib/gateway/errors";
import type { StreamEnd } from "@/lib/gateway/stream";
import { relayToClient } from "@/test/helpers/relay";
import { fakeOpenAIKey } from "@/test/helpers/fake-secrets";
import { randomPieces, readFixtureBytes, replayStream } from "@/test/helpers/providers/replay";
import { parseSse } from "../sse";
import type { Usage } from "../types";
import { openaiAdapter } from "./index";
import { createStreamConverter } from "./stream";
import { convertUsage } from "./usage";

/** The key the gateway sent upstream. */
const KEY = fakeOpenAIKey("relay0123456789abcdefghij");
const ctx = { apiKey: KEY, baseUrl: "https://api.openai.test/v1", model: "gpt-4o-mini", requestId: "r1", created: 1 };
/** The converter for a client that did (or did not) drop the usage chunk it never asked for. */
const converter = (dropUsageChunk: boolean) => createStreamConverter(ctx, !dropUsageChunk);

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

async function relay(parts: Buffer[], options: { dropUsageChunk?: boolean; failWith?: Error } = {}) {
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
    converter: converter(options.dropUsageChunk ?? false),
    providerKey: KEY,
    describeFailure: (error) => describeError(error instanceof GatewayError ? error : new GatewayError("upstream_unreachable", "The upstream provider (openai) dropped the connection (ECONNRESET)."), "req"),
    abortUpstream: () => aborted++,
    onEnd: (e) => (end = e),
  });
  const text = await stream.text();
  return { text, end: end as StreamEnd | null, aborted };
}

const expectedUsage: Usage = { inputTokens: 11, outputTokens: 2, cachedInputTokens: 4 };

describe("OpenAI stream pass-through, through the gateway's pump", () => {
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
    const stream = relayToClient({ body, converter: converter(false), providerKey: KEY, describeFailure: (e) => describeError(e, "r"), abortUpstream: () => undefined, onEnd: () => undefined });
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
      expect(end).toMatchObject({ outcome: "failed", error: { code: "upstream_stream_error", message: "Invalid request made with [redacted]", details: { providerCode: "bad_[redacted]" } } });
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
    expect(end?.error).toEqual({ code: "upstream_stream_error", message: "key [redacted] refused", details: { providerCode: "server_error" } });
  });

  it("on cancel (the client went away) aborts upstream and ends once as client_closed", async () => {
    const body = new Readable({ read() {} });
    const ends: StreamEnd[] = [];
    let aborted = 0;
    const stream = relayToClient({ body, converter: converter(false), providerKey: KEY, describeFailure: (e) => describeError(e, "r"), abortUpstream: () => aborted++, onEnd: (e) => ends.push(e) });
    const reader = stream.getReader();
    body.push(Buffer.from(CONTENT.slice(0, CONTENT.indexOf("\n\n") + 2)));
    await reader.read();
    await reader.cancel();
    expect(ends).toEqual([{ outcome: "client_closed", usage: null, model: null, error: null }]);
    expect(aborted).toBe(1);
    expect(body.destroyed).toBe(true);
  });
});

describe("OpenAI stream converter", () => {
  const bytes = (name: string) => readFixtureBytes(join(__dirname, "fixtures", name));

  it("passes each event through as the very bytes OpenAI sent", () => {
    const event = Buffer.from('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}\n\n');
    expect(openaiAdapter.createStreamConverter(ctx, false).push(event)).toEqual({ bytes: event });
  });

  it("reads the usage chunk of a recorded stream", () => {
    const events = parseSse(
      'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n' +
        'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}\n\n' +
        "data: [DONE]\n\n",
    );
    expect(events.map((e) => (e.data.startsWith("{") ? convertUsage(JSON.parse(e.data).usage) : "done"))).toEqual([null, { inputTokens: 9, outputTokens: 1 }, "done"]);
  });

  it("reports usage and the answering model of a recorded stream however it is split, and records OpenAI's error event as upstream_stream_error", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const c = createStreamConverter(ctx, true);
      expect(replayStream(c, randomPieces(bytes("text.sse"), seed))).toEqual({ chunks: [], usage: { inputTokens: 9, outputTokens: 6, cachedInputTokens: 0 }, error: null });
      expect(c.model()).toBe("gpt-4o-mini-2024-07-18");
    }
    expect(replayStream(createStreamConverter(ctx, true), [bytes("error-mid-stream.sse")]).error).toMatchObject({
      code: "upstream_stream_error",
      providerCode: "server_error",
      body: { error: { message: "The server had an error while processing your request. Sorry about that!" } },
    });
  });
});
