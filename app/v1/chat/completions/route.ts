// OpenAI-compatible chat completions. The work is in lib/gateway (Web Request → Response).
import { chatCompletionsRoute } from "@/lib/gateway/routes";

export const dynamic = "force-dynamic";

export const POST = chatCompletionsRoute;
