import Link from "next/link";
import { requestsByProvider } from "@/components/charts/chart-data";
import { StackedBarChart } from "@/components/charts/charts";
import { SummaryTiles } from "@/components/dashboard/summary-tiles";
import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { requireAdmin } from "@akm/core/auth/session";
import { EXPIRING_WITHIN_DAYS, getDashboard } from "@akm/core/console/dashboard";
import { getI18n } from "@akm/core/i18n/server";

export default async function DashboardPage() {
  await requireAdmin("/admin");
  const { t, fmt, timeZone } = await getI18n();
  const data = await getDashboard(new Date(), timeZone);
  const chart = requestsByProvider(data.series, fmt, t("usage.noProvider"));

  return (
    <>
      <PageHeader title={t("dashboard.title")} description={t("dashboard.description", { zone: timeZone })} />
      <div className="space-y-6">
        <section aria-labelledby="today-heading">
          <h2 id="today-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
            {t("dashboard.today")}
          </h2>
          <SummaryTiles summary={data.today} t={t} fmt={fmt} />
        </section>
        <section aria-labelledby="day-heading">
          <h2 id="day-heading" className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
            {t("dashboard.last24h")}
          </h2>
          <SummaryTiles summary={data.last24h} t={t} fmt={fmt} />
        </section>

        <Card title={t("dashboard.requestsChart")} actions={<Link className="text-sm text-indigo-700 hover:underline" href="/admin/usage">{t("dashboard.moreUsage")}</Link>}>
          <StackedBarChart data={chart} label={t("dashboard.requestsChart")} />
        </Card>

        <div className="grid gap-6 lg:grid-cols-3">
          <Card title={t("dashboard.topKeys")}>
            {data.topKeys.length === 0 ? (
              <EmptyState title={t("dashboard.noTraffic")} />
            ) : (
              <table className="w-full text-sm">
                <thead>
                  <tr className="text-left text-xs text-slate-500">
                    <th scope="col" className="py-1 font-medium">{t("keys.name")}</th>
                    <th scope="col" className="py-1 text-right font-medium">{t("stats.requests")}</th>
                    <th scope="col" className="py-1 text-right font-medium">{t("stats.tokens")}</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {data.topKeys.map((k) => (
                    <tr key={k.keyId}>
                      <td className="py-1.5">
                        {k.deleted ? (
                          <span className="text-slate-500">{k.name} ({t("keys.deleted")})</span>
                        ) : (
                          <Link className="text-indigo-700 hover:underline" href={`/admin/keys/${k.keyId}`}>{k.name}</Link>
                        )}
                        <span className="ml-1 font-mono text-xs text-slate-400">{k.prefix}</span>
                      </td>
                      <td className="py-1.5 text-right tabular-nums">{fmt.number(k.requests)}</td>
                      <td className="py-1.5 text-right tabular-nums">{fmt.compact(k.tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
          <Card title={t("dashboard.topModels")}>
            {data.topModels.length === 0 ? (
              <EmptyState title={t("dashboard.noTraffic")} />
            ) : (
              <table className="w-full text-sm">
                <thead>
                  <tr className="text-left text-xs text-slate-500">
                    <th scope="col" className="py-1 font-medium">{t("usage.model")}</th>
                    <th scope="col" className="py-1 text-right font-medium">{t("stats.requests")}</th>
                    <th scope="col" className="py-1 text-right font-medium">{t("stats.tokens")}</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {data.topModels.map((m) => (
                    <tr key={m.model}>
                      <td className="py-1.5">
                        <span className="font-mono text-xs">{m.model}</span>
                        {m.provider ? <span className="ml-1 text-xs text-slate-400">{m.provider}</span> : null}
                      </td>
                      <td className="py-1.5 text-right tabular-nums">{fmt.number(m.requests)}</td>
                      <td className="py-1.5 text-right tabular-nums">{fmt.compact(m.tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
          <Card title={t("dashboard.expiring", { days: EXPIRING_WITHIN_DAYS })}>
            {data.expiring.length === 0 ? (
              <EmptyState title={t("dashboard.noneExpiring")} />
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {data.expiring.map((k) => (
                  <li key={k.id} className="flex items-center justify-between gap-2 py-1.5">
                    <Link className="truncate text-indigo-700 hover:underline" href={`/admin/keys/${k.id}`}>{k.name}</Link>
                    <Badge tone="amber">{fmt.dateTime(k.expiresAt)}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
