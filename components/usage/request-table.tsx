import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { logTypeLabel } from "@/lib/console/log-types";
import { isStreamFailure, statusClass } from "@/lib/usage/stats-shared";
import type { Formatter } from "@/lib/i18n/format";
import type { Translate } from "@/lib/i18n/translate";
import type { RequestLogView } from "@/lib/usage/request-log-reads";

/** A status coloured by how it counts (lib/usage/stats-shared.ts). */
export function StatusBadge({ status, errorCode = null, upstream = false }: { status: number; errorCode?: string | null; upstream?: boolean }) {
  const cls = statusClass(status, { upstream, streamFailed: isStreamFailure(status, errorCode) });
  const tone = cls === "success" ? "green" : cls === "server_error" ? "red" : cls === "client_error" ? "amber" : "violet";
  return <Badge tone={tone}>{status}</Badge>;
}

/** Recent requests of a key (server component). */
export function RequestTable({ rows, t, fmt }: { rows: RequestLogView[]; t: Translate; fmt: Formatter }) {
  if (rows.length === 0) return <EmptyState title={t("keyDetail.noRequests")} />;
  return (
    <div className="relative overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th scope="col" className="px-2 py-2 font-medium">{t("logs.time")}</th>
            <th scope="col" className="px-2 py-2 font-medium">{t("usage.model")}</th>
            <th scope="col" className="px-2 py-2 font-medium">{t("logs.status")}</th>
            <th scope="col" className="px-2 py-2 text-right font-medium">{t("usage.latency")}</th>
            <th scope="col" className="px-2 py-2 text-right font-medium">{t("stats.tokens")}</th>
            <th scope="col" className="px-2 py-2 font-medium">{t("logs.ip")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id}>
              <td className="whitespace-nowrap px-2 py-1.5">
                {r.status >= 400 || isStreamFailure(r.status, r.errorCode) ? (
                  <Link className="text-indigo-700 hover:underline" href={`/admin/logs/request/${r.id}`}>{fmt.dateTime(r.createdAt)}</Link>
                ) : (
                  fmt.dateTime(r.createdAt)
                )}
              </td>
              <td className="px-2 py-1.5 font-mono text-xs">{r.model ?? "—"}{r.stream ? <span className="ml-1 text-slate-400">SSE</span> : null}</td>
              <td className="px-2 py-1.5"><StatusBadge status={r.status} errorCode={r.errorCode} upstream={r.provider !== null} />{r.errorCode ? <span className="ml-1 text-xs text-slate-500" title={r.errorCode}>{logTypeLabel(t, r.errorCode) ?? r.errorCode}</span> : null}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{fmt.ms(r.latencyMs)}</td>
              <td className="px-2 py-1.5 text-right tabular-nums">{r.promptTokens === null && r.completionTokens === null ? "—" : fmt.number((r.promptTokens ?? 0) + (r.completionTokens ?? 0))}</td>
              <td className="px-2 py-1.5 font-mono text-xs">{r.clientIp ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
