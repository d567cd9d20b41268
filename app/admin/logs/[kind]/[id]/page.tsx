import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { KIND_TONES, LEVEL_TONES } from "@/components/logs/log-table";
import { LogType } from "@/components/logs/log-type";
import { StatusBadge } from "@/components/usage/request-table";
import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { requireAdmin } from "@akm/core/auth/session";
import { getLogDetail } from "@akm/core/console/logs";
import { getI18n } from "@akm/core/i18n/server";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-4">
      <dt className="text-sm font-medium text-slate-500">{label}</dt>
      <dd className="text-sm break-words sm:col-span-3">{children ?? "—"}</dd>
    </div>
  );
}

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <>—</>;
  return <pre className="overflow-x-auto rounded-md bg-slate-50 p-3 font-mono text-xs">{JSON.stringify(value, null, 2)}</pre>;
}

export default async function LogDetailPage({ params }: { params: Promise<{ kind: string; id: string }> }) {
  const { kind, id } = await params;
  await requireAdmin(`/admin/logs/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`);
  const { t, fmt } = await getI18n();
  const detail = await getLogDetail(kind, id);
  if (!detail) notFound();
  const keyLink = (keyId: string | null, name: string | null) =>
    keyId ? <Link className="text-indigo-700 hover:underline" href={`/admin/keys/${keyId}`}>{name ?? keyId}</Link> : null;

  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/admin/logs" className="text-indigo-700 hover:underline">← {t("logs.title")}</Link>
      </nav>
      <PageHeader title={t("logs.detailTitle", { kind: t(`logs.kinds.${detail.kind}`), id })} description={fmt.dateTime(detail.entry.createdAt)} />
      <Card>
        <dl className="divide-y divide-slate-100">
          <Row label={t("logs.kind")}><Badge tone={KIND_TONES[detail.kind]}>{t(`logs.kinds.${detail.kind}`)}</Badge></Row>
          {detail.kind === "request" ? (
            <>
              <Row label={t("logs.status")}><StatusBadge status={detail.entry.status} errorCode={detail.entry.errorCode} upstream={detail.entry.provider !== null} /></Row>
              <Row label={t("logs.type")}>{detail.entry.errorCode ? <LogType type={detail.entry.errorCode} t={t} /> : "—"}</Row>
              <Row label={t("logs.message")}><span className="whitespace-pre-wrap">{detail.entry.errorMessage ?? "—"}</span></Row>
              <Row label={t("logs.request")}><span className="font-mono text-xs">{detail.entry.method} {detail.entry.path}{detail.entry.stream ? " (stream)" : ""}</span></Row>
              <Row label={t("logs.requestId")}><span className="font-mono text-xs">{detail.entry.requestId ?? "—"}</span></Row>
              <Row label={t("usage.key")}>{keyLink(detail.entry.keyId, detail.entry.keyName) ?? "—"}</Row>
              <Row label={t("usage.provider")}>{detail.entry.provider ?? "—"}</Row>
              <Row label={t("usage.model")}><span className="font-mono text-xs">{detail.entry.model ?? "—"}</span></Row>
              <Row label={t("usage.latency")}>{fmt.ms(detail.entry.latencyMs)}{detail.entry.ttfbMs !== null ? ` · ${t("logs.ttfb")} ${fmt.ms(detail.entry.ttfbMs)}` : ""}</Row>
              <Row label={t("stats.tokens")}>{detail.entry.promptTokens ?? "—"} / {detail.entry.completionTokens ?? "—"}</Row>
              <Row label={t("logs.ip")}><span className="font-mono text-xs">{detail.entry.clientIp ?? "—"}</span></Row>
            </>
          ) : detail.kind === "audit" ? (
            <>
              <Row label={t("logs.actor")}>{detail.entry.actor}</Row>
              <Row label={t("logs.type")}><LogType type={detail.entry.action} t={t} /></Row>
              <Row label={t("logs.target")}>
                {detail.entry.targetType === "key" ? keyLink(detail.entry.targetId, detail.entry.targetName) : `${detail.entry.targetType} ${detail.entry.targetName ?? detail.entry.targetId ?? ""}`}
              </Row>
              <Row label={t("logs.ip")}><span className="font-mono text-xs">{detail.entry.clientIp ?? "—"}</span></Row>
              <Row label={t("logs.details")}><Json value={detail.entry.details} /></Row>
            </>
          ) : (
            <>
              <Row label={t("logs.level")}><Badge tone={LEVEL_TONES[detail.entry.level]}>{t(`logs.levels.${detail.entry.level}`)}</Badge></Row>
              <Row label={t("logs.type")}><LogType type={detail.entry.type} t={t} /></Row>
              <Row label={t("logs.message")}><span className="whitespace-pre-wrap">{detail.entry.message}</span></Row>
              <Row label={t("usage.key")}>{keyLink(detail.entry.keyId, detail.entry.keyName) ?? "—"}</Row>
              <Row label={t("logs.ip")}><span className="font-mono text-xs">{detail.entry.clientIp ?? "—"}</span></Row>
              <Row label={t("logs.requestId")}><span className="font-mono text-xs">{detail.entry.requestId ?? "—"}</span></Row>
              <Row label={t("logs.details")}><Json value={detail.entry.details} /></Row>
            </>
          )}
        </dl>
      </Card>
    </>
  );
}
