// Everything the dashboard shows, fetched in parallel.
import "server-only";
import { startOfZonedDay } from "@/lib/console/time";
import { listKeysExpiringSoon, type ExpiringKey } from "@/lib/keys/repository";
import {
  getTopKeys,
  getTopModels,
  getUsageSeries,
  getUsageOverview,
  type TopKey,
  type TopModel,
  type UsageSeries,
  type UsageSummary,
} from "@/lib/usage/queries";

export const EXPIRING_WITHIN_DAYS = 7;

export interface Dashboard {
  today: UsageSummary;
  last24h: UsageSummary;
  series: UsageSeries;
  topKeys: TopKey[];
  topModels: TopModel[];
  expiring: ExpiringKey[];
}

export async function getDashboard(now: Date, timeZone: string): Promise<Dashboard> {
  const day = { from: new Date(now.getTime() - 86_400_000), to: now, timeZone };
  const today = { from: startOfZonedDay(now, timeZone), to: now, timeZone };
  const [todaySummary, last24h, series, topKeys, topModels, expiring] = await Promise.all([
    getUsageOverview(today),
    getUsageOverview(day),
    getUsageSeries(day, "1 hour"),
    getTopKeys(day, 5),
    getTopModels(day, 5),
    listKeysExpiringSoon(EXPIRING_WITHIN_DAYS, now),
  ]);
  return { today: todaySummary, last24h, series, topKeys, topModels, expiring };
}
