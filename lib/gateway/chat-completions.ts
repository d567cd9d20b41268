// POST /v1/chat/completions: validate, route the model to its provider, forward, and
// relay the answer (JSON or a stream). Runs inside the gateway (gateway.ts), which has
// already checked the key and its limits, maps every error thrown here, and owns the
// request's log; the handler only reports what it learns to the log.
import { isModelAllowed } from "@/lib/keys/verify";
import { routeModel } from "@/lib/providers/registry";
import type { AdapterContext, ProviderAdapter } from "@/lib/providers/types";
import { parseChatRequest, readJsonBody } from "./body";
import { describeError, GatewayError } from "./errors";
import { sendJson, type V1Context } from "./gateway";
import { relayStream } from "./stream";
import { sendUpstream, upstreamError, upstreamFailure, type UpstreamResponse } from "./upstream";

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Nginx would otherwise buffer the stream.
  "x-accel-buffering": "no",
};

export async function handleChatCompletions(ctx: V1Context): Promise<void> {
  const { env } = ctx.services;
  const chat = parseChatRequest(await readJsonBody(ctx.req, env.MAX_REQUEST_BODY_BYTES, env.REQUEST_BODY_TIMEOUT * 1000));
  const stream = chat.stream === true;
  // The model asked for; replaced by the model that answered once the provider names it
  // (a dated snapshot for an alias, the bare name for "provider/model").
  ctx.log.asked(chat.model, stream);
  if (!isModelAllowed(ctx.key, chat.model)) {
    throw new GatewayError("model_not_allowed", `This API key may not use the model '${chat.model}'.`, { param: "model" });
  }
  const route = routeModel(chat.model, env);
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
  ctx.log.routedTo(adapter.id);
  const adapterCtx: AdapterContext = {
    apiKey: route.apiKey,
    baseUrl: route.baseUrl,
    model: route.model,
    requestId: ctx.log.requestId,
    created: Math.floor(ctx.log.startedAt / 1000),
  };

  // The client going away aborts the upstream request (ctx.signal) while waiting for the
  // answer; once streaming, the pump destroys the upstream body.
  const upstream = await sendUpstream(ctx.services.upstream, adapter.buildChatRequest(chat, adapterCtx), ctx.signal, adapter.id);
  if (upstream.statusCode >= 400) throw await upstreamError(adapter, upstream, route.apiKey, ctx.signal);
  if (!stream) {
    ctx.log.firstByte();
    return answerJson(ctx, adapter, adapterCtx, upstream);
  }

  const clientWantsUsage = (chat.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true;
  ctx.res.writeHead(200, SSE_HEADERS);
  await relayStream({
    body: upstream.body,
    converter: adapter.createStreamConverter(adapterCtx, clientWantsUsage),
    out: ctx.res,
    providerKey: route.apiKey,
    describeFailure: (error) => describeError(upstreamFailure(error, ctx.signal, adapter.id), ctx.log.requestId),
    abortUpstream: () => upstream.body.destroy(),
    onFirstChunk: () => ctx.log.firstByte(),
    onEnd: (end) => {
      ctx.log.used(end.usage);
      ctx.log.answeredBy(end.model);
      if (end.error) {
        // A stream that failed after its 200 had started: the client saw an error event.
        const gone = end.error.code === "client_closed_request";
        ctx.log.failed(end.error.code, end.error.message, gone ? null : {
          category: "system",
          level: "error",
          type: "upstream_error",
          message: end.error.message,
          details: { code: end.error.code, stream: true, ...end.error.details },
        });
      } else if (end.outcome === "client_closed") {
        ctx.log.clientGone();
      }
      ctx.log.finish(200);
    },
  });
}

async function answerJson(ctx: V1Context, adapter: ProviderAdapter, adapterCtx: AdapterContext, upstream: UpstreamResponse): Promise<void> {
  let text: string;
  try {
    text = await upstream.body.text();
  } catch (error) {
    throw upstreamFailure(error, ctx.signal, adapter.id);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GatewayError("upstream_bad_response", `The upstream provider (${adapter.id}) answered with a body that is not JSON.`);
  }
  const { body, usage } = adapter.convertChatResponse(parsed, adapterCtx);
  ctx.log.used(usage);
  const answered = (body as { model?: unknown } | null)?.model;
  if (typeof answered === "string") ctx.log.answeredBy(answered);
  // An adapter that returns the upstream object itself means "unchanged": send its bytes.
  sendJson(ctx, upstream.statusCode, body === parsed ? text : JSON.stringify(body));
}
