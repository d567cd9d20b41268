import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import type { LogEntry, LogKind, LogLevel } from "@/lib/console/logs";
import type { Formatter } from "@/lib/i18n/format";
import type { Translate } from "@/lib/i18n/translate";
import { LogType } from "./log-type";

export const LEVEL_TONES: Record<LogLevel, BadgeTone> = { info: "blue", warn: "amber", error: "red" };
export const KIND_TONES: Record<LogKind, BadgeTone> = { request: "violet", security: "red", system: "gray", audit: "green" };

export function LogTable({ entries, t, fmt, filtered }: { entries: LogEntry[]; t: Translate; fmt: Formatter; filtered: boolean }) {
  if (entries.length === 0) {
    return <EmptyState title={t("logs.empty")}>{filtered ? t("logs.emptyFiltered") : t("logs.emptyHint")}</EmptyState>;
  }
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{t("logs.tableCaption")}</caption>
        <thead className="bg-slate-50 text-left text-xs font-medium text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2.5">{t("logs.time")}</th>
            <th scope="col" className="px-3 py-2.5">{t("logs.kind")}</th>
            <th scope="col" className="px-3 py-2.5">{t("logs.level")}</th>
            <th scope="col" className="px-3 py-2.5">{t("logs.type")}</th>
            <th scope="col" className="px-3 py-2.5">{t("logs.message")}</th>
            <th scope="col" className="px-3 py-2.5">{t("usage.key")}</th>
            <th scope="col" className="px-3 py-2.5">{t("logs.ip")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((e) => (
            <tr key={`${e.kind}-${e.id}`}>
              <td className="whitespace-nowrap px-3 py-2">
                <Link className="text-indigo-700 hover:underline" href={`/admin/logs/${e.kind}/${e.id}`}>
                  {fmt.dateTime(e.createdAt)}
                </Link>
              </td>
              <td className="px-3 py-2"><Badge tone={KIND_TONES[e.kind]}>{t(`logs.kinds.${e.kind}`)}</Badge></td>
              <td className="px-3 py-2"><Badge tone={LEVEL_TONES[e.level]}>{t(`logs.levels.${e.level}`)}</Badge></td>
              <td className="px-3 py-2"><LogType type={e.type} t={t} /></td>
              <td className="max-w-md truncate px-3 py-2" title={e.message}>{e.message}</td>
              <td className="whitespace-nowrap px-3 py-2">
                {e.keyId ? <Link className="text-indigo-700 hover:underline" href={`/admin/keys/${e.keyId}`}>{e.keyName ?? e.keyId}</Link> : "—"}
              </td>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{e.clientIp ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
