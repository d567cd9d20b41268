// Claude models through the gateway: the official openai client (v6) against the
// production server, the fake Anthropic Messages API behind it (which checks x-api-key,
// anthropic-version and the request the way the real API does). Completions, streams that
// arrive as they are produced, tool calls as full round trips, images, every error path, and
// the usage record.
import type OpenAI from "openai";
import { APIError, BadRequestError, InternalServerError, RateLimitError } from "openai";
import { getDb } from "@/lib/db/client";
import type { AppServer } from "@/test/helpers/app-server";
import { waitFor } from "@/test/helpers/ports";
import type { FakeAnthropic } from "@/test/fakes/anthropic";
import { flushedLog, raised, startGatewayHarness, type GatewayHarness } from "./gateway-harness";
import { fakeAnthropicKey } from "@/test/helpers/fake-secrets";

let h: GatewayHarness;
let anthropic: FakeAnthropic;
let server: AppServer;
/** The Anthropic key is wrong and Google has none. */
let misconfigured: AppServer;
const WRONG_KEY = fakeAnthropicKey("wrong-gateway-key-0123456789");

beforeAll(async () => {
  h = await startGatewayHarness({ providers: true });
  anthropic = h.anthropic!;
  [server, misconfigured] = await Promise.all([h.startServer(), h.startServer({ ANTHROPIC_API_KEY: WRONG_KEY, GOOGLE_API_KEY: undefined })]);
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const MODEL = "claude-haiku-4-5";
const ask = (text: string) => [{ role: "user" as const, content: text }];
const lastUpstream = () => anthropic.received.at(-1)!;
async function clientFor(name: string, target = server) {
  const { id, secret } = await h.createKey({ name, rateLimit: 100 });
  return { id, client: h.client(target, secret) };
}

const weather: OpenAI.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("Anthropic through the gateway", () => {
  it("answers a plain completion, converted from the Messages API, and records provider, answering model and tokens", async () => {
    const { id, client } = await clientFor("plain");
    anthropic.enqueue({ reply: { model: "claude-haiku-4-5-20251001" } });
    const { data, response } = await client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: "system", content: "Be brief." }, ...ask("say hello please")],
        max_completion_tokens: 64,
        temperature: 0.3,
        stop: ["never said"],
        user: "user-7",
      })
      .withResponse();

    expect(data).toMatchObject({ object: "chat.completion", model: "claude-haiku-4-5-20251001" });
    expect(data.choices).toEqual([
      { index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", content: "Echo: say hello please", refusal: null } },
    ]);
    // The fake counts words: "Be brief." + "say hello please" in, "Echo: say hello please" out.
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });

    const upstream = lastUpstream();
    expect(upstream.path).toBe("/v1/messages");
    expect(upstream.headers).toMatchObject({ "x-api-key": anthropic.apiKey, "anthropic-version": "2023-06-01" });
    expect(upstream.headers.authorization).toBeUndefined();
    expect(upstream.body).toEqual({
      model: MODEL,
      max_tokens: 64,
      system: [{ type: "text", text: "Be brief." }],
      messages: [{ role: "user", content: [{ type: "text", text: "say hello please" }] }],
      temperature: 0.3,
      stop_sequences: ["never said"],
      metadata: { user_id: "user-7" },
    });

    const log = await flushedLog(response.headers.get("x-request-id")!);
    expect(log).toMatchObject({ keyId: id, status: 200, provider: "anthropic", model: "claude-haiku-4-5-20251001", promptTokens: 5, completionTokens: 4, stream: false, errorCode: null });
  });

  it("sends Anthropic's required max_tokens when the client gives none", async () => {
    const { client } = await clientFor("max-tokens");
    await client.chat.completions.create({ model: MODEL, messages: ask("hi") });
    expect((lastUpstream().body as { max_tokens: number }).max_tokens).toBe(4096);
  });

  it("streams chunks as Anthropic produces them: the first arrives while the upstream is still held", async () => {
    const { id, client } = await clientFor("stream");
    // message_start, content_block_start, ping and the first text delta, then the fake waits.
    anthropic.enqueue({ gateAfterEvents: 4 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: MODEL, messages: ask("one two three four five"), stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const chunks = stream[Symbol.asyncIterator]();
    const first = (await chunks.next()).value as OpenAI.ChatCompletionChunk;
    const second = (await chunks.next()).value as OpenAI.ChatCompletionChunk;
    expect(first.choices[0].delta).toMatchObject({ role: "assistant" });
    expect(second.choices[0].delta.content).toBe("Echo: ");
    await waitFor("the fake to hold the rest of the stream", () => expect(anthropic.gateWaiting()).toBe(1));
    const upstream = lastUpstream();
    expect(upstream.state).toBe("open");
    expect(upstream.headers["x-api-key"]).toBe(anthropic.apiKey);

    anthropic.openGate();
    let text = "Echo: ";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      const chunk = next.value;
      expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: MODEL });
      if (chunk.usage) usage = chunk.usage;
      if (chunk.choices[0]) {
        text += chunk.choices[0].delta.content ?? "";
        finish = chunk.choices[0].finish_reason ?? finish;
      }
    }
    expect(text).toBe("Echo: one two three four five");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 });
    expect(upstream.state).toBe("completed");

    const log = await flushedLog(response.headers.get("x-request-id")!);
    expect(log).toMatchObject({ keyId: id, status: 200, provider: "anthropic", model: MODEL, stream: true, promptTokens: 5, completionTokens: 6, errorCode: null });
    expect(log.ttfbMs).not.toBeNull();
  });

  it("sends no usage chunk to a client that did not ask for it, and still records the tokens", async () => {
    const { client } = await clientFor("stream-no-usage");
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask("a b c"), stream: true }).withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("Echo: a b c");
    expect(await flushedLog(response.headers.get("x-request-id")!)).toMatchObject({ stream: true, promptTokens: 3, completionTokens: 4 });
  });

  it("aborts the Anthropic request when the client goes away mid-stream", async () => {
    const { client } = await clientFor("abort");
    anthropic.enqueue({ gateAfterEvents: 4 });
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask("wait for me"), stream: true }).withResponse();
    const chunks = stream[Symbol.asyncIterator]();
    await chunks.next();
    await waitFor("the fake to hold the stream", () => expect(anthropic.gateWaiting()).toBe(1));
    const upstream = lastUpstream();
    stream.controller.abort();
    await waitFor("the upstream request to be aborted", () => expect(upstream.state).toBe("aborted"));
    expect(await flushedLog(response.headers.get("x-request-id")!)).toMatchObject({ status: 200, stream: true, errorCode: "client_closed_request" });
  });

  it("completes a tool-calling round trip: tool call, tool result, final answer", async () => {
    const { client } = await clientFor("tools");
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "What's the weather in Paris?" };
    const first = await client.chat.completions.create({ model: MODEL, messages: [question], tools: [weather], tool_choice: "auto" });
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ id: expect.stringMatching(/^toolu_/), type: "function", function: { name: "get_weather" } });
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "example" });
    expect(first.choices[0].message.content).toBe("I'll use get_weather.");
    expect((lastUpstream().body as Record<string, unknown>).tools).toEqual([
      { name: "get_weather", description: "Current weather for a city", input_schema: weather.function.parameters },
    ]);
    expect((lastUpstream().body as Record<string, unknown>).tool_choice).toEqual({ type: "auto" });

    const second = await client.chat.completions.create({
      model: MODEL,
      messages: [question, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "18°C and sunny" }],
      tools: [weather],
    });
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "Tool results: 18°C and sunny" } });
    // The fake, like Anthropic, refuses a tool_result that answers no tool_use of the previous turn.
    expect((lastUpstream().body as { messages: unknown[] }).messages).toEqual([
      { role: "user", content: [{ type: "text", text: "What's the weather in Paris?" }] },
      { role: "assistant", content: [{ type: "text", text: "I'll use get_weather." }, { type: "tool_use", id: call.id, name: "get_weather", input: { city: "example" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18°C and sunny" }] },
    ]);
  });

  it("completes a streamed tool-calling round trip, the calls assembled by the openai client", async () => {
    const { client } = await clientFor("tools-stream");
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Weather in Oslo, please" };
    const first = await client.chat.completions.stream({ model: MODEL, messages: [question], tools: [weather], tool_choice: "required" }).finalChatCompletion();
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    const call = first.choices[0].message.tool_calls![0];
    expect(call.id).toMatch(/^toolu_/);
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "example" });
    expect((lastUpstream().body as Record<string, unknown>).tool_choice).toEqual({ type: "any" });

    const second = await client.chat.completions
      .stream({ model: MODEL, messages: [question, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "-3°C, snow" }], tools: [weather] })
      .finalChatCompletion();
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "Tool results: -3°C, snow" } });
  });

  it("passes images given as a base64 data URL and as an https URL", async () => {
    const { client } = await clientFor("images");
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const answer = await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these images?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
            { type: "image_url", image_url: { url: "https://images.example/cat.jpg", detail: "high" } },
          ],
        },
      ],
    });
    expect(answer.choices[0].message.content).toBe("Echo: What is in these images? [saw image image/png, image at https://images.example/cat.jpg]");
    expect((lastUpstream().body as { messages: { content: unknown[] }[] }).messages[0].content).toEqual([
      { type: "text", text: "What is in these images?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
      { type: "image", source: { type: "url", url: "https://images.example/cat.jpg" } },
    ]);

    // An image type Claude cannot read is refused by the gateway, naming the part.
    const before = anthropic.received.length;
    const bmp = await raised(
      client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }] }] }),
    );
    expect(bmp).toBeInstanceOf(BadRequestError);
    expect(bmp.param).toBe("messages[0].content[0].image_url.url");
    expect(anthropic.received.length).toBe(before);
  });

  it("raises RateLimitError with Anthropic's Retry-After, and 503 upstream_overloaded for overload", async () => {
    const { client } = await clientFor("upstream-limits");
    anthropic.enqueue({ error: "rate_limit" }, { error: "rate_limit" }, { error: "overloaded" });
    // Before a stream starts, an upstream error is an HTTP error like any other.
    const streamed = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), stream: true }));
    expect(streamed).toBeInstanceOf(RateLimitError);
    expect(streamed.headers?.get("retry-after")).toBe("1");
    const limited = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.code).toBe("rate_limit_error");
    expect(limited.message).toContain("Anthropic: This request would exceed the rate limit");
    expect(limited.headers?.get("retry-after")).toBe("1");
    const overloaded = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(overloaded).toBeInstanceOf(InternalServerError);
    expect(overloaded.status).toBe(503);
    expect(overloaded.code).toBe("upstream_overloaded");
    const log = await flushedLog(overloaded.requestID!);
    expect(log).toMatchObject({ status: 503, provider: "anthropic", errorCode: "upstream_overloaded" });
  });

  it("raises 502 upstream_error for Anthropic's own failures and 503 upstream_overloaded for 503 and 529, JSON and stream, with Anthropic's message and Retry-After, never a 500", async () => {
    const { client } = await clientFor("upstream-5xx");
    // Anthropic's error body; the message quotes the key, as an upstream echoing request data would.
    const quoting = (message: string) => `${message} (x-api-key: ${anthropic.apiKey})`;
    const cases = [
      { error: { status: 500, type: "api_error", message: quoting("Internal server error") }, status: 502, code: "upstream_error", retryAfter: undefined },
      { error: { status: 502, type: "api_error", message: quoting("Bad gateway") }, status: 502, code: "upstream_error", retryAfter: undefined },
      { error: { status: 504, type: "timeout_error", message: quoting("Request timed out") }, status: 502, code: "upstream_error", retryAfter: undefined },
      { error: { status: 503, type: "api_error", message: quoting("Service unavailable") }, status: 503, code: "upstream_overloaded", retryAfter: "20" },
      { error: { status: 529, type: "overloaded_error", message: quoting("Overloaded") }, status: 503, code: "upstream_overloaded", retryAfter: "15" },
      { error: { status: 529, type: "overloaded_error", message: quoting("Overloaded") }, status: 503, code: "upstream_overloaded", retryAfter: undefined },
    ];
    for (const stream of [false, true]) {
      for (const c of cases) {
        anthropic.enqueue({ error: c.error, retryAfter: c.retryAfter });
        const error = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), stream }));
        expect(error).toBeInstanceOf(InternalServerError);
        const message = `Anthropic: ${c.error.message.replace(anthropic.apiKey, "[redacted]")}`;
        expect({ upstream: c.error.status, stream, status: error.status, retryAfter: error.headers?.get("retry-after") ?? undefined, error: error.error }).toEqual({
          upstream: c.error.status,
          stream,
          status: c.status,
          retryAfter: c.retryAfter,
          error: { message, type: "upstream_error", param: null, code: c.code },
        });
        expect(JSON.stringify(error.error)).not.toContain(anthropic.apiKey);
        expect(await flushedLog(error.requestID!)).toMatchObject({ status: c.status, stream, provider: "anthropic", errorCode: c.code, errorMessage: message });
      }
    }
  });

  it("raises BadRequestError for what Anthropic refuses and for what the gateway cannot convert, sending nothing then", async () => {
    const { client } = await clientFor("invalid");
    anthropic.enqueue({ error: "invalid_request" });
    const refused = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused.error).toMatchObject({ message: 'Anthropic: messages: roles must alternate between "user" and "assistant"' });
    expect(refused.type).toBe("invalid_request_error");

    const before = anthropic.received.length;
    const twoChoices = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), n: 2 }));
    expect(twoChoices).toBeInstanceOf(BadRequestError);
    expect(twoChoices.param).toBe("n");
    const hot = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), temperature: 1.5 }));
    expect(hot).toBeInstanceOf(BadRequestError);
    expect(hot.param).toBe("temperature");
    expect(anthropic.received.length).toBe(before);
  });

  it("ends a stream with an error the client raises when Anthropic fails mid-stream or the stream is cut short", async () => {
    const { client } = await clientFor("midstream");
    anthropic.enqueue({ streamError: { afterEvents: 4, kind: "overloaded" } }, { cutAfterEvents: 4 });
    for (const expected of [
      { message: "Anthropic: Overloaded", code: "upstream_overloaded" },
      { message: "The Anthropic stream ended before the message was complete.", code: "upstream_stream_error" },
    ]) {
      const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask("one two three"), stream: true }).withResponse();
      let text = "";
      const error = await (async () => {
        try {
          for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(text).toBe("Echo: ");
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).message).toBe(expected.message);
      const log = await flushedLog(response.headers.get("x-request-id")!);
      expect(log).toMatchObject({ status: 200, stream: true, provider: "anthropic", errorCode: expected.code });
    }
    await waitFor("the stream failures as system events", async () => {
      const codes = (await getDb().event.findMany({ where: { type: "upstream_error" }, select: { details: true } })).map((e) => (e.details as { code?: string }).code);
      expect(codes).toEqual(expect.arrayContaining(["upstream_overloaded", "upstream_stream_error"]));
    });
  });
});

