// Which model names are Anthropic's, and Anthropic's model list → bare model ids.
// @see https://platform.claude.com/docs/en/api/models/list
import type { AdapterContext, UpstreamRequest } from "../types";
import { isRecord } from "../provider-errors";
import type { AnthropicVersion } from "./wire-types";

/** A bare model name that belongs to Anthropic. */
export function ownsModel(model: string): boolean {
  return model.startsWith("claude-");
}

/** The list is paginated (default 20 per page); 1000, the maximum, fits every Claude model in one call. */
const PAGE_SIZE = 1000;

export function buildListModelsRequest(
  ctx: Omit<AdapterContext, "model" | "requestId" | "created">,
  version: AnthropicVersion,
): UpstreamRequest {
  return {
    url: `${ctx.baseUrl}/v1/models?limit=${PAGE_SIZE}`,
    method: "GET",
    headers: { accept: "application/json", "x-api-key": ctx.apiKey, "anthropic-version": version },
  };
}

export function parseModelList(upstreamBody: unknown): string[] {
  if (!isRecord(upstreamBody) || !Array.isArray(upstreamBody.data)) return [];
  return upstreamBody.data.flatMap((model) => (isRecord(model) && typeof model.id === "string" ? [model.id] : []));
}
