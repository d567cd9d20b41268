// The Gemini adapter: gemini-* models through the Gemini API's generateContent.
// @see https://ai.google.dev/api/generate-content
import type { ProviderAdapter } from "../types";
import { mapError } from "./errors";
import { buildListModelsRequest, ownsModel, parseModelList } from "./models";
import { buildChatRequest } from "./request";
import { convertChatResponse } from "./response";
import { createStreamConverter } from "./stream";

export const geminiAdapter: ProviderAdapter = {
  id: "gemini",
  ownsModel,
  buildChatRequest,
  convertChatResponse,
  createStreamConverter,
  mapError,
  buildListModelsRequest,
  parseModelList,
};
