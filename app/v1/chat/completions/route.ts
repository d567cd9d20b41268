// OpenAI-compatible chat completions. The work is in lib/gateway (Web Request → Response).
import { chatCompletionsRoute } from "@akm/core/gateway/routes";

export const dynamic = "force-dynamic";

export const POST = chatCompletionsRoute;
