"use client";
// A page of the console failed on the server. Production sends no detail of the error to
// the browser, only its digest, which the server log prints next to the stack.
import Link from "next/link";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button, buttonClass } from "@/components/ui/button";

export default function AdminError({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useI18n();
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : "—";
  return (
    <div role="alert" className="mx-auto max-w-lg rounded-lg border border-red-200 bg-white p-6 text-center shadow-xs">
      <h1 className="text-lg font-semibold text-slate-900">{t("errors.pageFailed")}</h1>
      <p className="mt-2 text-sm text-slate-600">{t("errors.pageFailedHint", { ref: digest })}</p>
      <div className="mt-5 flex justify-center gap-3">
        <Button variant="primary" onClick={() => retry()}>
          {t("common.retry")}
        </Button>
        <Link className={buttonClass("secondary")} href="/admin">
          {t("common.backToDashboard")}
        </Link>
      </div>
    </div>
  );
}
