import { withAdminApi } from "@/lib/admin-api/handler";
import { json, noContent } from "@/lib/admin-api/respond";
import type { UpdateKeyInput } from "@/lib/keys/schemas";
import { deleteKey, getKey, updateKey } from "@/lib/keys/service";

export const GET = withAdminApi<{ id: string }>(async ({ params }) => json(await getKey(params.id)));

export const PATCH = withAdminApi<{ id: string }>(async ({ params, body, who }) =>
  json(await updateKey(params.id, (await body()) as UpdateKeyInput, who)),
);

export const DELETE = withAdminApi<{ id: string }>(async ({ params, who }) => {
  await deleteKey(params.id, who);
  return noContent();
});
