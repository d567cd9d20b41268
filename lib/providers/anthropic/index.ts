// The Anthropic adapter: claude-* models through the Messages API.
// @see https://platform.claude.com/docs/en/api/messages/create
import type { ProviderAdapter } from "../types";
import { mapAnthropicError } from "./errors";
import { buildListModelsRequest, parseModelList } from "./models";
import { buildMessagesRequest, DEFAULT_ANTHROPIC_VERSION } from "./request";
import { convertMessageResponse } from "./response";
import { AnthropicStreamConverter } from "./stream";
import type { AnthropicVersion } from "./wire-types";

export interface AnthropicAdapterOptions {
  /** anthropic-version header; see DEFAULT_ANTHROPIC_VERSION for why 2023-06-01. */
  version?: AnthropicVersion;
}

export function createAnthropicAdapter(options: AnthropicAdapterOptions = {}): ProviderAdapter {
  const version = options.version ?? DEFAULT_ANTHROPIC_VERSION;
  return {
    id: "anthropic",
    ownsModel: (model) => model.startsWith("claude-"),
    buildChatRequest: (request, ctx) => buildMessagesRequest(request, ctx, { version }),
    convertChatResponse: (upstreamBody, ctx) => convertMessageResponse(upstreamBody, ctx),
    createStreamConverter: (ctx, clientWantsUsage) => new AnthropicStreamConverter(ctx, clientWantsUsage),
    mapError: mapAnthropicError,
    buildListModelsRequest: (ctx) => buildListModelsRequest(ctx, version),
    parseModelList,
  };
}

export const anthropicAdapter: ProviderAdapter = createAnthropicAdapter();
