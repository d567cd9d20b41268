// The /v1 endpoints, wrapped once. The route files under app/v1 export these, and our
// server (lib/server/start.ts) calls the same functions directly, without Next's
// per-request routing (see lib/server/direct-routes.ts for why).
import { handleChatCompletions } from "./chat-completions";
import { handleListModels } from "./models";
import { withGatewayKey } from "./with-gateway-key";

export const chatCompletionsRoute = withGatewayKey(handleChatCompletions);
export const listModelsRoute = withGatewayKey(handleListModels);

export const V1_ROUTES = {
  "POST /v1/chat/completions": chatCompletionsRoute,
  "GET /v1/models": listModelsRoute,
} as const;

/** Served only by Next's route files: the benchmark's do-nothing baseline measures Next itself (BENCH_ROUTES=1). */
export const V1_NEXT_ONLY_ROUTES = ["GET /v1/bench-noop", "POST /v1/bench-noop"] as const;
