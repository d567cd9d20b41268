// The OpenAI adapter: OpenAI's own format, so conversions are (almost) identities.
import type { ProviderAdapter } from "../types";
import { mapError } from "./errors";
import { buildChatRequest, buildListModelsRequest } from "./request";
import { convertChatResponse, parseModelList } from "./response";
import { createStreamConverter } from "./stream";

// Chat, reasoning, embedding, fine-tuned and other OpenAI model families.
const OPENAI_MODELS = /^(gpt-|chatgpt-|o\d|ft:|text-embedding|text-moderation|omni-moderation|davinci|babbage|codex-|computer-use-|dall-e|whisper|tts-)/;

export const openaiAdapter: ProviderAdapter = {
  id: "openai",
  ownsModel: (model) => OPENAI_MODELS.test(model),
  buildChatRequest,
  convertChatResponse,
  createStreamConverter,
  mapError,
  buildListModelsRequest,
  parseModelList,
};
