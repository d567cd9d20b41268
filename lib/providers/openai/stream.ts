// OpenAI streams are already chat.completion.chunk events: no converter. The gateway
// forwards them event by event and reads the final usage chunk (requested by
// request.ts) on the side.
// @see https://platform.openai.com/docs/api-reference/chat-streaming
import type { AdapterContext, StreamConverter } from "../types";

export function createStreamConverter(_ctx: AdapterContext, _clientWantsUsage: boolean): StreamConverter | null {
  return null;
}
