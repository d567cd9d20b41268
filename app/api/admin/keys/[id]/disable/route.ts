import { withAdminApi } from "@/lib/admin-api/handler";
import { json } from "@/lib/admin-api/respond";
import { setKeyEnabled } from "@/lib/keys/service";

export const POST = withAdminApi<{ id: string }>(async ({ params, who }) => json(await setKeyEnabled(params.id, false, who)));
