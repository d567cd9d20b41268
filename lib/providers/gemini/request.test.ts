import { MappedErrorException, type AdapterContext, type ChatRequest } from "../types";
import { geminiAdapter } from "./index";
import { convertChatRequest, SKIP_SIGNATURE } from "./request";
import { decodeToolCallId, encodeToolCallId } from "./tool-call-id";

const convert = (request: Omit<ChatRequest, "model">) => convertChatRequest({ model: "gemini-2.5-flash", ...request } as ChatRequest);

function refusal(fn: () => unknown): MappedErrorException {
  try {
    fn();
  } catch (error) {
    if (error instanceof MappedErrorException) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

const ctx: AdapterContext = { apiKey: "AIza-test", baseUrl: "http://gemini.test", model: "gemini-2.5-flash", requestId: "r9", created: 1 };

describe("Gemini request conversion", () => {
  it("moves system and developer messages into systemInstruction and maps roles to user/model", () => {
    const out = convert({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
        { role: "developer", content: "No emoji." },
        { role: "user", content: "Again" },
        { role: "user", content: [{ type: "text", text: "and again" }] },
      ],
    });
    expect(out.systemInstruction).toEqual({ parts: [{ text: "Be brief." }, { text: "No emoji." }] });
    expect(out.contents).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ text: "Hello" }] },
      { role: "user", parts: [{ text: "Again" }, { text: "and again" }] },
    ]);
  });

  it("converts images as inline data or as file URIs, and audio as inline data", () => {
    const out = convert({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Describe" },
            { type: "image_url", image_url: { url: "data:image/webp;base64,UklGRg==" } },
            { type: "image_url", image_url: { url: "https://example.com/photo.PNG?x=1" } },
            { type: "image_url", image_url: { url: "https://example.com/render" } },
            { type: "input_audio", input_audio: { data: "SUQz", format: "mp3" } },
            { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=" } },
          ],
        },
      ],
    });
    expect(out.contents[0].parts).toEqual([
      { text: "Describe" },
      { inlineData: { mimeType: "image/webp", data: "UklGRg==" } },
      { fileData: { mimeType: "image/png", fileUri: "https://example.com/photo.PNG?x=1" } },
      { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/render" } },
      { inlineData: { mimeType: "audio/mp3", data: "SUQz" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
    ]);
    const fileId = refusal(() => convert({ messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }] }));
    expect(fileId.mapped.body.error.param).toBe("messages[0].content[0].file");
  });

  it("declares tools with their JSON Schema and maps each tool_choice", () => {
    const parameters = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const base = {
      messages: [{ role: "user", content: "?" }],
      tools: [
        { type: "function", function: { name: "get_weather", description: "Weather", parameters } },
        { type: "function", function: { name: "ping" } },
      ],
    };
    expect(convert(base).tools).toEqual([
      { functionDeclarations: [{ name: "get_weather", description: "Weather", parametersJsonSchema: parameters }, { name: "ping" }] },
    ]);
    expect(convert(base).toolConfig).toBeUndefined();
    expect(convert({ ...base, tool_choice: "auto" }).toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(convert({ ...base, tool_choice: "none" }).toolConfig).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(convert({ ...base, tool_choice: "required" }).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(convert({ ...base, tool_choice: { type: "function", function: { name: "ping" } } }).toolConfig).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["ping"] },
    });
  });

  it("round-trips tool calls: Gemini's id and thought signature come back from the tool-call id", () => {
    const signed = encodeToolCallId("r1_0", { id: "fc-1", signature: "c2lnbmF0dXJl" });
    const plain = encodeToolCallId("r1_1", {});
    const out = convert({
      messages: [
        { role: "user", content: "Weather in Paris and London?" },
        {
          role: "assistant",
          content: "Looking.",
          tool_calls: [
            { id: signed, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: plain, type: "function", function: { name: "get_weather", arguments: '{"city":"London"}' } },
          ],
        },
        { role: "tool", tool_call_id: signed, content: '{"temp":18}' },
        { role: "tool", tool_call_id: plain, content: "12°C" },
      ],
    });
    expect(out.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris and London?" }] },
      {
        role: "model",
        parts: [
          { text: "Looking." },
          { functionCall: { name: "get_weather", args: { city: "Paris" }, id: "fc-1" }, thoughtSignature: "c2lnbmF0dXJl" },
          { functionCall: { name: "get_weather", args: { city: "London" } } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_weather", response: { temp: 18 }, id: "fc-1" } },
          { functionResponse: { name: "get_weather", response: { result: "12°C" } } },
        ],
      },
    ]);
  });

  it("signs calls that did not come from Gemini with the documented bypass value", () => {
    const out = convert({
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          tool_calls: [
            { id: "toolu_fromClaude", type: "function", function: { name: "f", arguments: "{}" } },
            { id: "toolu_second", type: "function", function: { name: "g", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_fromClaude", content: "1" },
        { role: "tool", tool_call_id: "toolu_second", content: "[1,2]" },
      ],
    });
    expect(out.contents[1].parts).toEqual([
      { functionCall: { name: "f", args: {} }, thoughtSignature: SKIP_SIGNATURE },
      { functionCall: { name: "g", args: {} } },
    ]);
    expect(out.contents[2].parts).toEqual([
      { functionResponse: { name: "f", response: { result: 1 } } },
      { functionResponse: { name: "g", response: { result: [1, 2] } } },
    ]);
  });

  it("matches a tool result whose id it cannot find by its position after the tool calls", () => {
    const out = convert({
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", tool_calls: [{ id: "a", type: "function", function: { name: "first", arguments: "{}" } }, { id: "b", type: "function", function: { name: "second", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "a", content: "1" },
        { role: "tool", tool_call_id: "mangled-by-client", content: "2" },
      ],
    });
    expect(out.contents[2].parts.map((p) => p.functionResponse?.name)).toEqual(["first", "second"]);
    const orphan = refusal(() => convert({ messages: [{ role: "user", content: "x" }, { role: "tool", tool_call_id: "nope", content: "1" }] }));
    expect(orphan.mapped.body.error.param).toBe("messages[1].tool_call_id");
  });

  it("maps sampling, length, stop, seed, penalties and JSON output into generationConfig", () => {
    const schema = { type: "object", properties: { a: { type: "number" } } };
    const out = convert({
      messages: [{ role: "user", content: "x" }],
      temperature: 1.4,
      top_p: 0.8,
      max_tokens: 10,
      max_completion_tokens: 20,
      stop: ["END", ""],
      seed: 3,
      presence_penalty: 0.5,
      frequency_penalty: 0,
      response_format: { type: "json_schema", json_schema: { name: "r", schema } },
    });
    expect(out.generationConfig).toEqual({
      temperature: 1.4,
      topP: 0.8,
      maxOutputTokens: 20,
      stopSequences: ["END"],
      seed: 3,
      presencePenalty: 0.5,
      responseMimeType: "application/json",
      responseJsonSchema: schema,
    });
    expect(convert({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } }).generationConfig).toEqual({
      responseMimeType: "application/json",
    });
    expect(convert({ messages: [{ role: "user", content: "x" }], response_format: { type: "text" } })).not.toHaveProperty("generationConfig");
  });

  it("refuses what Gemini cannot honour here with OpenAI-shaped 400s", () => {
    const messages = [{ role: "user", content: "x" }];
    for (const [extra, param] of [
      [{ n: 3 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [{ modalities: ["audio"] }, "modalities"],
      [{ function_call: "auto" }, "functions"],
      [{ web_search_options: {} }, "web_search_options"],
    ] as const) {
      expect(refusal(() => convert({ messages, ...extra })).mapped).toMatchObject({ status: 400, body: { error: { type: "invalid_request_error", param } } });
    }
  });

  it("refuses a conversation of system messages only", () => {
    expect(refusal(() => convert({ messages: [{ role: "developer", content: "x" }] })).mapped.body.error.param).toBe("messages");
  });

  it("drops parameters without a Gemini field", () => {
    const out = convert({
      messages: [{ role: "user", content: "x" }],
      user: "u1",
      parallel_tool_calls: false,
      logit_bias: { 1: 2 },
      store: false,
      reasoning_effort: "high",
      stream_options: { include_usage: true },
    });
    expect(Object.keys(out)).toEqual(["contents"]);
  });

  it("builds generateContent and streamGenerateContent?alt=sse calls with the key in x-goog-api-key", () => {
    const plain = geminiAdapter.buildChatRequest({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hi" }] }, ctx);
    expect(plain).toMatchObject({
      url: "http://gemini.test/v1beta/models/gemini-2.5-flash:generateContent",
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "AIza-test" },
    });
    expect(plain.url).not.toContain("key=");
    const streamed = geminiAdapter.buildChatRequest({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hi" }], stream: true }, ctx);
    expect(streamed.url).toBe("http://gemini.test/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(JSON.parse(streamed.body!)).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });

  it("owns gemini-* model names only", () => {
    expect(geminiAdapter.ownsModel("gemini-3-pro-preview")).toBe(true);
    expect(geminiAdapter.ownsModel("claude-x")).toBe(false);
  });
});

describe("Gemini tool-call ids", () => {
  it("carry Gemini's id and signature and decode to nothing for foreign ids", () => {
    const id = encodeToolCallId("req_2", { id: "abc", signature: "Zm9vYmFy+/==" });
    expect(id).toMatch(/^call_req_2\.gx\.[A-Za-z0-9_-]+$/);
    expect(decodeToolCallId(id)).toEqual({ id: "abc", signature: "Zm9vYmFy+/==" });
    expect(encodeToolCallId("req_3", {})).toBe("call_req_3");
    expect(decodeToolCallId("call_req_3")).toEqual({});
    expect(decodeToolCallId("toolu_01A")).toEqual({});
    expect(decodeToolCallId("call_x.gx.!!!")).toEqual({});
  });
});
