// The OpenAI adapter: OpenAI's own format, so requests and answers pass through with the
// few changes listed in ./SUPPORT.md.
// @see https://platform.openai.com/docs/api-reference/chat
import type { ProviderAdapter } from "../types";
import { mapError } from "./errors";
import { buildListModelsRequest, ownsModel, parseModelList } from "./models";
import { buildChatRequest } from "./request";
import { convertChatResponse } from "./response";
import { createStreamConverter } from "./stream";

export const openaiAdapter: ProviderAdapter = {
  id: "openai",
  ownsModel,
  buildChatRequest,
  convertChatResponse,
  createStreamConverter,
  mapError,
  buildListModelsRequest,
  parseModelList,
};
