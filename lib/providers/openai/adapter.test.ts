// The OpenAI adapter against the fake OpenAI upstream over real HTTP: what it forwards must
// pass the fake's checks of OpenAI's wire format, and what comes back reaches the client
// as OpenAI sent it.
import { parseSse } from "../sse";
import type { AdapterContext, ChatRequest } from "../types";
import { startFakeOpenAI, type FakeOpenAI } from "@/test/fakes/openai";
import { callUpstream, listModels } from "@/test/helpers/providers/call-upstream";
import { openaiAdapter } from "./index";

let fake: FakeOpenAI;
let ctx: AdapterContext;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  ctx = { apiKey: fake.apiKey, baseUrl: fake.baseUrl, model: "gpt-4o-mini", requestId: "it1", created: 1_700_000_000 };
});
afterAll(() => fake.close());

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: "gpt-4o-mini", messages: [{ role: "user", content: "say hello" }], ...extra });
/** The fake's behaviour switches ride on the model name the adapter sends. */
const as = (model: string): AdapterContext => ({ ...ctx, model });

describe("OpenAI adapter against the fake upstream", () => {
  it("answers a plain request with OpenAI's own object and its usage", async () => {
    const outcome = await callUpstream(openaiAdapter, chat({ temperature: 0.2, metadata: { team: "a" } }), ctx);
    expect(outcome).toMatchObject({ kind: "completion", body: { object: "chat.completion", choices: [{ message: { content: "word0 word1 word2 " } }] }, usage: { inputTokens: 5, outputTokens: 3 } });
    expect(fake.requests.at(-1)).toMatchObject({ authorized: true, body: chat({ temperature: 0.2, metadata: { team: "a" } }) });
  });

  it("streams the bytes through, asking for usage and dropping the usage chunk the client did not ask for", async () => {
    for (const clientWantsUsage of [false, true]) {
      const outcome = await callUpstream(openaiAdapter, chat({ stream: true }), ctx, { clientWantsUsage });
      if (outcome.kind !== "stream") throw new Error(`expected a stream, got ${outcome.kind}`);
      expect([clientWantsUsage, outcome.chunks, outcome.usage, outcome.error]).toEqual([clientWantsUsage, [], { inputTokens: 5, outputTokens: 3, cachedInputTokens: 0 }, null]);
      const events = parseSse(outcome.text);
      expect(events.at(-1)!.data).toBe("[DONE]");
      const usageChunks = events.slice(0, -1).filter((e) => JSON.parse(e.data).choices.length === 0);
      expect(usageChunks.length).toBe(clientWantsUsage ? 1 : 0);
      expect(fake.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    }
  });

  it("passes an error event inside the stream on and records it as upstream_stream_error", async () => {
    const reported = await callUpstream(openaiAdapter, chat({ stream: true }), as("gpt-4o-mini:error-event"));
    expect(reported).toMatchObject({ kind: "stream", error: { code: "upstream_stream_error", providerCode: "server_error" } });
    expect(parseSse((reported as { text: string }).text).at(-1)!.data).toContain('"error"');
  });

  it("passes OpenAI's refusals on, and answers a refused gateway key as upstream_auth_failed", async () => {
    const unknown = await callUpstream(openaiAdapter, chat({ foo: 1 }), ctx);
    expect(unknown).toMatchObject({ kind: "error", status: 400, mapped: { code: "upstream_rejected", status: 400, body: { error: { message: "Unrecognized request argument supplied: foo", code: null } } } });
    const limited = await callUpstream(openaiAdapter, chat(), as("gpt-4o-mini:status=429"));
    expect(limited).toMatchObject({ kind: "error", status: 429, mapped: { code: "upstream_rejected", providerCode: "rate_limit_exceeded", status: 429 } });
    const wrongKey = await callUpstream(openaiAdapter, chat(), { ...ctx, apiKey: "sk-wrong-gateway-key-0123456789" });
    expect(wrongKey).toMatchObject({ kind: "error", status: 401, mapped: { code: "upstream_auth_failed", status: 502, body: { error: { type: "upstream_error" } } } });
    expect(JSON.stringify((wrongKey as { mapped: unknown }).mapped)).not.toContain("sk-wrong");
  });

  it("lists the models", async () => {
    expect(await listModels(openaiAdapter, { apiKey: fake.apiKey, baseUrl: fake.baseUrl })).toEqual(["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "text-embedding-3-small", "dall-e-3"]);
  });
});
