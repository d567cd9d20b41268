"use client";
// Tells the server the browser's time zone (cookie), so dates and chart buckets on the
// next render match the admin's clock. Renders nothing.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { TIME_ZONE_COOKIE } from "@/lib/i18n/locales";
import { useI18n } from "./i18n-provider";

export function TimeZoneSync() {
  const { timeZone } = useI18n();
  const router = useRouter();
  useEffect(() => {
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browserZone || browserZone === timeZone) return;
    // Once only: if the server could not use the zone, keep UTC rather than reload forever.
    const current = document.cookie.split("; ").find((c) => c.startsWith(`${TIME_ZONE_COOKIE}=`));
    if (current && decodeURIComponent(current.slice(TIME_ZONE_COOKIE.length + 1)) === browserZone) return;
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(browserZone)}; path=/; max-age=31536000; samesite=lax`;
    router.refresh();
  }, [timeZone, router]);
  return null;
}
