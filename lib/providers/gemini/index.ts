// The Gemini adapter: gemini-* models through the Gemini API's generateContent.
// @see https://ai.google.dev/api/generate-content
import type { ProviderAdapter } from "../types";
import { mapGeminiError } from "./errors";
import { buildListModelsRequest, parseModelList } from "./models";
import { buildGenerateContentRequest } from "./request";
import { convertGenerateContentResponse } from "./response";
import { GeminiStreamConverter } from "./stream";

export const geminiAdapter: ProviderAdapter = {
  id: "gemini",
  ownsModel: (model) => model.startsWith("gemini-"),
  buildChatRequest: buildGenerateContentRequest,
  convertChatResponse: convertGenerateContentResponse,
  createStreamConverter: (ctx, clientWantsUsage) => new GeminiStreamConverter(ctx, clientWantsUsage),
  mapError: mapGeminiError,
  buildListModelsRequest,
  parseModelList,
};
