import { withAdminApi } from "@akm/core/admin-api/handler";
import { json } from "@akm/core/admin-api/respond";
import { listEventLog } from "@akm/core/events/repository";

// System and security events, newest first, in keyset pages: ?from&to&category&level&type&keyId&clientIp&limit&cursor.
export const GET = withAdminApi(async ({ query }) => json(await listEventLog(query)));
