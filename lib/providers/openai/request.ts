// Gateway request → OpenAI. The body is already OpenAI's: only the model name (without a
// "openai/" prefix) and, for streams, stream_options.include_usage change, so the final
// usage chunk arrives and the gateway can record tokens for streams too. Everything else
// passes through, so new OpenAI parameters work without a gateway release.
// What changes and what passes through is listed in ./SUPPORT.md.
// @see https://platform.openai.com/docs/api-reference/chat/create
import type { AdapterContext, ChatRequest, UpstreamRequest } from "../types";

export function buildChatRequest(request: ChatRequest, ctx: AdapterContext): UpstreamRequest {
  return {
    url: `${ctx.baseUrl}/chat/completions`,
    method: "POST",
    headers: { authorization: `Bearer ${ctx.apiKey}`, "content-type": "application/json", accept: request.stream === true ? "text/event-stream" : "application/json" },
    body: JSON.stringify(convertChatRequest(request, ctx.model)),
  };
}

export function convertChatRequest(request: ChatRequest, model: string): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request, model };
  if (request.stream === true) {
    const options = request.stream_options && typeof request.stream_options === "object" ? request.stream_options : {};
    body.stream_options = { ...options, include_usage: true };
  }
  return body;
}
