// The Anthropic adapter: claude-* models through the Messages API.
// @see https://platform.claude.com/docs/en/api/messages/create
import type { ProviderAdapter } from "../types";
import { mapError } from "./errors";
import { buildListModelsRequest, ownsModel, parseModelList } from "./models";
import { buildChatRequest, DEFAULT_ANTHROPIC_VERSION } from "./request";
import { convertChatResponse } from "./response";
import { createStreamConverter } from "./stream";
import type { AnthropicVersion } from "./wire-types";

export interface AnthropicAdapterOptions {
  /** anthropic-version header; see DEFAULT_ANTHROPIC_VERSION for why 2023-06-01. */
  version?: AnthropicVersion;
}

export function createAnthropicAdapter(options: AnthropicAdapterOptions = {}): ProviderAdapter {
  const version = options.version ?? DEFAULT_ANTHROPIC_VERSION;
  return {
    id: "anthropic",
    ownsModel,
    buildChatRequest: (request, ctx) => buildChatRequest(request, ctx, { version }),
    convertChatResponse,
    createStreamConverter,
    mapError,
    buildListModelsRequest: (ctx) => buildListModelsRequest(ctx, version),
    parseModelList,
  };
}

export const anthropicAdapter: ProviderAdapter = createAnthropicAdapter();
