// A key or log entry that does not exist (notFound() in a console page), in the console's frame.
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { getI18n } from "@akm/core/i18n/server";

export default async function AdminNotFound() {
  const { t } = await getI18n();
  return (
    <div className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-6 text-center shadow-xs">
      <h1 className="text-lg font-semibold text-slate-900">{t("errors.pageNotFound")}</h1>
      <p className="mt-2 text-sm text-slate-600">{t("errors.pageNotFoundHint")}</p>
      <Link className={`${buttonClass("secondary")} mt-5`} href="/admin">
        {t("common.backToDashboard")}
      </Link>
    </div>
  );
}
