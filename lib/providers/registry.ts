// Model name → provider adapter. A request names a model either bare, owned by the first
// adapter whose ownsModel accepts it (gpt-*, o1…, chatgpt-* … → OpenAI; claude-* →
// Anthropic; gemini-* → Gemini), or as "provider/model" ("anthropic/claude-sonnet-4-5"),
// which reaches that provider whatever the model is called (new or private model names).
// Adding a provider: its adapter in ADAPTERS and its credentials in CREDENTIALS.
import { getEnv, type Env } from "@/lib/config/env";
import { anthropicAdapter } from "./anthropic";
import { geminiAdapter } from "./gemini";
import { openaiAdapter } from "./openai";
import type { ProviderAdapter, ProviderId } from "./types";

const ADAPTERS: readonly ProviderAdapter[] = [openaiAdapter, anthropicAdapter, geminiAdapter];

const CREDENTIALS: Record<ProviderId, (env: Env) => { apiKey: string | undefined; baseUrl: string; keyVariable: string }> = {
  openai: (env) => ({ apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL, keyVariable: "OPENAI_API_KEY" }),
  anthropic: (env) => ({ apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL, keyVariable: "ANTHROPIC_API_KEY" }),
  gemini: (env) => ({ apiKey: env.GOOGLE_API_KEY, baseUrl: env.GOOGLE_BASE_URL, keyVariable: "GOOGLE_API_KEY" }),
};

export interface ProviderTarget {
  adapter: ProviderAdapter;
  apiKey: string;
  baseUrl: string;
}

export type ModelRoute =
  | ({ ok: true; /** The model name the provider sees. */ model: string } & ProviderTarget)
  | { ok: false; reason: "unknown_model" }
  | { ok: false; reason: "provider_not_configured"; provider: ProviderId; keyVariable: string };

export function routeModel(name: string, env: Env = getEnv()): ModelRoute {
  let adapter: ProviderAdapter | undefined;
  let model = name;
  const slash = name.indexOf("/");
  if (slash > 0) {
    adapter = ADAPTERS.find((a) => a.id === name.slice(0, slash));
    if (adapter) model = name.slice(slash + 1);
  }
  adapter ??= ADAPTERS.find((a) => a.ownsModel(name));
  if (!adapter || !model) return { ok: false, reason: "unknown_model" };
  const credentials = CREDENTIALS[adapter.id](env);
  if (!credentials.apiKey) return { ok: false, reason: "provider_not_configured", provider: adapter.id, keyVariable: credentials.keyVariable };
  return { ok: true, adapter, model, apiKey: credentials.apiKey, baseUrl: credentials.baseUrl };
}

/** The adapters whose provider key is configured (model lists). */
export function configuredProviders(env: Env = getEnv()): ProviderTarget[] {
  return ADAPTERS.flatMap((adapter) => {
    const { apiKey, baseUrl } = CREDENTIALS[adapter.id](env);
    return apiKey ? [{ adapter, apiKey, baseUrl }] : [];
  });
}
