import { EmptyState } from "@/components/ui/empty-state";
import type { Formatter } from "@/lib/i18n/format";
import type { Translate } from "@/lib/i18n/translate";
import type { UsageSeries } from "@/lib/usage/queries";

/** The numbers behind the charts, newest bucket first (server component). */
export function UsageTable({ series, t, fmt, noProviderLabel }: { series: UsageSeries; t: Translate; fmt: Formatter; noProviderLabel: string }) {
  if (series.rows.length === 0) return <EmptyState title={t("common.noDataInRange")}>{t("usage.emptyHint")}</EmptyState>;
  const rows = [...series.rows].reverse();
  return (
    <div className="relative max-h-[28rem] overflow-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{t("usage.tableCaption")}</caption>
        <thead className="sticky top-0 bg-white text-left text-xs text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-2 font-medium">{t("usage.bucket")}</th>
            <th scope="col" className="px-2 py-2 font-medium">{t("usage.provider")}</th>
            <th scope="col" className="px-2 py-2 text-right font-medium">{t("stats.requests")}</th>
            <th scope="col" className="px-2 py-2 text-right font-medium">{t("stats.errors")}</th>
            <th scope="col" className="px-2 py-2 text-right font-medium">{t("usage.promptTokens")}</th>
            <th scope="col" className="px-2 py-2 text-right font-medium">{t("usage.completionTokens")}</th>
            <th scope="col" className="px-2 py-2 text-right font-medium">{t("usage.avgLatency")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={`${r.bucket}|${r.provider ?? ""}`}>
              <td className="whitespace-nowrap px-2 py-1.5">{fmt.dateTime(r.bucket)}</td>
              <td className="px-2 py-1.5">{r.provider ?? noProviderLabel}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{fmt.number(r.requests)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{fmt.number(r.errors)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{fmt.number(r.promptTokens)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{fmt.number(r.completionTokens)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{fmt.ms(r.avgLatencyMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
