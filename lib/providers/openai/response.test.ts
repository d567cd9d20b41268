import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AdapterContext } from "../types";
import { openaiAdapter } from "./index";

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, "fixtures", name), "utf8")) as unknown;
const ctx: AdapterContext = { apiKey: "sk-provider-secret", baseUrl: "https://api.openai.test/v1", model: "gpt-4o", requestId: "r1", created: 1 };

describe("OpenAI response", () => {
  it("returns the response object itself and reads its usage", () => {
    const completion = fixture("text.json");
    const { body, usage } = openaiAdapter.convertChatResponse(completion, ctx);
    expect(body).toBe(completion);
    expect(usage).toEqual({ inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024 });
  });

  it("lists model ids", () => {
    expect(openaiAdapter.parseModelList({ object: "list", data: [{ id: "gpt-4o", object: "model" }, { id: 5 }, {}] })).toEqual(["gpt-4o"]);
    expect(openaiAdapter.parseModelList(fixture("models.json"))).toEqual(["gpt-4o", "gpt-4o-mini", "o3-mini", "text-embedding-3-small", "ft:gpt-4o-mini-2024-07-18:acme::AbC123"]);
    expect(openaiAdapter.parseModelList({ nope: true })).toEqual([]);
    expect(openaiAdapter.buildListModelsRequest(ctx)).toMatchObject({ url: "https://api.openai.test/v1/models", method: "GET" });
  });
});
