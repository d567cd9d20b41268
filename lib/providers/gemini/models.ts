// Which model names are Gemini's, and Gemini's model list → bare model ids of the models
// that answer generateContent.
// @see https://ai.google.dev/api/models#method:-models.list
import type { AdapterContext, UpstreamRequest } from "../types";
import { isRecord } from "../provider-errors";
import { GEMINI_API_VERSION } from "./request";

/** A bare model name that belongs to Gemini. */
export function ownsModel(model: string): boolean {
  return model.startsWith("gemini-");
}

/** The list is paginated (default 50); 1000, the maximum, fits every model in one call. */
const PAGE_SIZE = 1000;

export function buildListModelsRequest(ctx: Omit<AdapterContext, "model" | "requestId" | "created">): UpstreamRequest {
  return {
    url: `${ctx.baseUrl}/${GEMINI_API_VERSION}/models?pageSize=${PAGE_SIZE}`,
    method: "GET",
    headers: { accept: "application/json", "x-goog-api-key": ctx.apiKey },
  };
}

/** Names arrive as "models/gemini-…"; embedding-only and other non-chat models are left out. */
export function parseModelList(upstreamBody: unknown): string[] {
  if (!isRecord(upstreamBody) || !Array.isArray(upstreamBody.models)) return [];
  return upstreamBody.models.flatMap((model) => {
    if (!isRecord(model) || typeof model.name !== "string") return [];
    const methods = Array.isArray(model.supportedGenerationMethods) ? model.supportedGenerationMethods : [];
    if (!methods.includes("generateContent")) return [];
    return [model.name.replace(/^models\//, "")];
  });
}
