// The Anthropic adapter against the fake Anthropic upstream over real HTTP: every request
// the adapter builds must pass the fake's checks of Anthropic's wire format, and every
// answer must come back in OpenAI's shape.
import { startFakeAnthropic, type FakeAnthropic } from "@/test/fakes/anthropic";
import { callUpstream, listModels } from "@/test/helpers/providers/call-upstream";
import { accumulateWithOpenAI } from "@/test/helpers/providers/replay";
import type { AdapterContext, ChatRequest } from "../types";
import { anthropicAdapter, createAnthropicAdapter } from "./index";
import { fakeAnthropicKey } from "@/test/helpers/fake-secrets";

let fake: FakeAnthropic;
let ctx: AdapterContext;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  ctx = { apiKey: fake.apiKey, baseUrl: fake.url, model: "claude-sonnet-4-5", requestId: "it1", created: 1_700_000_000 };
});
afterAll(() => fake.close());

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hello" }], ...extra });
const weatherTool = {
  type: "function",
  function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

describe("Anthropic adapter against the fake upstream", () => {
  it("answers a plain request", async () => {
    const outcome = await callUpstream(anthropicAdapter, chat(), ctx);
    expect(outcome).toMatchObject({
      kind: "completion",
      body: { object: "chat.completion", model: "claude-sonnet-4-5", choices: [{ message: { role: "assistant", content: "Echo: Hello" }, finish_reason: "stop" }] },
      usage: { inputTokens: 1, outputTokens: 2 },
    });
    const sent = fake.received.at(-1)!;
    expect(sent.headers).toMatchObject({ "x-api-key": fake.apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" });
    expect(sent.body).toEqual({ model: "claude-sonnet-4-5", max_tokens: 4096, messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }] });
  });

  it("gets every convertible parameter past Anthropic's validation in one request", async () => {
    const outcome = await callUpstream(
      anthropicAdapter,
      chat({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: "Use metric units." },
          { role: "user", content: [{ type: "text", text: "Hi" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
          { role: "assistant", content: "Hello!" },
          { role: "user", content: "Weather?" },
        ],
        temperature: 0.2,
        top_p: 0.9,
        max_completion_tokens: 300,
        stop: ["\n\nUser:"],
        user: "user-123",
        tools: [weatherTool],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        parallel_tool_calls: false,
        seed: 1,
        presence_penalty: 0.1,
        store: false,
        n: 1,
      }),
      ctx,
    );
    expect(outcome.kind).toBe("completion");
    const structured = await callUpstream(
      anthropicAdapter,
      chat({ response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } } } }),
      ctx,
    );
    expect(structured).toMatchObject({ kind: "completion", body: { choices: [{ message: { content: '{"ok":true}' } }] } });
  });

  it("completes a full tool round trip with Anthropic's ids", async () => {
    const first = await callUpstream(anthropicAdapter, chat({ messages: [{ role: "user", content: "Weather in Paris?" }], tools: [weatherTool] }), ctx);
    if (first.kind !== "completion") throw new Error(`unexpected ${first.kind}`);
    const message = (first.body.choices as { message: { content: string; tool_calls: { id: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[])[0];
    expect(message.finish_reason).toBe("tool_calls");
    const call = message.message.tool_calls[0];
    expect(call).toMatchObject({ id: expect.stringMatching(/^toolu_/), function: { name: "get_weather", arguments: '{"city":"example"}' } });

    const second = await callUpstream(
      anthropicAdapter,
      chat({
        messages: [
          { role: "user", content: "Weather in Paris?" },
          message.message,
          { role: "tool", tool_call_id: call.id, content: "18°C and sunny" },
        ],
        tools: [weatherTool],
      }),
      ctx,
    );
    expect(second).toMatchObject({ kind: "completion", body: { choices: [{ message: { content: "Tool results: 18°C and sunny" }, finish_reason: "stop" }] } });
  });

  it("streams text and tool calls that the openai client can assemble", async () => {
    const text = await callUpstream(anthropicAdapter, chat({ stream: true, messages: [{ role: "user", content: "one two three" }] }), ctx, { clientWantsUsage: true });
    if (text.kind !== "stream") throw new Error(`unexpected ${text.kind}`);
    expect(text.error).toBeNull();
    const final = await accumulateWithOpenAI(text.chunks);
    expect(final.choices[0].message.content).toBe("Echo: one two three");
    expect(final.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });

    const tool = await callUpstream(anthropicAdapter, chat({ stream: true, tools: [weatherTool], tool_choice: "required" }), ctx);
    if (tool.kind !== "stream") throw new Error(`unexpected ${tool.kind}`);
    const assembled = await accumulateWithOpenAI(tool.chunks);
    expect(assembled.choices[0].finish_reason).toBe("tool_calls");
    expect(assembled.choices[0].message.tool_calls).toEqual([
      { id: expect.stringMatching(/^toolu_/), type: "function", function: { name: "get_weather", arguments: '{"city":"example"}' } },
    ]);
    expect(tool.chunks.some((c) => "usage" in c)).toBe(false);
  });

  it("sends images as base64 blocks or URL sources", async () => {
    const outcome = await callUpstream(
      anthropicAdapter,
      chat({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
            ],
          },
        ],
      }),
      ctx,
    );
    expect(outcome).toMatchObject({
      kind: "completion",
      body: { choices: [{ message: { content: "Echo: What is this? [saw image image/jpeg, image at https://example.com/cat.png]" } }] },
    });
  });

  it("drops temperature under anthropic-version 2026-10-21, so the request is accepted", async () => {
    const adapter = createAnthropicAdapter({ version: "2026-10-21" });
    expect((await callUpstream(adapter, chat({ temperature: 0.5, top_p: 0.5 }), ctx)).kind).toBe("completion");
    expect(fake.received.at(-1)!.headers["anthropic-version"]).toBe("2026-10-21");
  });

  it("maps upstream errors; the provider key never appears", async () => {
    const wrongKey = await callUpstream(anthropicAdapter, chat(), { ...ctx, apiKey: fakeAnthropicKey("WRONGWRONGWRONG") });
    expect(wrongKey).toMatchObject({ kind: "error", status: 401, mapped: { status: 502, body: { error: { type: "upstream_error", code: "upstream_auth_failed" } } } });
    expect(JSON.stringify(wrongKey)).not.toContain("WRONGWRONG");

    const unknownModel = await callUpstream(anthropicAdapter, chat(), { ...ctx, model: "claude-nonexistent" });
    expect(unknownModel).toMatchObject({ kind: "error", mapped: { status: 404, body: { error: { type: "not_found_error", message: "Anthropic: model: claude-nonexistent" } } } });

    fake.enqueue({ error: "rate_limit" }, { error: "overloaded" }, { error: "api_error" });
    expect(await callUpstream(anthropicAdapter, chat(), ctx)).toMatchObject({ kind: "error", status: 429, mapped: { status: 429, body: { error: { type: "rate_limit_error" } } } });
    expect(await callUpstream(anthropicAdapter, chat(), ctx)).toMatchObject({ kind: "error", status: 529, mapped: { status: 503, body: { error: { code: "upstream_overloaded" } } } });
    expect(await callUpstream(anthropicAdapter, chat(), ctx)).toMatchObject({ kind: "error", status: 500, mapped: { status: 502, body: { error: { code: "upstream_error" } } } });
  });

  it("refuses what it cannot honour before calling upstream", async () => {
    const before = fake.received.length;
    expect(await callUpstream(anthropicAdapter, chat({ n: 2 }), ctx)).toMatchObject({ kind: "refused", mapped: { status: 400, body: { error: { param: "n" } } } });
    expect(fake.received.length).toBe(before);
  });

  it("reports mid-stream errors and cut streams", async () => {
    fake.enqueue({ streamError: { afterEvents: 4, kind: "overloaded" } }, { cutAfterEvents: 5 });
    const failed = await callUpstream(anthropicAdapter, chat({ stream: true }), ctx);
    expect(failed).toMatchObject({ kind: "stream", error: { status: 503, body: { error: { code: "upstream_overloaded" } } } });
    const cut = await callUpstream(anthropicAdapter, chat({ stream: true }), ctx);
    expect(cut).toMatchObject({ kind: "stream", error: { status: 502, body: { error: { code: "upstream_stream_error" } } } });
  });

  it("lists the models", async () => {
    expect(await listModels(anthropicAdapter, { apiKey: fake.apiKey, baseUrl: fake.url })).toEqual(fake.models);
  });
});
