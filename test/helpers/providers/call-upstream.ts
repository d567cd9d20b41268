// Test support: drives an adapter against a (fake) upstream over real HTTP the way the
// gateway will — build the call, send it with fetch, then convert the JSON answer, map the
// error, or feed the SSE body through the stream converter as it arrives.
import { SseParser } from "@/lib/providers/sse";
import { MappedErrorException, type AdapterContext, type ChatRequest, type MappedError, type ProviderAdapter, type Usage } from "@/lib/providers/types";

export type UpstreamOutcome =
  | { kind: "refused"; mapped: MappedError }
  | { kind: "error"; mapped: MappedError; status: number; headers: Headers }
  | { kind: "completion"; body: Record<string, unknown>; usage: Usage | null }
  | { kind: "stream"; chunks: Record<string, unknown>[]; usage: Usage | null; error: MappedError | null };

export async function callUpstream(
  adapter: ProviderAdapter,
  request: ChatRequest,
  ctx: AdapterContext,
  options: { clientWantsUsage?: boolean; signal?: AbortSignal } = {},
): Promise<UpstreamOutcome> {
  let upstream;
  try {
    upstream = adapter.buildChatRequest(request, ctx);
  } catch (error) {
    if (error instanceof MappedErrorException) return { kind: "refused", mapped: error.mapped };
    throw error;
  }
  const res = await fetch(upstream.url, { method: upstream.method, headers: upstream.headers, body: upstream.body, signal: options.signal });
  if (!res.ok) return { kind: "error", mapped: adapter.mapError(res.status, await res.text()), status: res.status, headers: res.headers };
  if (!request.stream) {
    const converted = adapter.convertChatResponse(await res.json(), ctx);
    return { kind: "completion", body: converted.body as Record<string, unknown>, usage: converted.usage };
  }
  const converter = adapter.createStreamConverter(ctx, options.clientWantsUsage ?? false);
  if (!converter) throw new Error(`${adapter.id} passes streams through`);
  const chunks: Record<string, unknown>[] = [];
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  const feed = (text: string, last: boolean) => {
    for (const event of [...parser.push(text), ...(last ? parser.end() : [])]) {
      if (converter.error()) return;
      chunks.push(...(converter.push(event) as Record<string, unknown>[]));
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    feed(decoder.decode(value, { stream: true }), false);
    if (converter.error()) {
      await reader.cancel();
      break;
    }
  }
  if (!converter.error()) {
    feed(decoder.decode(), true);
    if (!converter.error()) chunks.push(...(converter.end() as Record<string, unknown>[]));
  }
  return { kind: "stream", chunks, usage: converter.usage(), error: converter.error() };
}

export async function listModels(adapter: ProviderAdapter, ctx: { apiKey: string; baseUrl: string }): Promise<string[] | MappedError> {
  const upstream = adapter.buildListModelsRequest(ctx);
  const res = await fetch(upstream.url, { method: upstream.method, headers: upstream.headers });
  if (!res.ok) return adapter.mapError(res.status, await res.text());
  return adapter.parseModelList(await res.json());
}
