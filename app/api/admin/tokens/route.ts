import { withTokenSecret } from "@/lib/admin-api/contract";
import { withAdminApi } from "@/lib/admin-api/handler";
import { json } from "@/lib/admin-api/respond";
import { listTokensQuery } from "@/lib/admin-api/schemas";
import { createToken, listTokens } from "@/lib/tokens/service";
import { parseInput } from "@/lib/validation";

export const GET = withAdminApi(async ({ query }) => json({ items: await listTokens(parseInput(listTokensQuery, query)) }));

export const POST = withAdminApi(async ({ body, who }) => json(withTokenSecret(await createToken(await body(), who)), 201));
