import { assertMayManageAdmins } from "@/lib/admin-api/auth";
import { toAdminResult } from "@/lib/admin-api/contract";
import { withAdminApi } from "@/lib/admin-api/handler";
import { json } from "@/lib/admin-api/respond";
import { createAdmin } from "@/lib/admins/service";

// Creates an admin, or sets a new password for an existing e-mail (200 instead of 201).
export const POST = withAdminApi(async ({ principal, body, who }) => {
  assertMayManageAdmins(principal);
  const result = await createAdmin(await body(), who);
  return json(toAdminResult(result), result.created ? 201 : 200);
});
