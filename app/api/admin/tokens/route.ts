import { withTokenSecret } from "@akm/core/admin-api/contract";
import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import { listTokensQuery } from "@akm/core/admin-api/schemas";
import { createToken, listTokens } from "@akm/core/tokens/service";
import { parseInput } from "@akm/core/validation";

export const GET = withAdminApi(async ({ query }) => json({ items: await listTokens(parseInput(listTokensQuery, query)) }));

export const POST = withAdminApi(async ({ body, who }) => json(withTokenSecret(await createToken(await body(), who)), 201));
