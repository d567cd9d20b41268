import { withKeySecret } from "@akm/core/admin-api/contract";
import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import type { CreateKeyInput } from "@akm/core/keys/schemas";
import { createKey, listKeys } from "@akm/core/keys/service";

export const GET = withAdminApi(async ({ query }) => json(await listKeys(query)));

export const POST = withAdminApi(async ({ body, who }) => json(withKeySecret(await createKey((await body()) as CreateKeyInput, who)), 201));
