"use client";
import { useI18n } from "@/components/i18n/i18n-provider";
import { CopyButton } from "@/components/ui/copy-button";

/** A new key's secret, shown once: it is not stored anywhere it could be shown again. */
export function SecretReveal({ secret }: { secret: string }) {
  const { t } = useI18n();
  return (
    <div className="space-y-3">
      <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
        {t("keys.secretOnce")}
      </p>
      <div className="flex items-center gap-2">
        <label className="sr-only" htmlFor="new-secret">
          {t("keys.secret")}
        </label>
        <input
          id="new-secret"
          readOnly
          value={secret}
          data-testid="new-secret"
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm"
        />
        <CopyButton value={secret} label={t("keys.copySecret")} />
      </div>
    </div>
  );
}
