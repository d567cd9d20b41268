// The Gemini adapter against the fake Gemini upstream over real HTTP: every request the
// adapter builds must pass the fake's checks of Gemini's wire format (including thought
// signatures and call ids for gemini-3 models), and every answer must come back in OpenAI's shape.
import { startFakeGemini, type FakeGemini } from "@/test/fakes/gemini";
import { callUpstream, listModels } from "@/test/helpers/providers/call-upstream";
import { accumulateWithOpenAI } from "@/test/helpers/providers/replay";
import type { AdapterContext, ChatRequest } from "../types";
import { geminiAdapter } from "./index";
import { decodeToolCallId } from "./tool-call-id";

let fake: FakeGemini;
let ctx: AdapterContext;
beforeAll(async () => {
  fake = await startFakeGemini();
  ctx = { apiKey: fake.apiKey, baseUrl: fake.url, model: "gemini-2.5-flash", requestId: "gt1", created: 1_700_000_000 };
});
afterAll(() => fake.close());

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hello" }], ...extra });
const weatherTool = {
  type: "function",
  function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } },
};
type Choice = { message: { content: string | null; tool_calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] }; finish_reason: string };

describe("Gemini adapter against the fake upstream", () => {
  it("answers a plain request, sending the key in x-goog-api-key only", async () => {
    const outcome = await callUpstream(geminiAdapter, chat(), ctx);
    expect(outcome).toMatchObject({
      kind: "completion",
      body: { model: "gemini-2.5-flash", choices: [{ message: { content: "Echo: Hello" }, finish_reason: "stop" }], usage: { completion_tokens_details: { reasoning_tokens: 3 } } },
      usage: { inputTokens: 1, outputTokens: 2 + 3 },
    });
    const sent = fake.received.at(-1)!;
    expect(sent.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(sent.query).toEqual({});
    expect(sent.headers["x-goog-api-key"]).toBe(fake.apiKey);
  });

  it("gets every convertible parameter past Gemini's validation in one request", async () => {
    const outcome = await callUpstream(
      geminiAdapter,
      chat({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Metric units." }] },
          {
            role: "user",
            content: [
              { type: "text", text: "Look" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://example.com/a.webp" } },
              { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
            ],
          },
          { role: "assistant", content: "Seen." },
          { role: "user", content: "Weather?" },
        ],
        temperature: 1.3,
        top_p: 0.95,
        max_tokens: 400,
        stop: ["END"],
        seed: 11,
        presence_penalty: 0,
        frequency_penalty: 0.2,
        user: "u-1",
        tools: [weatherTool],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        parallel_tool_calls: true,
        response_format: { type: "text" },
      }),
      ctx,
    );
    expect(outcome.kind).toBe("completion");
    const structured = await callUpstream(
      geminiAdapter,
      chat({ response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] } } } }),
      ctx,
    );
    expect(structured).toMatchObject({ kind: "completion", body: { choices: [{ message: { content: '{"n":1}' } }] } });
  });

  it("completes a full tool round trip on gemini-3, carrying the call id and thought signature", async () => {
    const g3 = { ...ctx, model: "gemini-3-pro-preview" };
    const first = await callUpstream(geminiAdapter, chat({ messages: [{ role: "user", content: "Weather in Paris?" }], tools: [weatherTool] }), g3);
    if (first.kind !== "completion") throw new Error(`unexpected ${first.kind}: ${JSON.stringify(first)}`);
    const choice = (first.body.choices as Choice[])[0];
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls[0];
    const carried = decodeToolCallId(call.id);
    expect(carried.id).toEqual(expect.any(String));
    expect(fake.issuedSignatures.has(carried.signature!)).toBe(true);

    const second = await callUpstream(
      geminiAdapter,
      chat({ messages: [{ role: "user", content: "Weather in Paris?" }, choice.message, { role: "tool", tool_call_id: call.id, content: '{"temp":18}' }], tools: [weatherTool] }),
      g3,
    );
    expect(second).toMatchObject({ kind: "completion", body: { choices: [{ message: { content: 'Tool results: {"temp":18}' }, finish_reason: "stop" }] } });
    const sent = fake.generateRequests().at(-1)!;
    expect((sent.contents as { parts: unknown[] }[])[1].parts[0]).toEqual({
      functionCall: { name: "get_weather", args: { city: "example" }, id: carried.id },
      thoughtSignature: carried.signature,
    });
  });

  it("round-trips parallel calls streamed from gemini-3, answering each by name", async () => {
    const g3 = { ...ctx, model: "gemini-3-pro-preview" };
    fake.enqueue({ reply: { functionCalls: [{ name: "get_weather", args: { city: "Paris" } }, { name: "get_weather", args: { city: "Oslo" } }] } });
    const first = await callUpstream(geminiAdapter, chat({ stream: true, tools: [weatherTool] }), g3);
    if (first.kind !== "stream") throw new Error(`unexpected ${first.kind}`);
    const assembled = await accumulateWithOpenAI(first.chunks);
    const calls = assembled.choices[0].message.tool_calls! as Choice["message"]["tool_calls"];
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([{ city: "Paris" }, { city: "Oslo" }]);
    const second = await callUpstream(
      geminiAdapter,
      chat({
        messages: [
          { role: "user", content: "Hello" },
          { role: "assistant", content: null, tool_calls: calls },
          { role: "tool", tool_call_id: calls[0].id, content: "18" },
          { role: "tool", tool_call_id: calls[1].id, content: "4" },
        ],
        tools: [weatherTool],
      }),
      g3,
    );
    expect(second).toMatchObject({ kind: "completion", body: { choices: [{ message: { content: 'Tool results: {"result":18}; {"result":4}' } }] } });
  });

  it("replays a history written for another provider with the documented signature bypass", async () => {
    const outcome = await callUpstream(
      geminiAdapter,
      chat({
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: null, tool_calls: [{ id: "toolu_01FromClaude", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } }] },
          { role: "tool", tool_call_id: "toolu_01FromClaude", content: "25°C" },
        ],
        tools: [weatherTool],
      }),
      { ...ctx, model: "gemini-3-pro-preview" },
    );
    expect(outcome).toMatchObject({ kind: "completion", body: { choices: [{ message: { content: 'Tool results: {"result":"25°C"}' } }] } });
  });

  it("streams text with usage last, assembled by the openai client", async () => {
    const outcome = await callUpstream(geminiAdapter, chat({ stream: true, messages: [{ role: "user", content: "a b c d e f g h" }] }), ctx, { clientWantsUsage: true });
    if (outcome.kind !== "stream") throw new Error(`unexpected ${outcome.kind}`);
    expect(outcome.error).toBeNull();
    expect(fake.received.at(-1)!.query).toEqual({ alt: "sse" });
    expect(outcome.chunks.filter((c) => (c.choices as unknown[]).length === 1 && "content" in ((c.choices as { delta: object }[])[0].delta)).length).toBeGreaterThan(2);
    const final = await accumulateWithOpenAI(outcome.chunks);
    expect(final.choices[0].message.content).toBe("Echo: a b c d e f g h");
    expect(final.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 9 + 3 });
  });

  it("reports safety blocks as content_filter", async () => {
    fake.enqueue({ reply: { blockReason: "SAFETY" } }, { reply: { text: "Partial", finishReason: "SAFETY" } });
    expect(await callUpstream(geminiAdapter, chat(), ctx)).toMatchObject({ kind: "completion", body: { choices: [{ finish_reason: "content_filter" }] } });
    const streamed = await callUpstream(geminiAdapter, chat({ stream: true }), ctx);
    if (streamed.kind !== "stream") throw new Error(`unexpected ${streamed.kind}`);
    expect((await accumulateWithOpenAI(streamed.chunks)).choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: "Partial" } });
  });

  it("maps upstream errors; the provider key never appears", async () => {
    const wrongKey = await callUpstream(geminiAdapter, chat(), { ...ctx, apiKey: "AIzaSyWRONGWRONGWRONGWRONG0123456789" });
    expect(wrongKey).toMatchObject({ kind: "error", status: 400, mapped: { status: 502, body: { error: { type: "upstream_error", code: "upstream_auth_failed" } } } });
    expect(JSON.stringify(wrongKey)).not.toContain("WRONGWRONG");
    const noKey = await callUpstream(geminiAdapter, chat(), { ...ctx, apiKey: "" });
    expect(noKey).toMatchObject({ kind: "error", status: 403, mapped: { status: 502, body: { error: { code: "upstream_auth_failed" } } } });
    expect(await callUpstream(geminiAdapter, chat(), { ...ctx, model: "gemini-nonexistent" })).toMatchObject({ kind: "error", mapped: { status: 404, body: { error: { type: "not_found_error" } } } });

    fake.enqueue({ error: "resource_exhausted" }, { error: "unavailable" }, { error: "internal" });
    expect(await callUpstream(geminiAdapter, chat(), ctx)).toMatchObject({ kind: "error", mapped: { status: 429, body: { error: { type: "rate_limit_error" } } } });
    expect(await callUpstream(geminiAdapter, chat(), ctx)).toMatchObject({ kind: "error", mapped: { status: 503, body: { error: { code: "upstream_overloaded" } } } });
    expect(await callUpstream(geminiAdapter, chat(), ctx)).toMatchObject({ kind: "error", mapped: { status: 502, body: { error: { code: "upstream_error" } } } });
  });

  it("reports mid-stream errors and cut streams", async () => {
    const long = { stream: true, messages: [{ role: "user", content: "one two three four five six seven" }] };
    fake.enqueue({ streamError: { afterEvents: 1, kind: "unavailable" } }, { cutAfterEvents: 1 });
    expect(await callUpstream(geminiAdapter, chat(long), ctx)).toMatchObject({ kind: "stream", error: { status: 503, body: { error: { code: "upstream_overloaded" } } } });
    expect(await callUpstream(geminiAdapter, chat(long), ctx)).toMatchObject({ kind: "stream", error: { status: 502, body: { error: { code: "upstream_stream_error" } } } });
  });

  it("lists the chat models", async () => {
    expect(await listModels(geminiAdapter, { apiKey: fake.apiKey, baseUrl: fake.url })).toEqual(["gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview"]);
  });
});
