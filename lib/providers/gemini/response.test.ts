import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AdapterContext } from "../types";
import { geminiAdapter } from "./index";
import { decodeToolCallId } from "./tool-call-id";

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, "fixtures", name), "utf8")) as Record<string, unknown>;
const ctx: AdapterContext = { apiKey: "k", baseUrl: "http://x", model: "gemini-2.5-flash", requestId: "g1", created: 1_700_000_000 };
type Body = { model: string; choices: { message: { content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[]; usage: unknown };

describe("Gemini response conversion", () => {
  it("turns a text answer into a chat.completion; thinking counts as completion (reasoning) tokens", () => {
    const { body, usage } = geminiAdapter.convertChatResponse(fixture("text.json"), ctx);
    expect(body).toEqual({
      id: "chatcmpl-g1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gemini-2.5-flash",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "AI learns patterns from data to make predictions.", refusal: null },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 8,
        completion_tokens: 10 + 994,
        total_tokens: 1012,
        prompt_tokens_details: { cached_tokens: 2 },
        completion_tokens_details: { reasoning_tokens: 994 },
      },
    });
    expect(usage).toEqual({ inputTokens: 8, outputTokens: 1004, cachedInputTokens: 2 });
  });

  it("turns function calls into tool_calls whose ids carry Gemini's id and signature; STOP becomes tool_calls", () => {
    const { body } = geminiAdapter.convertChatResponse(fixture("function-call.json"), ctx);
    const choice = (body as Body).choices[0];
    expect((body as Body).model).toBe("gemini-3-pro-preview");
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("I'll schedule that.");
    const calls = choice.message.tool_calls!;
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["schedule_meeting", { attendees: ["Bob", "Alice"], date: "2025-03-27", time: "10:00", topic: "Q3 planning" }],
      ["notify", { channel: "#team" }],
    ]);
    expect(decodeToolCallId(calls[0].id)).toEqual({ id: "8f2kq1zx", signature: "CiQBcsjafJ8tU3s2dGFQd1hxZ0VtN2pYbW1yYm1oY3Q5ZWFl" });
    expect(decodeToolCallId(calls[1].id)).toEqual({ id: "3n8d0w2p" });
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it("answers a blocked prompt with empty content and content_filter", () => {
    const { body, usage } = geminiAdapter.convertChatResponse(fixture("safety-block.json"), ctx);
    expect((body as Body).choices[0]).toMatchObject({ message: { content: "" }, finish_reason: "content_filter" });
    expect(usage).toEqual({ inputTokens: 9, outputTokens: 0, cachedInputTokens: 0 });
  });

  it("maps finish reasons", () => {
    const cases: [string | undefined, string][] = [
      ["STOP", "stop"],
      ["MAX_TOKENS", "length"],
      ["SAFETY", "content_filter"],
      ["RECITATION", "content_filter"],
      ["PROHIBITED_CONTENT", "content_filter"],
      ["SPII", "content_filter"],
      ["BLOCKLIST", "content_filter"],
      ["OTHER", "stop"],
      ["MALFORMED_FUNCTION_CALL", "stop"],
      [undefined, "stop"],
    ];
    for (const [reason, finish] of cases) {
      const response = fixture("text.json") as { candidates: { finishReason?: string }[] };
      response.candidates[0].finishReason = reason;
      const { body } = geminiAdapter.convertChatResponse(response, ctx);
      expect([reason, (body as Body).choices[0].finish_reason]).toEqual([reason, finish]);
    }
  });

  it("skips thought-summary parts", () => {
    const response = fixture("text.json") as { candidates: { content: { parts: unknown[] } }[] };
    response.candidates[0].content.parts.unshift({ text: "**Thinking about AI**", thought: true });
    const { body } = geminiAdapter.convertChatResponse(response, ctx);
    expect((body as Body).choices[0].message.content).toBe("AI learns patterns from data to make predictions.");
  });

  it("lists only models that answer generateContent, without the models/ prefix", () => {
    expect(geminiAdapter.parseModelList(fixture("models.json"))).toEqual(["gemini-2.5-flash", "gemini-3-pro-preview"]);
    expect(geminiAdapter.buildListModelsRequest({ apiKey: "k", baseUrl: "http://x" })).toEqual({
      url: "http://x/v1beta/models?pageSize=1000",
      method: "GET",
      headers: { accept: "application/json", "x-goog-api-key": "k" },
    });
  });
});

describe("Gemini response conversion of a malformed body", () => {
  it("answers 502 in OpenAI's shape", () => {
    expect(() => geminiAdapter.convertChatResponse([1, 2], ctx)).toThrow(expect.objectContaining({ mapped: expect.objectContaining({ status: 502 }) }));
  });
});
