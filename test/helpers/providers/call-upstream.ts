// Test support: drives an adapter against a (fake) upstream over real HTTP the way the
// gateway does — build the call, send it with fetch, then convert the JSON answer, map the
// error, or feed the body through the stream converter as it arrives.
import { MappedErrorException, type AdapterContext, type ChatRequest, type MappedError, type ProviderAdapter, type StreamOutput, type Usage } from "@/lib/providers/types";

export type UpstreamOutcome =
  | { kind: "refused"; mapped: MappedError }
  | { kind: "error"; mapped: MappedError; status: number; headers: Headers }
  | { kind: "completion"; body: Record<string, unknown>; usage: Usage | null }
  /** `chunks`: what a converting adapter made; `text`: the bytes a pass-through adapter passed on. */
  | { kind: "stream"; chunks: Record<string, unknown>[]; text: string; usage: Usage | null; error: MappedError | null };

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
  const chunks: Record<string, unknown>[] = [];
  const bytes: Uint8Array[] = [];
  let error: MappedError | null = null;
  const take = (out: StreamOutput) => {
    chunks.push(...((out.chunks ?? []) as Record<string, unknown>[]));
    if (out.bytes) bytes.push(out.bytes);
    error = out.failure ?? null;
  };
  const reader = res.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    take(converter.push(value));
    if (error) {
      await reader.cancel();
      break;
    }
  }
  if (!error) take(converter.end());
  return { kind: "stream", chunks, text: Buffer.concat(bytes).toString("utf8"), usage: converter.usage(), error };
}

export async function listModels(adapter: ProviderAdapter, ctx: { apiKey: string; baseUrl: string }): Promise<string[] | MappedError> {
  const upstream = adapter.buildListModelsRequest(ctx);
  const res = await fetch(upstream.url, { method: upstream.method, headers: upstream.headers });
  if (!res.ok) return adapter.mapError(res.status, await res.text());
  return adapter.parseModelList(await res.json());
}
