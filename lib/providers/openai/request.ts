// Gateway request → OpenAI. The body is already OpenAI's: only the model name (without a
// "openai/" prefix) and, for streams, stream_options.include_usage change, so the final
// usage chunk arrives and the gateway can record tokens for streams too. Everything else
// passes through, so new OpenAI parameters work without a gateway release.
// @see https://platform.openai.com/docs/api-reference/chat/create
import type { AdapterContext, ChatRequest, UpstreamRequest } from "../types";

export function buildChatRequest(request: ChatRequest, ctx: AdapterContext): UpstreamRequest {
  const body: Record<string, unknown> = { ...request, model: ctx.model };
  if (request.stream === true) {
    const options = request.stream_options && typeof request.stream_options === "object" ? request.stream_options : {};
    body.stream_options = { ...options, include_usage: true };
  }
  return {
    url: `${ctx.baseUrl}/chat/completions`,
    method: "POST",
    headers: { authorization: `Bearer ${ctx.apiKey}`, "content-type": "application/json", accept: request.stream === true ? "text/event-stream" : "application/json" },
    body: JSON.stringify(body),
  };
}

export function buildListModelsRequest(ctx: { apiKey: string; baseUrl: string }): UpstreamRequest {
  return { url: `${ctx.baseUrl}/models`, method: "GET", headers: { authorization: `Bearer ${ctx.apiKey}`, accept: "application/json" } };
}
