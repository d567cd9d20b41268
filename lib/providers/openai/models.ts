// Which model names are OpenAI's, and OpenAI's model list → bare model ids.
// @see https://platform.openai.com/docs/api-reference/models/list
import type { AdapterContext, UpstreamRequest } from "../types";
import { isRecord } from "../provider-errors";

// Chat, reasoning, embedding, fine-tuned and other OpenAI model families.
const OPENAI_MODELS = /^(gpt-|chatgpt-|o\d|ft:|text-embedding|text-moderation|omni-moderation|davinci|babbage|codex-|computer-use-|dall-e|whisper|tts-)/;

/** A bare model name that belongs to OpenAI. */
export function ownsModel(model: string): boolean {
  return OPENAI_MODELS.test(model);
}

export function buildListModelsRequest(ctx: Omit<AdapterContext, "model" | "requestId" | "created">): UpstreamRequest {
  return { url: `${ctx.baseUrl}/models`, method: "GET", headers: { authorization: `Bearer ${ctx.apiKey}`, accept: "application/json" } };
}

/** The list is not paginated: one call returns every model the key can see. */
export function parseModelList(upstreamBody: unknown): string[] {
  if (!isRecord(upstreamBody) || !Array.isArray(upstreamBody.data)) return [];
  return upstreamBody.data.flatMap((model) => (isRecord(model) && typeof model.id === "string" ? [model.id] : []));
}
