// OpenAI-compatible chat completions. The work is in lib/gateway (Web Request → Response).
import { handleChatCompletions } from "@/lib/gateway/chat-completions";
import { withGatewayKey } from "@/lib/gateway/with-gateway-key";

export const dynamic = "force-dynamic";

export const POST = withGatewayKey(handleChatCompletions);
