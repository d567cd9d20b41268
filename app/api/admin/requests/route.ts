import { withAdminApi } from "@/lib/admin-api/handler";
import { json } from "@/lib/admin-api/respond";
import { listRequestLog } from "@/lib/usage/request-list";

// The request log, newest first, in keyset pages: ?from&to&keyId&model&provider&status&requestId&limit&cursor.
export const GET = withAdminApi(async ({ query }) => json(await listRequestLog(query)));
