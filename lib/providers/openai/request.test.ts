import type { AdapterContext } from "../types";
import { openaiAdapter } from "./index";

const ctx: AdapterContext = { apiKey: "sk-provider-secret", baseUrl: "https://api.openai.test/v1", model: "gpt-4o", requestId: "r1", created: 1 };

describe("OpenAI request", () => {
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
});
