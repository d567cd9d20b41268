import { getAdminSession } from "@/lib/auth/session";
import { parseUsageQuery } from "@/lib/console/usage-filter";
import { usageCsv } from "@/lib/console/usage-csv";
import { readCookie } from "@/lib/auth/request";
import { resolveTimeZone, TIME_ZONE_COOKIE } from "@/lib/i18n/locales";
import { getUsageSeries } from "@/lib/usage/queries";

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
