// POST /v1/chat/completions: validate, route the model to its provider, forward, and
// relay the answer (JSON or a stream). Runs inside withGatewayKey, which has already
// checked the key and its limits and maps every error thrown here.
import { getEnv } from "@/lib/config/env";
import { isModelAllowed } from "@/lib/keys/verify";
import { routeModel } from "@/lib/providers/registry";
import type { AdapterContext, ProviderAdapter } from "@/lib/providers/types";
import { parseChatRequest, readJsonBody } from "./body";
import { describeError, GatewayError } from "./errors";
import { relayStream } from "./stream";
import { sendUpstream, upstreamError, upstreamFailure, type UpstreamResponse } from "./upstream";
import { applyUsage, type GatewayContext } from "./with-gateway-key";

export async function handleChatCompletions(request: Request, ctx: GatewayContext): Promise<Response> {
  const chat = parseChatRequest(await readJsonBody(request, getEnv().MAX_REQUEST_BODY_BYTES));
  const stream = chat.stream === true;
  // The model asked for; replaced by the model that answered once the provider names it
  // (a dated snapshot for an alias, the bare name for "provider/model").
  ctx.record.model = chat.model;
  ctx.record.stream = stream;
  if (!isModelAllowed(ctx.key, chat.model)) {
    throw new GatewayError("model_not_allowed", `This API key may not use the model '${chat.model}'.`, { param: "model" });
  }
  const route = routeModel(chat.model);
  if (!route.ok) {
    if (route.reason === "unknown_model") {
      throw new GatewayError("model_not_found", `The model '${chat.model}' does not exist or is not served by this gateway.`, { param: "model" });
    }
    throw new GatewayError(
      "provider_not_configured",
      `The model '${chat.model}' is served by ${route.provider}, which is not configured on this gateway (${route.keyVariable} is not set).`,
      { param: "model" },
    );
  }
  const { adapter } = route;
  ctx.record.provider = adapter.id;
  const adapterCtx: AdapterContext = {
    apiKey: route.apiKey,
    baseUrl: route.baseUrl,
    model: route.model,
    requestId: ctx.requestId,
    created: Math.floor(ctx.record.startedAt / 1000),
  };

  // The client going away aborts the upstream request: request.signal (Next aborts it
  // when the connection closes) while waiting for the answer; once streaming, Next
  // cancels the body, which destroys the upstream one.
  const signal = request.signal;
  const upstream = await sendUpstream(adapter.buildChatRequest(chat, adapterCtx), signal, adapter.id);
  if (upstream.statusCode >= 400) throw await upstreamError(adapter, upstream, route.apiKey, signal);
  if (!stream) {
    ctx.record.ttfbMs = Math.round(ctx.elapsed());
    return jsonResponse(adapter, adapterCtx, upstream, signal, ctx);
  }

  const clientWantsUsage = (chat.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true;
  const finish = ctx.deferRecord();
  const body = relayStream({
    body: upstream.body,
    converter: adapter.createStreamConverter(adapterCtx, clientWantsUsage),
    providerKey: route.apiKey,
    describeFailure: (error) => describeError(upstreamFailure(error, signal, adapter.id), ctx.requestId),
    abortUpstream: () => upstream.body.destroy(),
    onFirstChunk: () => (ctx.record.ttfbMs = Math.round(ctx.elapsed())),
    onEnd: (end) => {
      applyUsage(ctx.record, end.usage);
      if (end.model) ctx.record.model = end.model;
      finish({ error: end.error, clientClosed: end.outcome === "client_closed" });
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      // Nginx would otherwise buffer the stream.
      "x-accel-buffering": "no",
    },
  });
}

async function jsonResponse(
  adapter: ProviderAdapter,
  adapterCtx: AdapterContext,
  upstream: UpstreamResponse,
  signal: AbortSignal,
  ctx: GatewayContext,
): Promise<Response> {
  let text: string;
  try {
    text = await upstream.body.text();
  } catch (error) {
    throw upstreamFailure(error, signal, adapter.id);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GatewayError("upstream_bad_response", `The upstream provider (${adapter.id}) answered with a body that is not JSON.`);
  }
  const { body, usage } = adapter.convertChatResponse(parsed, adapterCtx);
  applyUsage(ctx.record, usage);
  const answered = (body as { model?: unknown } | null)?.model;
  if (typeof answered === "string" && answered) ctx.record.model = answered;
  // An adapter that returns the upstream object itself means "unchanged": send its bytes.
  return new Response(body === parsed ? text : JSON.stringify(body), {
    status: upstream.statusCode,
    headers: { "content-type": "application/json" },
  });
}
