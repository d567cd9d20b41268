import Link from "next/link";
import { notFound } from "next/navigation";
import { keyDailyRequests } from "@/components/charts/chart-data";
import { BarChart } from "@/components/charts/charts";
import { KeyHeaderActions } from "@/components/keys/key-header-actions";
import { KeySettingsForm } from "@/components/keys/key-settings-form";
import { KeyStatusBadge } from "@/components/keys/key-status-badge";
import { RequestTable } from "@/components/usage/request-table";
import { Card, PageHeader } from "@/components/ui/card";
import { requireAdmin } from "@akm/core/auth/session";
import { getEnv } from "@akm/core/config/env";
import { toClientKey } from "@akm/core/console/key-views";
import { AppError } from "@akm/core/errors";
import { getI18n } from "@akm/core/i18n/server";
import { getKey } from "@akm/core/keys/service";
import { getKeyDailyUsage } from "@akm/core/usage/queries";
import { listRecentRequests } from "@akm/core/usage/request-log-reads";
import { deleteKeyAction, rotateKeyAction, setKeyEnabledAction, updateKeyAction } from "../actions";

const CHART_DAYS = 30;

export default async function KeyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdmin(`/admin/keys/${encodeURIComponent(id)}`);
  const { t, fmt } = await getI18n();
  const env = getEnv();
  const view = await getKey(id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const key = toClientKey(view);
  const [days, recent] = await Promise.all([getKeyDailyUsage(id, CHART_DAYS), listRecentRequests(id, 20)]);
  const today = days[days.length - 1];
  const used = today?.requests ?? 0;
  const share = Math.min(1, used / key.dailyLimit);
  const defaults = { maxDays: env.MAX_TOKEN_AGE, dailyLimit: env.DEFAULT_RATE_LIMIT, rateLimit: env.DEFAULT_WINDOW_LIMIT, window: env.RATE_LIMIT_WINDOW };

  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/admin/keys" className="text-indigo-700 hover:underline">← {t("keys.title")}</Link>
      </nav>
      <PageHeader
        title={key.name}
        description={`${key.prefix}… · ${t("keyDetail.createdBy", { date: fmt.dateTime(key.createdAt), who: key.createdBy ?? "—" })}`}
        actions={<KeyHeaderActions keyView={key} actions={{ setEnabled: setKeyEnabledAction, rotate: rotateKeyAction, remove: deleteKeyAction }} />}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title={t("keyDetail.today")} className="lg:col-span-1">
          <dl className="space-y-3 text-sm">
            <div className="flex items-center justify-between">
              <dt className="text-slate-600">{t("keys.statusLabel")}</dt>
              <dd><KeyStatusBadge status={key.status} /></dd>
            </div>
            <div>
              <div className="flex items-center justify-between">
                <dt className="text-slate-600">{t("keyDetail.requestsToday")}</dt>
                <dd className="tabular-nums">{t("keyDetail.usedOf", { used: fmt.number(used), limit: fmt.number(key.dailyLimit) })}</dd>
              </div>
              <div
                className="mt-1 h-2 w-full overflow-hidden rounded bg-slate-100"
                role="progressbar"
                aria-label={t("keyDetail.requestsToday")}
                aria-valuemin={0}
                aria-valuemax={key.dailyLimit}
                aria-valuenow={used}
              >
                <div className={`h-full ${share >= 1 ? "bg-red-500" : share > 0.8 ? "bg-amber-500" : "bg-indigo-500"}`} style={{ width: `${share * 100}%` }} />
              </div>
            </div>
            <div className="flex items-center justify-between">
              <dt className="text-slate-600">{t("keyDetail.tokensToday")}</dt>
              <dd className="tabular-nums">{fmt.number((today?.promptTokens ?? 0) + (today?.completionTokens ?? 0))}</dd>
            </div>
            <div className="flex items-center justify-between">
              <dt className="text-slate-600">{t("keys.rateLimit")}</dt>
              <dd className="tabular-nums">{t("keyDetail.perWindow", { limit: fmt.number(key.rateLimit), seconds: env.RATE_LIMIT_WINDOW })}</dd>
            </div>
            <div className="flex items-center justify-between">
              <dt className="text-slate-600">{t("keys.expires")}</dt>
              <dd>{fmt.dateTime(key.expiresAt)}</dd>
            </div>
            <div className="flex items-center justify-between">
              <dt className="text-slate-600">{t("keys.lastUsed")}</dt>
              <dd>{key.lastUsedAt ? fmt.dateTime(key.lastUsedAt) : t("keys.never")}</dd>
            </div>
          </dl>
          <p className="mt-3 text-xs text-slate-500">{t("keyDetail.utcNote")}</p>
        </Card>
        <Card title={t("keyDetail.chart", { days: CHART_DAYS })} className="lg:col-span-2">
          <BarChart data={keyDailyRequests(days, fmt, t("stats.requests"))} label={t("keyDetail.chart", { days: CHART_DAYS })} />
        </Card>
        <Card title={t("keyDetail.settings")} className="lg:col-span-3">
          <KeySettingsForm keyView={key} action={updateKeyAction} defaults={defaults} />
        </Card>
        <Card
          title={t("keyDetail.recent")}
          className="lg:col-span-3"
          actions={<Link className="text-sm text-indigo-700 hover:underline" href={`/admin/logs?key=${encodeURIComponent(key.id)}`}>{t("keyDetail.logsLink")}</Link>}
        >
          <RequestTable rows={recent} t={t} fmt={fmt} />
        </Card>
      </div>
    </>
  );
}
