// Gemini models through the gateway: the official openai client (v6) against the
// production server, the fake Gemini API behind it (which checks x-goog-api-key, the
// protobuf-JSON request and, for gemini-3 models, thought signatures on function calls).
// Completions, streams that arrive as they are produced, tool calls as full round trips,
// images, every error path, and the usage record.
import type OpenAI from "openai";
import { APIError, BadRequestError, InternalServerError, RateLimitError } from "openai";
import type { AppServer } from "@/test/helpers/app-server";
import { waitFor } from "@/test/helpers/ports";
import type { FakeGemini } from "@/test/fakes/gemini";
import { flushedLog, raised, startGatewayHarness, type GatewayHarness } from "./gateway-harness";
import { fakeGoogleKey } from "@/test/helpers/fake-secrets";

let h: GatewayHarness;
let gemini: FakeGemini;
let server: AppServer;
/** The Google key is wrong and Anthropic has none. */
let misconfigured: AppServer;
const WRONG_KEY = fakeGoogleKey("SyWrongGatewayKey0123456789abcdefghij");

beforeAll(async () => {
  h = await startGatewayHarness({ providers: true });
  gemini = h.gemini!;
  [server, misconfigured] = await Promise.all([h.startServer(), h.startServer({ GOOGLE_API_KEY: WRONG_KEY, ANTHROPIC_API_KEY: undefined })]);
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const MODEL = "gemini-2.5-flash";
/** Gemini 3 refuses function calls sent back without the thought signature it issued. */
const SIGNING_MODEL = "gemini-3-pro-preview";
const ask = (text: string) => [{ role: "user" as const, content: text }];
const lastUpstream = () => gemini.received.at(-1)!;
const lastBody = () => lastUpstream().body as Record<string, unknown>;
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

describe("Gemini through the gateway", () => {
  it("answers a plain completion, converted from generateContent, and records provider, answering model and tokens", async () => {
    const { id, client } = await clientFor("plain");
    gemini.enqueue({ reply: { modelVersion: "gemini-2.5-flash-preview-09-2025" } });
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

    expect(data).toMatchObject({ object: "chat.completion", model: "gemini-2.5-flash-preview-09-2025" });
    expect(data.choices).toEqual([
      { index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", content: "Echo: say hello please", refusal: null } },
    ]);
    // The fake counts words (5 in, 4 out) and, like 2.5 models, 3 thinking tokens, which
    // OpenAI counts as completion (reasoning) tokens.
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 3 } });

    const upstream = lastUpstream();
    expect(upstream.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(upstream.headers["x-goog-api-key"]).toBe(gemini.apiKey);
    // The key travels in the header only, never in the URL.
    expect(upstream.query).toEqual({});
    expect(upstream.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "say hello please" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 64, stopSequences: ["never said"] },
    });

    const log = await flushedLog(response.headers.get("x-request-id")!);
    expect(log).toMatchObject({ keyId: id, status: 200, provider: "gemini", model: "gemini-2.5-flash-preview-09-2025", promptTokens: 5, completionTokens: 7, stream: false, errorCode: null });
  });

  it("streams chunks as Gemini produces them: the first arrives while the upstream is still held", async () => {
    const { id, client } = await clientFor("stream");
    gemini.enqueue({ gateAfterEvents: 1 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: MODEL, messages: ask("one two three four five"), stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const chunks = stream[Symbol.asyncIterator]();
    const first = (await chunks.next()).value as OpenAI.ChatCompletionChunk;
    const second = (await chunks.next()).value as OpenAI.ChatCompletionChunk;
    expect(first.choices[0].delta).toMatchObject({ role: "assistant" });
    expect(second.choices[0].delta.content).toBe("Echo: one two ");
    await waitFor("the fake to hold the rest of the stream", () => expect(gemini.gateWaiting()).toBe(1));
    const upstream = lastUpstream();
    expect(upstream.state).toBe("open");
    expect(upstream.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent`);
    expect(upstream.query).toEqual({ alt: "sse" });

    gemini.openGate();
    let text = "Echo: one two ";
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
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 });
    expect(upstream.state).toBe("completed");

    const log = await flushedLog(response.headers.get("x-request-id")!);
    expect(log).toMatchObject({ keyId: id, status: 200, provider: "gemini", model: MODEL, stream: true, promptTokens: 5, completionTokens: 9, errorCode: null });
    expect(log.ttfbMs).not.toBeNull();
  });

  it("sends no usage chunk to a client that did not ask for it, and still records the tokens", async () => {
    const { client } = await clientFor("stream-no-usage");
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask("a b c"), stream: true }).withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("Echo: a b c");
    expect(await flushedLog(response.headers.get("x-request-id")!)).toMatchObject({ stream: true, promptTokens: 3, completionTokens: 4 + 3 });
  });

  it("aborts the Gemini request when the client goes away mid-stream", async () => {
    const { client } = await clientFor("abort");
    gemini.enqueue({ gateAfterEvents: 1 });
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask("wait for me please"), stream: true }).withResponse();
    const chunks = stream[Symbol.asyncIterator]();
    await chunks.next();
    await waitFor("the fake to hold the stream", () => expect(gemini.gateWaiting()).toBe(1));
    const upstream = lastUpstream();
    stream.controller.abort();
    await waitFor("the upstream request to be aborted", () => expect(upstream.state).toBe("aborted"));
    expect(await flushedLog(response.headers.get("x-request-id")!)).toMatchObject({ status: 200, stream: true, errorCode: "client_closed_request" });
  });

  it("completes a tool-calling round trip with a Gemini 3 model: tool call, tool result, final answer, thought signature kept", async () => {
    const { client } = await clientFor("tools");
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "What's the weather in Paris?" };
    const first = await client.chat.completions.create({ model: SIGNING_MODEL, messages: [question], tools: [weather], tool_choice: "auto" });
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    expect(first.choices[0].message.content).toBeNull();
    const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather" } });
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "example" });
    expect(lastBody()).toMatchObject({
      tools: [{ functionDeclarations: [{ name: "get_weather", description: "Current weather for a city", parametersJsonSchema: weather.function.parameters }] }],
      toolConfig: { functionCallingConfig: { mode: "AUTO" } },
    });
    const issued = [...gemini.issuedSignatures];

    const second = await client.chat.completions.create({
      model: SIGNING_MODEL,
      messages: [question, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "18°C and sunny" }],
      tools: [weather],
    });
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: 'Tool results: {"result":"18°C and sunny"}' } });
    // The fake, like Gemini 3, refuses a function call without the signature it issued.
    const [, modelTurn, toolTurn] = lastBody().contents as { role: string; parts: Record<string, unknown>[] }[];
    expect(modelTurn.role).toBe("model");
    expect(modelTurn.parts[0]).toMatchObject({ functionCall: { name: "get_weather", args: { city: "example" } } });
    expect(issued).toContain(modelTurn.parts[0].thoughtSignature);
    expect(toolTurn).toEqual({
      role: "user",
      parts: [{ functionResponse: { name: "get_weather", id: (modelTurn.parts[0].functionCall as { id: string }).id, response: { result: "18°C and sunny" } } }],
    });
  });

  it("completes a streamed tool-calling round trip, the calls assembled by the openai client", async () => {
    const { client } = await clientFor("tools-stream");
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Weather in Oslo, please" };
    const first = await client.chat.completions.stream({ model: SIGNING_MODEL, messages: [question], tools: [weather], tool_choice: "required" }).finalChatCompletion();
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    const call = first.choices[0].message.tool_calls![0];
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "example" });
    expect(lastBody().toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });

    const result = JSON.stringify({ temperature: -3, sky: "snow" });
    const second = await client.chat.completions
      .stream({ model: SIGNING_MODEL, messages: [question, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: result }], tools: [weather] })
      .finalChatCompletion();
    // A JSON-object result goes to Gemini as the functionResponse itself.
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: `Tool results: ${result}` } });
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
            { type: "image_url", image_url: { url: "https://images.example/cat.webp", detail: "low" } },
          ],
        },
      ],
    });
    expect(answer.choices[0].message.content).toBe("Echo: What is in these images? [saw inline image/png, image/webp at https://images.example/cat.webp]");
    expect((lastBody().contents as { parts: unknown[] }[])[0].parts).toEqual([
      { text: "What is in these images?" },
      { inlineData: { mimeType: "image/png", data: png } },
      { fileData: { fileUri: "https://images.example/cat.webp", mimeType: "image/webp" } },
    ]);
  });

  it("raises RateLimitError with a Retry-After taken from Gemini's RetryInfo, and 503 upstream_overloaded for overload", async () => {
    const { client } = await clientFor("upstream-limits");
    gemini.enqueue({ error: "resource_exhausted" }, { error: "resource_exhausted" }, { error: "unavailable" });
    // Before a stream starts, an upstream error is an HTTP error like any other.
    const streamed = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), stream: true }));
    expect(streamed).toBeInstanceOf(RateLimitError);
    expect(streamed.headers?.get("retry-after")).toBe("1");
    const limited = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.code).toBe("RESOURCE_EXHAUSTED");
    expect(limited.error).toMatchObject({ message: "Gemini: You exceeded your current quota, please check your plan and billing details." });
    expect(limited.headers?.get("retry-after")).toBe("1");
    const overloaded = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(overloaded).toBeInstanceOf(InternalServerError);
    expect(overloaded.status).toBe(503);
    expect(overloaded.code).toBe("upstream_overloaded");
    expect(await flushedLog(overloaded.requestID!)).toMatchObject({ status: 503, provider: "gemini", errorCode: "upstream_overloaded" });
  });

  it("raises 502 upstream_error for Google's own failures and 503 upstream_overloaded for 503, JSON and stream, with Google's message and Retry-After, never a 500", async () => {
    const { client } = await clientFor("upstream-5xx");
    // google.rpc.Status bodies; the message quotes the key, as an upstream echoing request data would.
    const quoting = (message: string) => `${message} (x-goog-api-key: ${gemini.apiKey})`;
    const retryInfo = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "42s" }];
    const cases = [
      { error: { code: 500, status: "INTERNAL", message: quoting("An internal error has occurred.") }, status: 502, code: "upstream_error", retryAfter: undefined, expected: undefined },
      { error: { code: 502, status: "UNKNOWN", message: quoting("Bad Gateway") }, status: 502, code: "upstream_error", retryAfter: undefined, expected: undefined },
      { error: { code: 504, status: "DEADLINE_EXCEEDED", message: quoting("Deadline expired before operation could complete.") }, status: 502, code: "upstream_error", retryAfter: undefined, expected: undefined },
      { error: { code: 503, status: "UNAVAILABLE", message: quoting("The model is overloaded. Please try again later.") }, status: 503, code: "upstream_overloaded", retryAfter: "8", expected: "8" },
      // Gemini names the delay in its body, not in a header: it still reaches the client as Retry-After.
      { error: { code: 503, status: "UNAVAILABLE", message: quoting("The model is overloaded. Please try again later."), details: retryInfo }, status: 503, code: "upstream_overloaded", retryAfter: undefined, expected: "42" },
      { error: { code: 503, status: "UNAVAILABLE", message: quoting("The model is overloaded. Please try again later.") }, status: 503, code: "upstream_overloaded", retryAfter: undefined, expected: undefined },
    ];
    for (const stream of [false, true]) {
      for (const c of cases) {
        gemini.enqueue({ error: c.error, retryAfter: c.retryAfter });
        const error = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), stream }));
        expect(error).toBeInstanceOf(InternalServerError);
        const message = `Gemini: ${c.error.message.replace(gemini.apiKey, "[redacted]")}`;
        expect({ upstream: c.error.code, stream, status: error.status, retryAfter: error.headers?.get("retry-after") ?? undefined, error: error.error }).toEqual({
          upstream: c.error.code,
          stream,
          status: c.status,
          retryAfter: c.expected,
          error: { message, type: "upstream_error", param: null, code: c.code },
        });
        expect(JSON.stringify(error.error)).not.toContain(gemini.apiKey);
        expect(await flushedLog(error.requestID!)).toMatchObject({ status: c.status, stream, provider: "gemini", errorCode: c.code, errorMessage: message });
      }
    }
  });

  it("raises BadRequestError for what Gemini refuses and for what the gateway cannot convert, sending nothing then", async () => {
    const { client } = await clientFor("invalid");
    gemini.enqueue({ error: "invalid_argument" });
    const refused = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(refused).toBeInstanceOf(BadRequestError);
    expect(refused.error).toMatchObject({ message: "Gemini: Request contains an invalid argument." });
    expect(refused.code).toBe("INVALID_ARGUMENT");

    const before = gemini.received.length;
    const twoChoices = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), n: 2 }));
    expect(twoChoices).toBeInstanceOf(BadRequestError);
    expect(twoChoices.param).toBe("n");
    const logprobs = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi"), logprobs: true }));
    expect(logprobs).toBeInstanceOf(BadRequestError);
    expect(logprobs.param).toBe("logprobs");
    expect(gemini.received.length).toBe(before);
  });

  it("ends a stream with an error the client raises when Gemini fails mid-stream or the stream is cut short", async () => {
    const { client } = await clientFor("midstream");
    gemini.enqueue({ streamError: { afterEvents: 1, kind: "internal" } }, { cutAfterEvents: 1 });
    for (const expected of [
      { message: expect.stringMatching(/^Gemini: An internal error has occurred/), code: "upstream_error" },
      { message: "The Gemini stream ended before the answer was complete.", code: "upstream_stream_error" },
    ]) {
      const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask("one two three four five"), stream: true }).withResponse();
      let text = "";
      const error = await (async () => {
        try {
          for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(text).toBe("Echo: one two ");
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).message).toEqual(expected.message);
      expect(await flushedLog(response.headers.get("x-request-id")!)).toMatchObject({ status: 200, stream: true, provider: "gemini", errorCode: expected.code });
    }
  });
});

describe("a gateway whose Google key is wrong and which has no Anthropic key", () => {
  it("answers a 502 that names GOOGLE_API_KEY, quotes no key and tells the client not to retry", async () => {
    const { client } = await clientFor("misconfigured", misconfigured);
    const error = await raised(client.chat.completions.create({ model: MODEL, messages: ask("hi") }));
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_auth_failed");
    expect(error.message).toMatch(/GOOGLE_API_KEY/);
    expect(JSON.stringify(error.error)).not.toContain("WrongGatewayKey");
    expect(error.headers?.get("x-should-retry")).toBe("false");
    expect(lastUpstream().headers["x-goog-api-key"]).toBe(WRONG_KEY);
  });

  it("answers a clear 503 for Claude models, naming ANTHROPIC_API_KEY", async () => {
    const { client } = await clientFor("no-anthropic", misconfigured);
    const error = await raised(client.chat.completions.create({ model: "claude-sonnet-4-5", messages: ask("hi") }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe("provider_not_configured");
    expect(error.error).toMatchObject({ message: "The model 'claude-sonnet-4-5' is served by anthropic, which is not configured on this gateway (ANTHROPIC_API_KEY is not set)." });
  });

  it("lists the models of the providers that answer: OpenAI's only", async () => {
    const { client } = await clientFor("models-misconfigured", misconfigured);
    const owners = new Set<string>();
    for await (const model of client.models.list()) owners.add(model.owned_by);
    expect(owners).toEqual(new Set(["openai"]));
  });
});
