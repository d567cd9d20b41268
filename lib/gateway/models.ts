// GET /v1/models: the models of every configured provider, as OpenAI lists them, limited
// to those the key may use. Provider lists change rarely; each is cached for LIST_TTL_MS.
import { isModelAllowed } from "@/lib/keys/verify";
import { configuredProviders, type ProviderTarget } from "@/lib/providers/registry";
import type { ProviderId } from "@/lib/providers/types";
import { GatewayError } from "./errors";
import type { Agent } from "undici";
import { sendJson, type V1Context } from "./gateway";
import { sendUpstream, upstreamError, upstreamFailure } from "./upstream";
import type { CachedKey } from "@/lib/keys/cache";

const LIST_TTL_MS = 5 * 60_000;

interface CachedList {
  at: number;
  ids: Promise<string[]>;
}

const lists = new Map<ProviderId, CachedList>();

async function fetchModelIds(agent: Agent, target: ProviderTarget): Promise<string[]> {
  const { adapter } = target;
  const signal = AbortSignal.timeout(30_000);
  const upstream = await sendUpstream(agent, adapter.buildListModelsRequest({ apiKey: target.apiKey, baseUrl: target.baseUrl }), signal, adapter.id);
  if (upstream.statusCode >= 400) throw await upstreamError(adapter, upstream, target.apiKey, signal);
  let body: unknown;
  try {
    body = await upstream.body.json();
  } catch (error) {
    if (error instanceof SyntaxError) throw new GatewayError("upstream_bad_response", `The upstream provider (${adapter.id}) answered with a model list that is not JSON.`);
    throw upstreamFailure(error, signal, adapter.id);
  }
  return adapter.parseModelList(body);
}

function modelIds(agent: Agent, target: ProviderTarget, now: number): Promise<string[]> {
  const cached = lists.get(target.adapter.id);
  if (cached && now - cached.at < LIST_TTL_MS) return cached.ids;
  const ids = fetchModelIds(agent, target);
  lists.set(target.adapter.id, { at: now, ids });
  ids.catch(() => lists.delete(target.adapter.id)); // a failure is not cached
  return ids;
}

export async function handleListModels(ctx: V1Context): Promise<void> {
  const targets = configuredProviders(ctx.services.env);
  const results = await Promise.allSettled(targets.map((t) => modelIds(ctx.services.upstream, t, Date.now())));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  // One provider down should not hide the others; all of them down is an error.
  if (failed && results.every((r) => r.status === "rejected")) throw failed.reason;
  const data = results.flatMap((result, i) => {
    if (result.status !== "fulfilled") return [];
    const provider = targets[i].adapter.id;
    return result.value.flatMap((id) => {
      const listed = callableName(ctx.key, provider, id);
      return listed ? [{ id: listed, object: "model", created: 0, owned_by: provider }] : [];
    });
  });
  sendJson(ctx, 200, { object: "list", data });
}

/**
 * The name under which the key may call a provider's model: the bare id, or "provider/id"
 * when the key's list names only that form; null when the key may not use it. Every listed
 * id can be sent back as it is.
 */
function callableName(key: CachedKey, provider: ProviderId, id: string): string | null {
  if (isModelAllowed(key, id)) return id;
  const explicit = `${provider}/${id}`;
  return key.allowedModels?.has(explicit) ? explicit : null;
}

/** For tests: forget cached provider lists. */
export function clearModelListCache(): void {
  lists.clear();
}
