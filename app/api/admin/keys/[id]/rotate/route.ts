import { withKeySecret } from "@akm/core/admin-api/contract";
import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import { rotateKey } from "@akm/core/keys/service";

export const POST = withAdminApi<{ id: string }>(async ({ params, who }) => json(withKeySecret(await rotateKey(params.id, who))));
