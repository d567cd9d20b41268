import { join } from "node:path";
import type { AdapterContext } from "../types";
import { accumulateWithOpenAI, randomPieces, readFixtureBytes, replayStream, splitAt } from "@/test/helpers/providers/replay";
import { anthropicAdapter } from "./index";

const ctx: AdapterContext = { apiKey: "k", baseUrl: "http://x", model: "claude-sonnet-4-5", requestId: "r1", created: 1_700_000_000 };
const bytes = (name: string) => readFixtureBytes(join(__dirname, "fixtures", name));
const converter = (wantsUsage = true) => anthropicAdapter.createStreamConverter(ctx, wantsUsage);
const replay = (name: string, wantsUsage = true) => replayStream(converter(wantsUsage), [bytes(name)]);

type Chunk = { id: string; object: string; created: number; model: string; choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown };

describe("Anthropic stream conversion", () => {
  it("streams text: role first, fragments in order, finish chunk, usage chunk last", async () => {
    const { chunks, usage, error } = replay("text.sse");
    const typed = chunks as Chunk[];
    expect(error).toBeNull();
    expect(typed.map((c) => [c.choices[0]?.delta ?? null, c.choices[0]?.finish_reason ?? null])).toEqual([
      [{ role: "assistant", content: "" }, null],
      [{ content: "Hello" }, null],
      [{ content: "! Ça va? Here is a café ☕ for you." }, null],
      [{}, "stop"],
      [null, null],
    ]);
    expect(typed.at(-1)).toEqual({
      id: "chatcmpl-r1",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: "claude-sonnet-4-5-20250929",
      choices: [],
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } },
    });
    for (const c of typed) expect([c.id, c.object, c.model]).toEqual(["chatcmpl-r1", "chat.completion.chunk", "claude-sonnet-4-5-20250929"]);
    expect(usage).toEqual({ inputTokens: 25, outputTokens: 15, cachedInputTokens: 0, cacheWriteTokens: 0 });
    const final = await accumulateWithOpenAI(chunks);
    expect(final.choices[0].message.content).toBe("Hello! Ça va? Here is a café ☕ for you.");
    expect(final.usage?.total_tokens).toBe(40);
  });

  it("names the model that answered (message_start's model) for the usage record", () => {
    const c = converter();
    expect(c.model()).toBe("claude-sonnet-4-5");
    replayStream(c, [bytes("text.sse")]);
    expect(c.model()).toBe("claude-sonnet-4-5-20250929");
  });

  it("sends no usage chunk unless the client asked, but still reports usage to the gateway", () => {
    const { chunks, usage } = replay("text.sse", false);
    expect((chunks as Chunk[]).every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(usage?.outputTokens).toBe(15);
  });

  it("streams a tool call: id and name first, then the input JSON fragments", async () => {
    const { chunks, usage } = replay("tool-use.sse");
    const toolDeltas = (chunks as Chunk[]).flatMap((c) => (c.choices[0]?.delta.tool_calls as unknown[]) ?? []);
    expect(toolDeltas[0]).toEqual({ index: 0, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", type: "function", function: { name: "get_weather", arguments: "" } });
    expect(toolDeltas.slice(1).every((d) => Object.keys(d as object).join() === "index,function")).toBe(true);
    const final = await accumulateWithOpenAI(chunks);
    expect(final.choices[0].finish_reason).toBe("tool_calls");
    expect(final.choices[0].message.content).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(final.choices[0].message.tool_calls).toEqual([
      { id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", type: "function", function: { name: "get_weather", arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' } },
    ]);
    expect(usage).toEqual({ inputTokens: 472 + 100 + 2048, outputTokens: 89, cachedInputTokens: 2048, cacheWriteTokens: 100 });
    expect(final.usage?.prompt_tokens_details?.cached_tokens).toBe(2048);
  });

  it("streams parallel tool calls with their own indexes", async () => {
    const final = await accumulateWithOpenAI(replay("parallel-tools.sse").chunks);
    expect(final.choices[0].message.tool_calls).toEqual([
      { id: "toolu_01Paris00000000000000001", type: "function", function: { name: "get_weather", arguments: '{"location": "Paris, France"}' } },
      { id: "toolu_01Time000000000000000002", type: "function", function: { name: "get_time", arguments: '{"timezone": "Europe/Paris"}' } },
    ]);
    expect(final.choices[0].message.content).toBeNull();
  });

  it("maps max_tokens to finish_reason length", async () => {
    const final = await accumulateWithOpenAI(replay("max-tokens.sse").chunks);
    expect(final.choices[0].finish_reason).toBe("length");
    expect(final.model).toBe("claude-haiku-4-5-20251001");
  });

  it("leaves thinking out of the answer", async () => {
    const final = await accumulateWithOpenAI(replay("thinking.sse").chunks);
    expect(final.choices[0].message.content).toBe("27 * 453 = 12,231");
  });

  it("reports an error event after the text so far, mapped to OpenAI's shape", () => {
    const { chunks, error, usage } = replay("error-mid-stream.sse");
    expect((chunks as Chunk[]).map((c) => c.choices[0].delta)).toEqual([{ role: "assistant", content: "" }, { content: "Once upon a time" }]);
    expect(error).toEqual({
      code: "upstream_overloaded",
      providerCode: "overloaded_error",
      status: 503,
      body: { error: { message: "Anthropic: Overloaded", type: "upstream_error", param: null, code: "upstream_overloaded" } },
    });
    expect(usage?.inputTokens).toBe(30);
  });

  it("reports a stream that closes before message_stop as incomplete", () => {
    const all = bytes("text.sse");
    const text = new TextDecoder().decode(all);
    const cut = text.indexOf("event: message_delta");
    const { error, chunks } = replayStream(converter(), [all.subarray(0, Buffer.byteLength(text.slice(0, cut)))]);
    expect(error).toMatchObject({ status: 502, body: { error: { code: "upstream_stream_error" } } });
    expect((chunks as Chunk[]).some((c) => c.choices[0]?.finish_reason)).toBe(false);
  });

  it("treats a non-JSON event as an upstream failure", () => {
    const out = converter().push(new TextEncoder().encode("event: message_start\ndata: {oops\n\n"));
    expect(out.chunks).toEqual([]);
    expect(out.failure).toMatchObject({ status: 502, body: { error: { type: "upstream_error", code: "upstream_bad_response" } } });
  });

  describe.each(["text.sse", "tool-use.sse", "parallel-tools.sse", "max-tokens.sse", "thinking.sse", "error-mid-stream.sse"])("%s", (name) => {
    const whole = replay(name);

    it("gives identical chunks however the bytes are split", () => {
      const all = bytes(name);
      for (let at = 0; at <= all.length; at++) expect(replayStream(converter(), splitAt(all, at))).toEqual(whole);
      for (let seed = 1; seed <= 25; seed++) expect(replayStream(converter(), randomPieces(all, seed))).toEqual(whole);
      expect(replayStream(converter(), randomPieces(all, 99, 1))).toEqual(whole);
    });
  });
});
