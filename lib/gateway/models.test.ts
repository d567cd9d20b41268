// GET /v1/models with several providers configured: the gateway called as our server
// calls it, against the three fake upstreams.
import { resetEnvForTests } from "@/lib/config/env";
import { createKey } from "@/lib/keys/service";
import { runShutdownHooks } from "@/lib/runtime/lifecycle";
import { startFakeAnthropic, type FakeAnthropic } from "@/test/fakes/anthropic";
import { startFakeGemini, type FakeGemini } from "@/test/fakes/gemini";
import { startFakeOpenAI, type FakeOpenAI } from "@/test/fakes/openai";
import { useTestDb } from "@/test/helpers/db";
import { useGatewayHost } from "@/test/helpers/gateway-host";
import { clearModelListCache } from "./models";

afterAll(() => runShutdownHooks(() => undefined));
useTestDb();
const models = useGatewayHost().call;
let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;

function configure(overrides: Record<string, string | undefined> = {}) {
  Object.assign(process.env, {
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.baseUrl,
    ANTHROPIC_API_KEY: anthropic.apiKey,
    ANTHROPIC_BASE_URL: anthropic.url,
    GOOGLE_API_KEY: gemini.apiKey,
    GOOGLE_BASE_URL: gemini.url,
  });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvForTests();
  clearModelListCache();
}

beforeAll(async () => {
  [openai, anthropic, gemini] = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini()]);
});
afterAll(async () => {
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "GOOGLE_API_KEY", "GOOGLE_BASE_URL"]) delete process.env[name];
  resetEnvForTests();
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
});

async function list(secret: string): Promise<{ status: number; data: { id: string; owned_by: string }[] }> {
  const response = await models(new Request("http://gw.test/v1/models", { headers: { authorization: `Bearer ${secret}` } }));
  const body = await response.json();
  return { status: response.status, data: body.data };
}

const modelRequests = () => ({
  anthropic: anthropic.received.filter((r) => r.path === "/v1/models").length,
  gemini: gemini.received.filter((r) => r.path.endsWith("/models")).length,
  openai: openai.requests.filter((r) => r.path === "/v1/models").length,
});

describe("GET /v1/models with several providers", () => {
  it("lists every configured provider's chat models, each owned by its provider, limited to the key's models", async () => {
    configure();
    const { secret } = await createKey({ name: "all" }, { actor: "cli" });
    const all = await list(secret);
    expect(all.status).toBe(200);
    const owners = Object.fromEntries(all.data.map((m) => [m.id, m.owned_by]));
    expect(owners).toMatchObject({ "gpt-4o": "openai", "claude-sonnet-4-5": "anthropic", "gemini-2.5-flash": "gemini" });
    // Gemini's embedding model answers no generateContent: not a chat model.
    expect(owners).not.toHaveProperty("gemini-embedding-001");

    const { secret: narrow } = await createKey({ name: "narrow", allowedModels: ["gpt-4o", "claude-haiku-4-5", "gemini-2.5-pro", "claude-unknown"] }, { actor: "cli" });
    expect((await list(narrow)).data.map((m) => m.id)).toEqual(["gpt-4o", "claude-haiku-4-5", "gemini-2.5-pro"]);

    // A key allowed only the "provider/model" form sees that form, the name it may call.
    const { secret: explicit } = await createKey({ name: "explicit", allowedModels: ["anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash"] }, { actor: "cli" });
    expect((await list(explicit)).data).toEqual([
      { id: "anthropic/claude-sonnet-4-5", object: "model", created: 0, owned_by: "anthropic" },
      { id: "gemini/gemini-2.5-flash", object: "model", created: 0, owned_by: "gemini" },
    ]);
  });

  it("asks each provider once per cache period", async () => {
    configure();
    const { secret } = await createKey({ name: "cache" }, { actor: "cli" });
    const before = modelRequests();
    await list(secret);
    await list(secret);
    const after = modelRequests();
    expect({ anthropic: after.anthropic - before.anthropic, gemini: after.gemini - before.gemini, openai: after.openai - before.openai }).toEqual({ anthropic: 1, gemini: 1, openai: 1 });
  });

  it("leaves out a provider that fails or has no key, and asks a failed one again next time", async () => {
    configure({ GOOGLE_API_KEY: "AIza-wrong-key-for-the-fake", ANTHROPIC_API_KEY: undefined });
    const { secret } = await createKey({ name: "partial" }, { actor: "cli" });
    const before = modelRequests().gemini;
    const partial = await list(secret);
    expect(partial.status).toBe(200);
    expect(new Set(partial.data.map((m) => m.owned_by))).toEqual(new Set(["openai"]));
    await list(secret);
    expect(modelRequests().gemini - before).toBe(2);
  });

  it("fails when every configured provider fails, with the provider's error", async () => {
    configure({ GOOGLE_API_KEY: "AIza-wrong-key-for-the-fake", ANTHROPIC_API_KEY: undefined, OPENAI_API_KEY: undefined });
    const { secret } = await createKey({ name: "none" }, { actor: "cli" });
    const response = await models(new Request("http://gw.test/v1/models", { headers: { authorization: `Bearer ${secret}` } }));
    expect(response.status).toBe(502);
    expect((await response.json()).error).toMatchObject({ code: "upstream_auth_failed", message: expect.stringContaining("GOOGLE_API_KEY") });
  });
});
