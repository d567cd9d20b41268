// OpenAI-compatible model list. The work is in lib/gateway (Web Request → Response).
import { handleListModels } from "@/lib/gateway/models";
import { withGatewayKey } from "@/lib/gateway/with-gateway-key";

export const dynamic = "force-dynamic";

export const GET = withGatewayKey(handleListModels);
