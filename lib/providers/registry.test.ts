import { parseEnv } from "@/lib/config/env";
import { configuredProviders, routeModel } from "./registry";

const DATA_DIR = "/tmp/akm-registry-test";
const all = parseEnv({
  DATA_DIR,
  OPENAI_API_KEY: "sk-openai",
  ANTHROPIC_API_KEY: "sk-ant-key",
  ANTHROPIC_BASE_URL: "http://anthropic.test/",
  GOOGLE_API_KEY: "AIza-key",
  GOOGLE_BASE_URL: "http://gemini.test",
});

describe("model registry", () => {
  it("routes bare model names by family", () => {
    for (const model of ["gpt-4o", "gpt-4.1-mini", "o1", "o3-mini", "o4-mini", "chatgpt-4o-latest", "text-embedding-3-small", "ft:gpt-4o-mini:org::abc"]) {
      expect(routeModel(model, all)).toMatchObject({ ok: true, model, adapter: { id: "openai" }, apiKey: "sk-openai" });
    }
    for (const model of ["claude-sonnet-4-5", "claude-opus-4-1-20250805", "claude-3-5-haiku-latest"]) {
      expect(routeModel(model, all)).toMatchObject({ ok: true, model, adapter: { id: "anthropic" }, apiKey: "sk-ant-key", baseUrl: "http://anthropic.test" });
    }
    for (const model of ["gemini-2.5-flash", "gemini-3-pro-preview"]) {
      expect(routeModel(model, all)).toMatchObject({ ok: true, model, adapter: { id: "gemini" }, apiKey: "AIza-key", baseUrl: "http://gemini.test" });
    }
  });

  it("routes provider/model to that provider whatever the model is called, and sends the bare name", () => {
    expect(routeModel("openai/my-custom-model", all)).toMatchObject({ ok: true, model: "my-custom-model", adapter: { id: "openai" } });
    expect(routeModel("anthropic/claude-sonnet-4-5", all)).toMatchObject({ ok: true, model: "claude-sonnet-4-5", adapter: { id: "anthropic" } });
    expect(routeModel("anthropic/private-model", all)).toMatchObject({ ok: true, model: "private-model", adapter: { id: "anthropic" } });
    expect(routeModel("gemini/gemini-2.5-flash", all)).toMatchObject({ ok: true, model: "gemini-2.5-flash", adapter: { id: "gemini" } });
    // The prefix decides, not the model's family.
    expect(routeModel("gemini/gpt-4o", all)).toMatchObject({ ok: true, model: "gpt-4o", adapter: { id: "gemini" } });
  });

  it("says which models it does not know", () => {
    for (const model of ["llama-3-70b", "meta/llama-3", "openai/", "anthropic/", "gemini/", "claude", "Gemini-2.5-flash"]) {
      expect(routeModel(model, all)).toEqual({ ok: false, reason: "unknown_model" });
    }
  });

  it("names the missing variable when a provider has no key", () => {
    const none = parseEnv({ DATA_DIR });
    expect(routeModel("gpt-4o", none)).toEqual({ ok: false, reason: "provider_not_configured", provider: "openai", keyVariable: "OPENAI_API_KEY" });
    expect(routeModel("claude-sonnet-4-5", none)).toEqual({ ok: false, reason: "provider_not_configured", provider: "anthropic", keyVariable: "ANTHROPIC_API_KEY" });
    expect(routeModel("gemini/gemini-2.5-flash", none)).toEqual({ ok: false, reason: "provider_not_configured", provider: "gemini", keyVariable: "GOOGLE_API_KEY" });
    // A blank variable counts as unset.
    const blank = parseEnv({ DATA_DIR, ANTHROPIC_API_KEY: "  " });
    expect(routeModel("claude-sonnet-4-5", blank)).toMatchObject({ ok: false, reason: "provider_not_configured" });
  });

  it("lists only the providers whose key is configured, for the model list", () => {
    expect(configuredProviders(all).map((t) => t.adapter.id)).toEqual(["openai", "anthropic", "gemini"]);
    const some = parseEnv({ DATA_DIR, GOOGLE_API_KEY: "AIza-key" });
    expect(configuredProviders(some)).toEqual([expect.objectContaining({ adapter: expect.objectContaining({ id: "gemini" }), apiKey: "AIza-key", baseUrl: "https://generativelanguage.googleapis.com" })]);
  });
});
