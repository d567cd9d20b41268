// OpenAI-compatible model list. The work is in lib/gateway (Web Request → Response).
import { listModelsRoute } from "@akm/core/gateway/routes";

export const dynamic = "force-dynamic";

export const GET = listModelsRoute;
