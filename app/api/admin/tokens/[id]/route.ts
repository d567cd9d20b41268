import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import { revokeToken } from "@akm/core/tokens/service";

// Revoking keeps the token's row (for the audit trail), so the answer shows it revoked.
export const DELETE = withAdminApi<{ id: string }>(async ({ params, who }) => json(await revokeToken(params.id, who)));
