"use client";
import Link from "next/link";
import { useI18n } from "@/components/i18n/i18n-provider";
import { EmptyState } from "@/components/ui/empty-state";
import type { ClientKey } from "@/lib/console/key-views";
import { DeleteKeyButton, EnabledSwitch, RotateKeyButton, type KeyActions } from "./key-actions";
import { KeyStatusBadge } from "./key-status-badge";

export function KeyTable({ keys, actions, filtered }: { keys: ClientKey[]; actions: KeyActions; filtered: boolean }) {
  const { t, fmt } = useI18n();
  if (keys.length === 0) {
    return <EmptyState title={filtered ? t("keys.noMatch") : t("keys.empty")}>{filtered ? t("keys.noMatchHint") : t("keys.emptyHint")}</EmptyState>;
  }
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{t("keys.tableCaption")}</caption>
        <thead className="bg-slate-50 text-left text-xs font-medium text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2.5">{t("keys.name")}</th>
            <th scope="col" className="px-4 py-2.5">{t("keys.statusLabel")}</th>
            <th scope="col" className="px-4 py-2.5 text-right">{t("keys.dailyLimit")}</th>
            <th scope="col" className="hidden px-4 py-2.5 text-right md:table-cell">{t("keys.rateLimit")}</th>
            <th scope="col" className="hidden px-4 py-2.5 sm:table-cell">{t("keys.expires")}</th>
            <th scope="col" className="hidden px-4 py-2.5 lg:table-cell">{t("keys.lastUsed")}</th>
            <th scope="col" className="px-4 py-2.5">{t("keys.enabled")}</th>
            <th scope="col" className="px-4 py-2.5"><span className="sr-only">{t("keys.actions")}</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {keys.map((key) => (
            <tr key={key.id} data-key-id={key.id}>
              <td className="px-4 py-2.5">
                <Link href={`/admin/keys/${key.id}`} className="font-medium text-indigo-700 hover:underline">
                  {key.name}
                </Link>
                <div className="whitespace-nowrap font-mono text-xs text-slate-500">{key.prefix}…</div>
              </td>
              <td className="px-4 py-2.5"><KeyStatusBadge status={key.status} /></td>
              <td className="px-4 py-2.5 text-right tabular-nums">{fmt.number(key.dailyLimit)}</td>
              <td className="hidden px-4 py-2.5 text-right tabular-nums md:table-cell">{fmt.number(key.rateLimit)}</td>
              <td className="hidden whitespace-nowrap px-4 py-2.5 sm:table-cell">{fmt.date(key.expiresAt)}</td>
              <td className="hidden whitespace-nowrap px-4 py-2.5 text-slate-600 lg:table-cell">{key.lastUsedAt ? fmt.dateTime(key.lastUsedAt) : t("keys.never")}</td>
              <td className="px-4 py-2.5"><EnabledSwitch keyView={key} action={actions.setEnabled} /></td>
              <td className="whitespace-nowrap px-4 py-2.5 text-right">
                <div className="flex justify-end gap-1">
                  <RotateKeyButton keyView={key} action={actions.rotate} />
                  <DeleteKeyButton keyView={key} action={actions.remove} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
