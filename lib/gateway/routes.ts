// The /v1 endpoints: path → method → handler. The gateway (gateway.ts) answers every other
// /v1 path with 404 unknown_url and a known path's other methods with 405.
import { handleChatCompletions } from "./chat-completions";
import type { V1Routes } from "./gateway";
import { handleListModels } from "./models";

export const V1_ROUTES: V1Routes = {
  "/v1/chat/completions": { POST: handleChatCompletions },
  "/v1/models": { GET: handleListModels },
};
