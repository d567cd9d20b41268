import { withKeySecret } from "@/lib/admin-api/contract";
import { withAdminApi } from "@/lib/admin-api/handler";
import { json } from "@/lib/admin-api/respond";
import { rotateKey } from "@/lib/keys/service";

export const POST = withAdminApi<{ id: string }>(async ({ params, who }) => json(withKeySecret(await rotateKey(params.id, who))));
