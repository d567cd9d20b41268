import { withKeySecret } from "@/lib/admin-api/contract";
import { withAdminApi } from "@/lib/admin-api/handler";
import { json } from "@/lib/admin-api/respond";
import type { CreateKeyInput } from "@/lib/keys/schemas";
import { createKey, listKeys } from "@/lib/keys/service";

export const GET = withAdminApi(async ({ query }) => json(await listKeys(query)));

export const POST = withAdminApi(async ({ body, who }) => json(withKeySecret(await createKey((await body()) as CreateKeyInput, who)), 201));
