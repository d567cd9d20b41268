// One gateway in front of OpenAI, Anthropic and Gemini (all three fakes), used with the
// official openai client: which provider a model name reaches, the model list across
// providers, and the gateway's own refusals (401/403/429), which must not depend on the
// provider behind the model.
import type OpenAI from "openai";
import { AuthenticationError, PermissionDeniedError, RateLimitError } from "openai";
import { getDb } from "@/lib/db/client";
import { setKeyEnabled } from "@/lib/keys/service";
import type { AppServer } from "@/test/helpers/app-server";
import { waitFor } from "@/test/helpers/ports";
import { DEFAULT_ANTHROPIC_MODELS } from "@/test/fakes/anthropic";
import { DEFAULT_GEMINI_MODELS } from "@/test/fakes/gemini";
import { FAKE_MODELS } from "@/test/fakes/openai";
import { flushedLog, raised, startGatewayHarness, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
let server: AppServer;
beforeAll(async () => {
  h = await startGatewayHarness({ providers: true });
  server = await h.startServer();
}, 180_000);
afterAll(async () => {
  await h?.close();
});

const messages = [{ role: "user" as const, content: "hello there" }];

/** Chat requests each fake upstream has received so far. */
const upstreamCalls = {
  openai: () => h.fake.requests.filter((r) => r.path === "/v1/chat/completions").length,
  anthropic: () => h.anthropic!.messageRequests().length,
  gemini: () => h.gemini!.generateRequests().length,
};

async function modelIds(client: OpenAI): Promise<[string, string][]> {
  const ids: [string, string][] = [];
  for await (const model of client.models.list()) ids.push([model.id, model.owned_by]);
  return ids;
}

describe("model routing", () => {
  it("sends provider/model to that provider with the bare model name, and records what answered", async () => {
    const { secret } = await h.createKey({ name: "explicit" });
    const client = h.client(server, secret);
    for (const [name, provider, bare] of [
      ["openai/gpt-4o", "openai", "gpt-4o"],
      ["anthropic/claude-haiku-4-5", "anthropic", "claude-haiku-4-5"],
      ["gemini/gemini-2.5-flash", "gemini", "gemini-2.5-flash"],
    ] as const) {
      const before = upstreamCalls[provider]();
      const { data, response } = await client.chat.completions.create({ model: name, messages }).withResponse();
      expect(upstreamCalls[provider]()).toBe(before + 1);
      expect(data.model).toBe(bare);
      expect(await flushedLog(response.headers.get("x-request-id")!)).toMatchObject({ status: 200, provider, model: bare });
    }
    expect(h.fake.requests.at(-1)!.body!.model).toBe("gpt-4o");
    expect(h.anthropic!.messageRequests().at(-1)!.model).toBe("claude-haiku-4-5");
    expect(h.gemini!.received.at(-1)!.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
  });

  it("lets a key allowed a bare model name use its provider/model form too, and nothing else", async () => {
    const { secret } = await h.createKey({ name: "one-model", allowedModels: ["claude-haiku-4-5"] });
    const client = h.client(server, secret);
    await client.chat.completions.create({ model: "anthropic/claude-haiku-4-5", messages });
    await client.chat.completions.create({ model: "claude-haiku-4-5", messages });
    const other = await raised(client.chat.completions.create({ model: "gemini/gemini-2.5-flash", messages }));
    expect(other).toBeInstanceOf(PermissionDeniedError);
    expect(other.code).toBe("model_not_allowed");
  });

  it("lists the models of all three providers, each owned by its provider", async () => {
    const { secret } = await h.createKey({ name: "models-all" });
    const chatModels = DEFAULT_GEMINI_MODELS.filter((m) => (m.methods ?? []).includes("generateContent")).map((m) => m.name);
    expect(await modelIds(h.client(server, secret))).toEqual([
      ...FAKE_MODELS.map((id) => [id, "openai"]),
      ...DEFAULT_ANTHROPIC_MODELS.map((id) => [id, "anthropic"]),
      ...chatModels.map((id) => [id, "gemini"]),
    ]);
  });

  it("lists only the models a key may use, across providers", async () => {
    const { secret } = await h.createKey({ name: "models-some", allowedModels: ["gpt-4o", "claude-sonnet-4-5", "gemini/gemini-2.5-pro", "llama-3"] });
    expect(await modelIds(h.client(server, secret))).toEqual([
      ["gpt-4o", "openai"],
      ["claude-sonnet-4-5", "anthropic"],
      ["gemini/gemini-2.5-pro", "gemini"],
    ]);
  });
});

describe.each([
  ["openai", "gpt-4o"],
  ["anthropic", "claude-haiku-4-5"],
  ["gemini", "gemini-2.5-flash"],
] as const)("the gateway's own limits and refusals for %s (%s)", (provider, model) => {
  const calls = () => upstreamCalls[provider]();

  it("rate limits with 429 RateLimitError and Retry-After, X-RateLimit-* on every answer, nothing sent past the limit", async () => {
    const { secret } = await h.createKey({ name: `rate-${provider}`, rateLimit: 2 });
    const client = h.client(server, secret);
    const before = calls();
    const { response: first } = await client.chat.completions.create({ model, messages }).withResponse();
    expect([first.headers.get("x-ratelimit-limit"), first.headers.get("x-ratelimit-remaining")]).toEqual(["2", "1"]);
    // A stream counts like any request.
    for await (const _chunk of await client.chat.completions.create({ model, messages, stream: true })) void _chunk;
    const limited = await raised(client.chat.completions.create({ model, messages }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.code).toBe("rate_limit_exceeded");
    expect(Number(limited.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers?.get("x-ratelimit-remaining")).toBe("0");
    expect(calls()).toBe(before + 2);
    // Refused before the body is read: recorded like any refusal, for every provider.
    expect(await flushedLog(limited.requestID!)).toMatchObject({ status: 429, errorCode: "rate_limit_exceeded", provider: null });
  });

  it("refuses past the daily quota with 403 PermissionDeniedError", async () => {
    const { secret } = await h.createKey({ name: `quota-${provider}`, dailyLimit: 1 });
    const client = h.client(server, secret);
    await client.chat.completions.create({ model, messages });
    const before = calls();
    const quota = await raised(client.chat.completions.create({ model, messages }));
    expect(quota).toBeInstanceOf(PermissionDeniedError);
    expect(quota.code).toBe("daily_quota_exceeded");
    expect(calls()).toBe(before);
  });

  it("refuses a model outside the key's list and an address outside its allowlist with 403", async () => {
    const before = calls();
    const { secret: narrow } = await h.createKey({ name: `narrow-${provider}`, allowedModels: ["some-other-model"] });
    const notAllowed = await raised(h.client(server, narrow).chat.completions.create({ model, messages }));
    expect(notAllowed).toBeInstanceOf(PermissionDeniedError);
    expect(notAllowed.code).toBe("model_not_allowed");
    const { secret: net } = await h.createKey({ name: `net-${provider}`, allowedIps: ["203.0.113.0/24"] });
    const ip = await raised(h.client(server, net).chat.completions.create({ model, messages }));
    expect(ip).toBeInstanceOf(PermissionDeniedError);
    expect(ip.code).toBe("ip_not_allowed");
    expect(calls()).toBe(before);
  });

  it("refuses unknown and disabled keys with 401 AuthenticationError", async () => {
    const { id, secret } = await h.createKey({ name: `auth-${provider}` });
    const { id: goneId, secret: goneSecret } = await h.createKey({ name: `gone-${provider}` });
    await getDb().apiKey.update({ where: { id: goneId }, data: { hash: `deleted:${goneId}`, deletedAt: new Date() } });
    const before = calls();
    const unknown = await raised(h.client(server, goneSecret).chat.completions.create({ model, messages }));
    expect(unknown).toBeInstanceOf(AuthenticationError);
    expect(unknown.code).toBe("invalid_api_key");
    await setKeyEnabled(id, false, { actor: "cli" });
    const disabled = await waitFor("the disabled key to be refused", () =>
      raised(h.client(server, secret).chat.completions.create({ model, messages })).then((e) => (e.code === "api_key_disabled" ? e : Promise.reject(e))),
    );
    expect(disabled).toBeInstanceOf(AuthenticationError);
    expect(calls()).toBe(before);
  });
});
