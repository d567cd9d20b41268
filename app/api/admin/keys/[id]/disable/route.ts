import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import { setKeyEnabled } from "@akm/core/keys/service";

export const POST = withAdminApi<{ id: string }>(async ({ params, who }) => json(await setKeyEnabled(params.id, false, who)));
