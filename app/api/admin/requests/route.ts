import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import { listRequestLog } from "@akm/core/usage/request-log-reads";

// The request log, newest first, in keyset pages: ?from&to&keyId&model&provider&status&requestId&limit&cursor.
export const GET = withAdminApi(async ({ query }) => json(await listRequestLog(query)));