describe("a gateway whose Anthropic key is wrong and which has no Google key", () => {
  it("answers a 502 that names ANTHROPIC_API_KEY, quotes no key and tells the client not to retry", async () => {
    const { client } = await clientFor("misconfigured", misconfigured);
    const error = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_auth_failed");
    expect(error.message).toMatch(/ANTHROPIC_API_KEY/);
    expect(JSON.stringify(error.error)).not.toContain("wrong-gateway-key");
    expect(error.headers?.get("x-should-retry")).toBe("false");
    // The wrong key did reach the fake, in the header Anthropic reads.
    expect(lastUpstream().headers["x-api-key"]).toBe(WRONG_KEY);
  });

  it("answers a clear 503 for Gemini models, naming GOOGLE_API_KEY", async () => {
    const { client } = await clientFor("no-google", misconfigured);
    const error = await raised(client.chat.completions.create({ model: "gemini-2.5-flash", messages: ask("hi") }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe("provider_not_configured");
    expect(error.error).toMatchObject({ message: "The model 'gemini-2.5-flash' is served by gemini, which is not configured on this gateway (GOOGLE_API_KEY is not set)." });
  });

  it("lists the models of the providers that answer: OpenAI's only", async () => {
    const { client } = await clientFor("models-misconfigured", misconfigured);
    const owners = new Set<string>();
    for await (const model of client.models.list()) owners.add(model.owned_by);
    expect(owners).toEqual(new Set(["openai"]));
  });
});
