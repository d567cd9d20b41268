import { parseSse } from "../sse";
import { openaiAdapter } from "./index";

const ctx = { apiKey: "sk-provider-secret", baseUrl: "https://api.openai.test/v1", model: "gpt-4o", requestId: "r1", created: 1 };

// Recorded from OpenAI's documented examples (chat object and streaming with include_usage).
const COMPLETION = {
  id: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  object: "chat.completion",
  created: 1741570283,
  model: "gpt-4o-2024-08-06",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello!", refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
  usage: {
    prompt_tokens: 1117,
    completion_tokens: 46,
    total_tokens: 1163,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: "default",
  system_fingerprint: "fp_fc9f1d7035",
};

describe("OpenAI adapter", () => {
  it("forwards the body as sent, with the bare model name and the provider key", () => {
    const upstream = openaiAdapter.buildChatRequest({ model: "openai/gpt-4o", messages: [{ role: "user", content: "hi" }], temperature: 0.3, seed: 7 }, ctx);
    expect(upstream).toMatchObject({ url: "https://api.openai.test/v1/chat/completions", method: "POST", headers: { authorization: "Bearer sk-provider-secret" } });
    expect(JSON.parse(upstream.body!)).toEqual({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], temperature: 0.3, seed: 7 });
  });

  it("asks for the usage chunk on streams, keeping the client's other stream options", () => {
    const body = (req: object) => JSON.parse(openaiAdapter.buildChatRequest({ model: "gpt-4o", messages: [], ...req }, ctx).body!);
    expect(body({ stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(body({ stream: true, stream_options: { include_obfuscation: false } }).stream_options).toEqual({ include_obfuscation: false, include_usage: true });
    expect(body({ stream: false })).not.toHaveProperty("stream_options");
  });

  it("returns the response object itself and reads its usage", () => {
    const { body, usage } = openaiAdapter.convertChatResponse(COMPLETION, ctx);
    expect(body).toBe(COMPLETION);
    expect(usage).toEqual({ inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024 });
    // Streams too: the events go out as the very bytes OpenAI sent.
    const event = Buffer.from('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}\n\n');
    expect(openaiAdapter.createStreamConverter(ctx, false).push(event)).toEqual({ bytes: event });
  });

  it("reads the usage chunk of a recorded stream", async () => {
    const { convertUsage } = await import("./usage");
    const events = parseSse(
      'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n' +
        'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}\n\n' +
        "data: [DONE]\n\n",
    );
    expect(events.map((e) => (e.data.startsWith("{") ? convertUsage(JSON.parse(e.data).usage) : "done"))).toEqual([null, { inputTokens: 9, outputTokens: 1 }, "done"]);
  });

  it("passes OpenAI errors through, but hides a refused provider key behind a 502", () => {
    const notFound = { error: { message: "The model `gpt-9` does not exist or you do not have access to it.", type: "invalid_request_error", param: null, code: "model_not_found" } };
    // Recorded as upstream_rejected; OpenAI's own code reaches the client and the event details.
    expect(openaiAdapter.mapError(404, notFound)).toEqual({ code: "upstream_rejected", providerCode: "model_not_found", status: 404, body: notFound });
    const refused = openaiAdapter.mapError(401, { error: { message: "Incorrect API key provided: sk-pro****cret.", type: "invalid_request_error", param: null, code: "invalid_api_key" } });
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe("upstream_auth_failed");
    expect(JSON.stringify(refused)).not.toContain("sk-pro");
  });

  it("maps OpenAI's own failures to 502 upstream_error, and 503 to upstream_overloaded, keeping OpenAI's message", () => {
    // The bodies OpenAI sends: 500 and 503 from the API, 502 and 504 from Cloudflare in front of it.
    const answers: [number, unknown][] = [
      [500, { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } }],
      [502, { error: { code: 502, message: "Bad gateway.", param: null, type: "cf_bad_gateway" } }],
      [503, { error: { message: "The engine is currently overloaded, please try again later.", type: "server_error", param: null, code: null } }],
      [504, { error: { code: 504, message: "Gateway timeout.", param: null, type: "cf_gateway_timeout" } }],
      [520, "<html>Web server is returning an unknown error</html>"],
    ];
    expect(answers.map(([status, body]) => [status, openaiAdapter.mapError(status, body)])).toEqual([
      [500, { code: "upstream_error", providerCode: "server_error", status: 502, body: { error: { message: "The server had an error while processing your request. Sorry about that!", type: "upstream_error", param: null, code: "upstream_error" } } }],
      [502, { code: "upstream_error", providerCode: "cf_bad_gateway", status: 502, body: { error: { message: "Bad gateway.", type: "upstream_error", param: null, code: "upstream_error" } } }],
      [503, { code: "upstream_overloaded", providerCode: "server_error", status: 503, body: { error: { message: "The engine is currently overloaded, please try again later.", type: "upstream_error", param: null, code: "upstream_overloaded" } } }],
      [504, { code: "upstream_error", providerCode: "cf_gateway_timeout", status: 502, body: { error: { message: "Gateway timeout.", type: "upstream_error", param: null, code: "upstream_error" } } }],
      [520, { code: "upstream_error", status: 502, body: { error: { message: "OpenAI answered with HTTP 520.", type: "upstream_error", param: null, code: "upstream_error" } } }],
    ]);
    // A proxy's page is not passed on, whatever its status.
    expect(openaiAdapter.mapError(502, "<html>Bad gateway</html>").body.error.message).toBe("OpenAI answered with HTTP 502.");
    expect(openaiAdapter.mapError(418, "<html>teapot</html>")).toMatchObject({ code: "upstream_rejected", status: 418, body: { error: { code: "upstream_rejected" } } });
  });

  it("lists model ids", () => {
    expect(openaiAdapter.parseModelList({ object: "list", data: [{ id: "gpt-4o", object: "model" }, { id: 5 }, {}] })).toEqual(["gpt-4o"]);
    expect(openaiAdapter.buildListModelsRequest(ctx)).toMatchObject({ url: "https://api.openai.test/v1/models", method: "GET" });
  });
});
