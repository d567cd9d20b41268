import { StatTile } from "@/components/ui/card";
import type { Formatter } from "@/lib/i18n/format";
import type { Translate } from "@/lib/i18n/translate";
import type { UsageSummary } from "@/lib/usage/queries";

/** The headline numbers of a period; a server component (formatting happens on the server). */
export function SummaryTiles({ summary, t, fmt }: { summary: UsageSummary; t: Translate; fmt: Formatter }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-8">
      <StatTile label={t("stats.requests")} value={fmt.number(summary.requests)} />
      <StatTile label={t("stats.successRate")} value={fmt.percent(summary.successRate)} />
      <StatTile label={t("stats.p50")} value={fmt.ms(summary.p50Ms)} />
      <StatTile label={t("stats.p95")} value={fmt.ms(summary.p95Ms)} />
      <StatTile
        label={t("stats.tokens")}
        value={fmt.compact(summary.promptTokens + summary.completionTokens)}
        hint={t("stats.tokensSplit", { prompt: fmt.compact(summary.promptTokens), completion: fmt.compact(summary.completionTokens) })}
      />
      <StatTile label={t("stats.errors")} value={fmt.number(summary.errors)} />
      <StatTile label={t("stats.rateLimited")} value={fmt.number(summary.rateLimited)} />
      <StatTile label={t("stats.refused")} value={fmt.number(summary.refused)} />
    </dl>
  );
}
