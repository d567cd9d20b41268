import { withAdminApi } from "@akm/core/admin-api/handler";
import { json, noContent } from "@akm/core/admin-api/respond";
import type { UpdateKeyInput } from "@akm/core/keys/schemas";
import { deleteKey, getKey, updateKey } from "@akm/core/keys/service";

export const GET = withAdminApi<{ id: string }>(async ({ params }) => json(await getKey(params.id)));

export const PATCH = withAdminApi<{ id: string }>(async ({ params, body, who }) =>
  json(await updateKey(params.id, (await body()) as UpdateKeyInput, who)),
);

export const DELETE = withAdminApi<{ id: string }>(async ({ params, who }) => {
  await deleteKey(params.id, who);
  return noContent();
});
