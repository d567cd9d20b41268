"use client";
// The fields a key has, shared by the create dialog and the settings form.
import { useI18n } from "@/components/i18n/i18n-provider";
import { TextAreaField, TextField } from "@/components/ui/field";
import type { ClientKey } from "@/lib/console/key-views";

export interface KeyFormDefaults {
  maxDays: number;
  dailyLimit: number;
  rateLimit: number;
  /** RATE_LIMIT_WINDOW in seconds, for the hint. */
  window: number;
}

export function KeyFormFields({
  defaults,
  errors,
  current,
}: {
  defaults: KeyFormDefaults;
  errors?: Record<string, string>;
  current?: ClientKey;
}) {
  const { t } = useI18n();
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TextField
        className="sm:col-span-2"
        label={t("keys.name")}
        name="name"
        required
        maxLength={100}
        defaultValue={current?.name}
        placeholder={t("keys.namePlaceholder")}
        error={errors?.name}
      />
      <TextField
        label={current ? t("keys.extendDays") : t("keys.expiresInDays")}
        name="expiresInDays"
        inputMode="numeric"
        placeholder={current ? "" : String(defaults.maxDays)}
        hint={current ? t("keys.extendHint", { max: defaults.maxDays }) : t("keys.expiresHint", { max: defaults.maxDays })}
        error={errors?.expiresInDays}
      />
      <TextField
        label={t("keys.dailyLimit")}
        name="dailyLimit"
        inputMode="numeric"
        defaultValue={current ? String(current.dailyLimit) : undefined}
        placeholder={String(defaults.dailyLimit)}
        hint={t("keys.dailyLimitHint")}
        error={errors?.dailyLimit}
      />
      <TextField
        label={t("keys.rateLimit")}
        name="rateLimit"
        inputMode="numeric"
        defaultValue={current ? String(current.rateLimit) : undefined}
        placeholder={String(defaults.rateLimit)}
        hint={t("keys.rateLimitHint", { seconds: defaults.window })}
        error={errors?.rateLimit}
      />
      <TextAreaField
        label={t("keys.allowedIps")}
        name="allowedIps"
        rows={2}
        defaultValue={current?.allowedIps.join("\n")}
        placeholder={"203.0.113.7\n10.0.0.0/8"}
        hint={t("keys.allowedIpsHint")}
        error={errors?.allowedIps}
      />
      <TextAreaField
        label={t("keys.allowedModels")}
        name="allowedModels"
        rows={2}
        defaultValue={current?.allowedModels.join("\n")}
        placeholder={"gpt-4o-mini\nclaude-sonnet-4-5"}
        hint={t("keys.allowedModelsHint")}
        error={errors?.allowedModels}
      />
    </div>
  );
}

/** The form's fields as the action expects them (strings; the server parses them). */
export function readKeyForm(form: HTMLFormElement) {
  const data = new FormData(form);
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    name: text("name"),
    expiresInDays: text("expiresInDays"),
    dailyLimit: text("dailyLimit"),
    rateLimit: text("rateLimit"),
    allowedIps: text("allowedIps"),
    allowedModels: text("allowedModels"),
  };
}
