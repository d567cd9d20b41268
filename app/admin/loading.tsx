// Shown at once while a console page is prepared on the server (navigation, filters), so
// a slow query never looks like a click that did nothing.
import { getI18n } from "@akm/core/i18n/server";

export default async function AdminLoading() {
  const { t } = await getI18n();
  return (
    <div role="status" aria-live="polite" className="animate-pulse space-y-6">
      <span className="sr-only">{t("common.loading")}</span>
      <div className="h-8 w-56 rounded bg-slate-200" />
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {[0, 1, 2, 3].map((i) => (
          <div key={i} className="h-20 rounded-lg bg-slate-200" />
        ))}
      </div>
      <div className="h-64 rounded-lg bg-slate-200" />
    </div>
  );
}
