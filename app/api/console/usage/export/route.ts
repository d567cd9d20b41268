import { getAdminSession } from "@akm/core/auth/session";
import { parseUsageQuery } from "@akm/core/console/usage-filter";
import { usageCsv } from "@akm/core/console/usage-csv";
import { readCookie } from "@akm/core/auth/request";
import { resolveTimeZone, TIME_ZONE_COOKIE } from "@akm/core/i18n/locales";
import { getUsageSeries } from "@akm/core/usage/queries";

export async function GET(request: Request): Promise<Response> {
  if (!(await getAdminSession(request))) {
    return Response.json({ error: { code: "unauthorized", message: "sign in to the console first" } }, { status: 401 });
  }
  const timeZone = resolveTimeZone(readCookie(request.headers, TIME_ZONE_COOKIE));
  const query = parseUsageQuery(new URL(request.url).searchParams, timeZone, new Date());
  if (query.problem) return Response.json({ error: { code: "invalid_input", message: "invalid time range" } }, { status: 400 });
  const csv = usageCsv(await getUsageSeries(query.filter, query.bucket));
  const stamp = query.filter.from.toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="usage-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
