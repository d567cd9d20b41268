import Form from "next/form";
import { latencyDistribution, requestsByProvider, statusBreakdown, tokensOverTime } from "@/components/charts/chart-data";
import { AreaChart, BarChart, DoughnutChart, StackedBarChart } from "@/components/charts/charts";
import { SummaryTiles } from "@/components/dashboard/summary-tiles";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { selectClass } from "@/components/ui/styles";
import { RangeFields } from "@/components/usage/range-fields";
import { UsageTable } from "@/components/usage/usage-table";
import { requireAdmin } from "@akm/core/auth/session";
import { type PageSearchParams } from "@akm/core/console/search-params";
import { parseUsageQuery, usageQueryString } from "@akm/core/console/usage-filter";
import { getI18n } from "@akm/core/i18n/server";
import { listKeyOptions } from "@akm/core/keys/repository";
import { getUsageFilterOptions, getUsageOverview, getUsageSeries } from "@akm/core/usage/queries";
import { statusClass } from "@akm/core/usage/stats-shared";

export default async function UsagePage({ searchParams }: PageSearchParams) {
  await requireAdmin("/admin/usage");
  const params = await searchParams;
  const { t, fmt, timeZone } = await getI18n();
  const query = parseUsageQuery(params, timeZone, new Date());
  const [overview, series, options, keys] = await Promise.all([
    getUsageOverview(query.filter),
    getUsageSeries(query.filter, query.bucket),
    getUsageFilterOptions(query.filter),
    listKeyOptions(),
  ]);
  const noProvider = t("usage.noProvider");
  const qs = usageQueryString(query);

  return (
    <>
      <PageHeader
        title={t("usage.title")}
        description={t("usage.description", { from: fmt.dateTime(query.filter.from), to: fmt.dateTime(query.filter.to), bucket: t(`usage.buckets.${query.bucket}`) })}
        actions={
          <a className={buttonClass("secondary")} href={`/api/console/usage/export?${qs}`} download>
            {t("usage.exportCsv")}
          </a>
        }
      />
      <Form action="/admin/usage" className="mb-6 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <RangeFields range={query.form.range} from={query.form.from} to={query.form.to} problem={query.problem} />
        <div>
          <label htmlFor="usage-provider" className="block text-sm font-medium text-slate-700">{t("usage.provider")}</label>
          <select id="usage-provider" name="provider" defaultValue={query.form.provider} className={`${selectClass} mt-1`}>
            <option value="">{t("filters.all")}</option>
            {[...new Set([...options.providers, ...(query.form.provider ? [query.form.provider] : [])])].map((p) => (
              <option key={p} value={p}>{p}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="usage-key" className="block text-sm font-medium text-slate-700">{t("usage.key")}</label>
          <select id="usage-key" name="key" defaultValue={query.form.key} className={`${selectClass} mt-1 max-w-56`}>
            <option value="">{t("filters.all")}</option>
            {keys.map((k) => (
              <option key={k.id} value={k.id}>{k.deleted ? `${k.name} (${t("keys.deleted")})` : k.name}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="usage-model" className="block text-sm font-medium text-slate-700">{t("usage.model")}</label>
          <select id="usage-model" name="model" defaultValue={query.form.model} className={`${selectClass} mt-1 max-w-56`}>
            <option value="">{t("filters.all")}</option>
            {[...new Set([...options.models, ...(query.form.model ? [query.form.model] : [])])].map((m) => (
              <option key={m} value={m}>{m}</option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass("primary")}>{t("common.apply")}</button>
        {query.problem ? <p role="alert" className="w-full text-sm text-red-700">{t(query.problem)} {t("filters.showingDefault")}</p> : null}
      </Form>

      <div className="space-y-6">
        <SummaryTiles summary={overview} t={t} fmt={fmt} />
        <div className="grid gap-6 xl:grid-cols-2">
          <Card title={t("usage.requestsChart")}>
            <StackedBarChart data={requestsByProvider(series, fmt, noProvider)} label={t("usage.requestsChart")} />
          </Card>
          <Card title={t("usage.tokensChart")}>
            <AreaChart data={tokensOverTime(series, fmt, { prompt: t("usage.promptTokens"), completion: t("usage.completionTokens") })} label={t("usage.tokensChart")} />
          </Card>
          <Card title={t("usage.latencyChart")}>
            <BarChart data={latencyDistribution(overview.latencyHistogram, fmt, t("stats.requests"))} label={t("usage.latencyChart")} />
          </Card>
          <Card title={t("usage.statusChart")}>
            <DoughnutChart data={statusBreakdown(overview.statuses, (c) => t(`usage.statusClasses.${c}`))} label={t("usage.statusChart")} />
            {overview.statuses.length ? (
              <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
                {overview.statuses.map((s) => (
                  <li key={`${s.status}-${s.statusClass}`}>
                    <span className="font-mono">{s.status}</span>
                    {s.statusClass !== statusClass(s.status) ? ` (${t(s.status < 400 ? "usage.streamFailed" : "usage.fromProvider")})` : ""}: {fmt.number(s.requests)}
                  </li>
                ))}
              </ul>
            ) : null}
          </Card>
        </div>
        <Card title={t("usage.table")}>
          <UsageTable series={series} t={t} fmt={fmt} noProviderLabel={noProvider} />
        </Card>
      </div>
    </>
  );
}
