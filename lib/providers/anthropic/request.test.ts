import { MappedErrorException, type AdapterContext, type ChatRequest } from "../types";
import { anthropicAdapter, createAnthropicAdapter } from "./index";
import { convertChatRequest, DEFAULT_MAX_TOKENS } from "./request";

const v2023 = { version: "2023-06-01" as const };
const convert = (request: Omit<ChatRequest, "model">, model = "claude-sonnet-4-5") =>
  convertChatRequest({ model, ...request } as ChatRequest, model, v2023);

function refusal(fn: () => unknown): MappedErrorException {
  try {
    fn();
  } catch (error) {
    if (error instanceof MappedErrorException) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

const ctx: AdapterContext = {
  apiKey: "sk-ant-test-key",
  baseUrl: "http://anthropic.test",
  model: "claude-sonnet-4-5",
  requestId: "req1",
  created: 1_700_000_000,
};

describe("Anthropic request conversion", () => {
  it("moves system and developer messages, in order, into the top-level system", () => {
    const out = convert({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
      ],
    });
    expect(out.system).toEqual([
      { type: "text", text: "Be brief." },
      { type: "text", text: "Answer in French." },
    ]);
    expect(out.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
  });

  it("keeps a multi-turn history and merges consecutive turns of one role", () => {
    const out = convert({
      messages: [
        { role: "user", content: "One" },
        { role: "user", content: "Two" },
        { role: "assistant", content: "Three" },
        { role: "user", content: "Four" },
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "One" }, { type: "text", text: "Two" }] },
      { role: "assistant", content: [{ type: "text", text: "Three" }] },
      { role: "user", content: [{ type: "text", text: "Four" }] },
    ]);
  });

  it("converts images given as base64 data URLs and as https URLs", () => {
    const out = convert({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare these" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
          ],
        },
      ],
    });
    expect(out.messages[0].content).toEqual([
      { type: "text", text: "Compare these" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
  });

  it("refuses images Anthropic cannot read, with the offending field named", () => {
    const bmp = refusal(() =>
      convert({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }] }] }),
    );
    expect(bmp.mapped.status).toBe(400);
    expect(bmp.mapped.body.error).toMatchObject({ type: "invalid_request_error", param: "messages[0].content[0].image_url.url" });
    const notBase64 = refusal(() =>
      convert({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png,%89PNG" } }] }] }),
    );
    expect(notBase64.mapped.body.error.message).toMatch(/base64/);
    const ftp = refusal(() => convert({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }] }] }));
    expect(ftp.mapped.status).toBe(400);
  });

  it("sends PDF files as document blocks and refuses audio input", () => {
    const out = convert({
      messages: [{ role: "user", content: [{ type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } }] }],
    });
    expect(out.messages[0].content).toEqual([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } }]);
    const audio = refusal(() =>
      convert({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }] }] }),
    );
    expect(audio.mapped.body.error.code).toBe("unsupported_value");
  });

  it("converts tools and each tool_choice form", () => {
    const tools = [
      {
        type: "function",
        function: { name: "get_weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } } } },
      },
      { type: "function", function: { name: "no_params" } },
    ];
    const base = { messages: [{ role: "user", content: "?" }], tools };
    const out = convert(base);
    expect(out.tools).toEqual([
      { name: "get_weather", description: "Weather now", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      { name: "no_params", input_schema: { type: "object", properties: {} } },
    ]);
    expect(out.tool_choice).toBeUndefined();
    expect(convert({ ...base, tool_choice: "auto" }).tool_choice).toEqual({ type: "auto" });
    expect(convert({ ...base, tool_choice: "none" }).tool_choice).toEqual({ type: "none" });
    expect(convert({ ...base, tool_choice: "required" }).tool_choice).toEqual({ type: "any" });
    expect(convert({ ...base, tool_choice: { type: "function", function: { name: "get_weather" } } }).tool_choice).toEqual({
      type: "tool",
      name: "get_weather",
    });
    expect(convert({ ...base, parallel_tool_calls: false }).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(convert({ ...base, tool_choice: "required", parallel_tool_calls: false }).tool_choice).toEqual({
      type: "any",
      disable_parallel_tool_use: true,
    });
  });

  it("refuses tools that are not functions", () => {
    const error = refusal(() => convert({ messages: [{ role: "user", content: "?" }], tools: [{ type: "custom", custom: { name: "x" } }] }));
    expect(error.mapped.body.error.message).toMatch(/function/);
  });

  it("round-trips assistant tool calls and tool results with the ids unchanged", () => {
    const out = convert({
      messages: [
        { role: "user", content: "Weather in Paris and London?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "toolu_A", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "toolu_B", type: "function", function: { name: "get_weather", arguments: '{"city":"London"}' } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_A", content: "18°C" },
        { role: "tool", tool_call_id: "toolu_B", content: [{ type: "text", text: "12°C" }] },
        { role: "user", content: "Thanks, and tomorrow?" },
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and London?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_A", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_B", name: "get_weather", input: { city: "London" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_A", content: "18°C" },
          { type: "tool_result", tool_use_id: "toolu_B", content: [{ type: "text", text: "12°C" }] },
          { type: "text", text: "Thanks, and tomorrow?" },
        ],
      },
    ]);
  });

  it("puts tool results before text even when a user message came first", () => {
    const out = convert({
      messages: [
        { role: "user", content: "Go" },
        { role: "assistant", content: "Calling", tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "" } }] },
        { role: "user", content: "(note)" },
        { role: "tool", tool_call_id: "t1", content: "done" },
      ],
    });
    expect(out.messages[1].content).toEqual([
      { type: "text", text: "Calling" },
      { type: "tool_use", id: "t1", name: "f", input: {} },
    ]);
    expect(out.messages[2].content.map((b) => b.type)).toEqual(["tool_result", "text"]);
  });

  it("refuses tool-call arguments that are not a JSON object", () => {
    const error = refusal(() =>
      convert({
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{not json" } }] },
        ],
      }),
    );
    expect(error.mapped.body.error.param).toBe("messages[1].tool_calls[0].function.arguments");
  });

  it("uses max_completion_tokens, then max_tokens, then the documented default", () => {
    const messages = [{ role: "user", content: "x" }];
    expect(convert({ messages }).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(convert({ messages, max_tokens: 50 }).max_tokens).toBe(50);
    expect(convert({ messages, max_tokens: 50, max_completion_tokens: 70 }).max_tokens).toBe(70);
  });

  it("passes temperature, top_p, stop and user; refuses temperature above 1", () => {
    const out = convert({ messages: [{ role: "user", content: "x" }], temperature: 0.3, top_p: 0.9, stop: "END", user: "user-42" });
    expect(out).toMatchObject({ temperature: 0.3, top_p: 0.9, stop_sequences: ["END"], metadata: { user_id: "user-42" } });
    expect(convert({ messages: [{ role: "user", content: "x" }], stop: ["a", "b"], safety_identifier: "hash1", user: "u" })).toMatchObject({
      stop_sequences: ["a", "b"],
      metadata: { user_id: "hash1" },
    });
    const hot = refusal(() => convert({ messages: [{ role: "user", content: "x" }], temperature: 1.5 }));
    expect(hot.mapped.body.error.param).toBe("temperature");
  });

  it("drops temperature and top_p under anthropic-version 2026-10-21, which refuses them", () => {
    const out = convertChatRequest(
      { model: "claude-x", messages: [{ role: "user", content: "x" }], temperature: 0.2, top_p: 0.5 },
      "claude-x",
      { version: "2026-10-21" },
    );
    expect(out).not.toHaveProperty("temperature");
    expect(out).not.toHaveProperty("top_p");
  });

  it("maps response_format json_schema to output_config and drops json_object", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
    const out = convert({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_schema", json_schema: { name: "r", schema } } });
    expect(out.output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(convert({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } })).not.toHaveProperty("output_config");
  });

  it("refuses what Anthropic cannot honour with OpenAI-shaped 400s", () => {
    const messages = [{ role: "user", content: "x" }];
    for (const [extra, param] of [
      [{ n: 2 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [{ top_logprobs: 3 }, "logprobs"],
      [{ modalities: ["text", "audio"] }, "modalities"],
      [{ functions: [{ name: "f" }] }, "functions"],
      [{ web_search_options: {} }, "web_search_options"],
    ] as const) {
      const error = refusal(() => convert({ messages, ...extra }));
      expect(error.mapped).toEqual({
        code: expect.stringMatching(/^unsupported_/),
        status: 400,
        body: { error: { message: expect.any(String), type: "invalid_request_error", param, code: expect.stringMatching(/^unsupported_/) } },
      });
    }
    expect(() => convert({ messages, n: 1, logprobs: false })).not.toThrow();
  });

  it("drops parameters Anthropic has no field for, so Anthropic's unknown-field check never fires", () => {
    const out = convert({
      messages: [{ role: "user", content: "x" }],
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { 50256: -100 },
      store: true,
      metadata: { app: "x" },
      service_tier: "auto",
      reasoning_effort: "low",
      prediction: { type: "content", content: "x" },
      stream_options: { include_usage: true },
      some_future_param: 1,
    });
    expect(Object.keys(out).sort()).toEqual(["max_tokens", "messages", "model"]);
  });

  it("refuses a conversation of system messages only", () => {
    expect(refusal(() => convert({ messages: [{ role: "system", content: "x" }] })).mapped.body.error.param).toBe("messages");
  });

  it("answers a malformed message with a 400 naming the field", () => {
    const error = refusal(() => convert({ messages: [{ role: "user" }] }));
    expect(error.mapped.status).toBe(400);
    expect(error.mapped.body.error.param).toBe("messages[0].content");
    expect(refusal(() => convert({ messages: [{ role: "wizard", content: "x" }] })).mapped.body.error.param).toBe("messages[0].role");
  });

  it("builds the upstream call with Anthropic's headers and URL", () => {
    const call = anthropicAdapter.buildChatRequest({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hi" }], stream: true }, ctx);
    expect(call).toMatchObject({
      url: "http://anthropic.test/v1/messages",
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "sk-ant-test-key", "anthropic-version": "2023-06-01", accept: "text/event-stream" },
    });
    expect(JSON.parse(call.body!)).toMatchObject({ model: "claude-sonnet-4-5", stream: true, max_tokens: DEFAULT_MAX_TOKENS });
    const newer = createAnthropicAdapter({ version: "2026-10-21" }).buildChatRequest({ model: "m", messages: [{ role: "user", content: "Hi" }] }, ctx);
    expect(newer.headers["anthropic-version"]).toBe("2026-10-21");
    expect(JSON.parse(newer.body!)).not.toHaveProperty("stream");
  });

  it("sends the model name the gateway resolved, not the client's provider/ prefix", () => {
    const call = anthropicAdapter.buildChatRequest({ model: "anthropic/claude-haiku-4-5", messages: [{ role: "user", content: "Hi" }] }, {
      ...ctx,
      model: "claude-haiku-4-5",
    });
    expect(JSON.parse(call.body!).model).toBe("claude-haiku-4-5");
  });

  it("owns claude-* model names only", () => {
    expect(anthropicAdapter.ownsModel("claude-opus-4-1")).toBe(true);
    expect(anthropicAdapter.ownsModel("gpt-4o")).toBe(false);
    expect(anthropicAdapter.ownsModel("gemini-2.5-flash")).toBe(false);
  });
});
