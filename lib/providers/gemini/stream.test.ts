import { join } from "node:path";
import type { AdapterContext } from "../types";
import { accumulateWithOpenAI, randomPieces, readFixtureBytes, replayStream, splitAt } from "@/test/helpers/providers/replay";
import { geminiAdapter } from "./index";
import { decodeToolCallId } from "./tool-call-id";

const ctx: AdapterContext = { apiKey: "k", baseUrl: "http://x", model: "gemini-2.5-flash", requestId: "s1", created: 1_700_000_000 };
const bytes = (name: string) => readFixtureBytes(join(__dirname, "fixtures", name));
const converter = (wantsUsage = true) => geminiAdapter.createStreamConverter(ctx, wantsUsage);
const replay = (name: string, wantsUsage = true) => replayStream(converter(wantsUsage), [bytes(name)]);
type Chunk = { id: string; model: string; choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown };

describe("Gemini stream conversion", () => {
  it("streams text: role first, fragments, finish chunk, then usage from the last chunk", async () => {
    const { chunks, usage, error } = replay("text.sse");
    expect(error).toBeNull();
    expect((chunks as Chunk[]).map((c) => [c.choices[0]?.delta ?? null, c.choices[0]?.finish_reason ?? null])).toEqual([
      [{ role: "assistant", content: "" }, null],
      [{ content: "The" }, null],
      [{ content: " quick brown fox jumps over the lazy dog — «très» vite." }, null],
      [{ content: " The end." }, null],
      [{}, "stop"],
      [null, null],
    ]);
    expect((chunks as Chunk[]).at(-1)!.usage).toEqual({
      prompt_tokens: 8,
      completion_tokens: 16 + 28,
      total_tokens: 52,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 28 },
    });
    expect(usage).toEqual({ inputTokens: 8, outputTokens: 44, cachedInputTokens: 4 });
    const final = await accumulateWithOpenAI(chunks);
    expect(final.choices[0].message.content).toBe("The quick brown fox jumps over the lazy dog — «très» vite. The end.");
    expect(final.model).toBe("gemini-2.5-flash");
  });

  it("names the model that answered (modelVersion) for the usage record", () => {
    const c = geminiAdapter.createStreamConverter({ ...ctx, model: "gemini-flash-latest" }, false);
    expect(c.model()).toBe("gemini-flash-latest");
    replayStream(c, [bytes("text.sse")]);
    expect(c.model()).toBe("gemini-2.5-flash");
  });

  it("sends no usage chunk unless asked, but still reports usage", () => {
    const { chunks, usage } = replay("text.sse", false);
    expect((chunks as Chunk[]).every((c) => c.choices.length === 1)).toBe(true);
    expect(usage?.inputTokens).toBe(8);
  });

  it("streams a function call as id and name, then its arguments; carries id and signature", async () => {
    const { chunks } = replay("function-call.sse");
    const deltas = (chunks as Chunk[]).flatMap((c) => (c.choices[0]?.delta.tool_calls as Record<string, unknown>[]) ?? []);
    expect(deltas).toHaveLength(2);
    expect(deltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "get_weather", arguments: "" } });
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: '{"location":"Boston, MA","unit":"celsius"}' } });
    const final = await accumulateWithOpenAI(chunks);
    expect(final.choices[0].finish_reason).toBe("tool_calls");
    expect(final.model).toBe("gemini-3-pro-preview");
    expect(decodeToolCallId(final.choices[0].message.tool_calls![0].id)).toEqual({
      id: "r7g2d9qk",
      signature: "CiQBcsjafHT0Vq3nBVF2hQ5ePl3v8b1y0uQ3ZBSEwBx5YpF9dRIKawFyyNp8Zy0A",
    });
  });

  it("streams parallel function calls with separate indexes; only the first is signed", async () => {
    const final = await accumulateWithOpenAI(replay("parallel-function-calls.sse").chunks);
    const calls = final.choices[0].message.tool_calls!;
    expect(final.choices[0].message.content).toBe("Let me look both up.");
    expect(calls.map((c) => c.type === "function" && JSON.parse(c.function.arguments))).toEqual([{ location: "Paris" }, { location: "London" }]);
    expect(decodeToolCallId(calls[0].id).signature).toBe("Eo8GCowGAdHtim9fGl3q0y1Tz3cd0F3r2uYQzW1xvQdL");
    expect(decodeToolCallId(calls[1].id)).toEqual({});
  });

  it("maps MAX_TOKENS to length", async () => {
    expect((await accumulateWithOpenAI(replay("max-tokens.sse").chunks)).choices[0].finish_reason).toBe("length");
  });

  it("answers a blocked prompt with content_filter and an empty answer", async () => {
    const { chunks, usage } = replay("safety-block.sse");
    const final = await accumulateWithOpenAI(chunks);
    expect(final.choices[0].finish_reason).toBe("content_filter");
    expect(final.choices[0].message.content ?? "").toBe(""); // the openai accumulator keeps an empty answer as null
    expect(usage?.inputTokens).toBe(9);
  });

  it("ends an answer stopped for safety with content_filter after the text so far", async () => {
    const final = await accumulateWithOpenAI(replay("candidate-safety.sse").chunks);
    expect(final.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: "Here is how" } });
  });

  it("reports an error object inside the stream, mapped to OpenAI's shape", () => {
    const { chunks, error } = replay("error-mid-stream.sse");
    expect((chunks as Chunk[]).map((c) => c.choices[0].delta)).toEqual([{ role: "assistant", content: "" }, { content: "Once upon a time" }]);
    expect(error).toEqual({
      code: "upstream_overloaded",
      providerCode: "UNAVAILABLE",
      status: 503,
      body: { error: { message: "Gemini: The model is overloaded. Please try again later.", type: "upstream_error", param: null, code: "upstream_overloaded" } },
    });
  });

  it("reports a stream that closes without a finish reason as incomplete", () => {
    const all = bytes("text.sse");
    const text = new TextDecoder().decode(all);
    const cut = Buffer.byteLength(text.slice(0, text.lastIndexOf("data:")));
    const { error } = replayStream(converter(), [all.subarray(0, cut)]);
    expect(error).toMatchObject({ status: 502, body: { error: { code: "upstream_stream_error" } } });
  });

  describe.each([
    "text.sse",
    "function-call.sse",
    "parallel-function-calls.sse",
    "max-tokens.sse",
    "safety-block.sse",
    "candidate-safety.sse",
    "error-mid-stream.sse",
  ])("%s", (name) => {
    const whole = replay(name);

    it("gives identical chunks however the bytes are split (CRLF line ends included)", () => {
      const all = bytes(name);
      for (let at = 0; at <= all.length; at++) expect(replayStream(converter(), splitAt(all, at))).toEqual(whole);
      for (let seed = 1; seed <= 25; seed++) expect(replayStream(converter(), randomPieces(all, seed))).toEqual(whole);
      expect(replayStream(converter(), randomPieces(all, 7, 1))).toEqual(whole);
    });
  });
});
