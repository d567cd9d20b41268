"use client";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import type { ClientKey } from "@/lib/console/key-views";

export function KeyStatusBadge({ status }: { status: ClientKey["status"] }) {
  const { t } = useI18n();
  const tone = status === "active" ? "green" : status === "expired" ? "red" : "gray";
  return <Badge tone={tone}>{t(`keys.status.${status}`)}</Badge>;
}
