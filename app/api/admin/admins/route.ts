import { assertMayManageAdmins } from "@akm/core/admin-api/auth";
import { toAdminResult } from "@akm/core/admin-api/contract";
import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import { createAdmin } from "@akm/core/admins/service";

// Creates an admin, or sets a new password for an existing e-mail (200 instead of 201).
export const POST = withAdminApi(async ({ principal, body, who }) => {
  assertMayManageAdmins(principal);
  const result = await createAdmin(await body(), who);
  return json(toAdminResult(result), result.created ? 201 : 200);
});
