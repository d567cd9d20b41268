"use client";
import { useState, useTransition, type FormEvent } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { ActionErrorText } from "@/components/ui/action-error";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/console/errors";
import type { UpdateKeyFormInput } from "@/lib/console/key-forms";
import type { ClientKey } from "@/lib/console/key-views";
import { KeyFormFields, readKeyForm, type KeyFormDefaults } from "./key-form-fields";

export type UpdateKeyAction = (input: UpdateKeyFormInput) => Promise<ActionResult<{ key: ClientKey }>>;

/** Name, limits, allowlists and expiry of one key; saved changes apply to the next request. */
export function KeySettingsForm({ keyView, action, defaults }: { keyView: ClientKey; action: UpdateKeyAction; defaults: KeyFormDefaults }) {
  const { t } = useI18n();
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<{ key: ClientKey }> | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { id: keyView.id, ...readKeyForm(event.currentTarget) };
    startTransition(async () => setResult(await action(input)));
  }

  const failure = result && !result.ok ? result : null;
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <KeyFormFields defaults={defaults} errors={failure?.fieldErrors} current={keyView} />
      <div className="flex flex-wrap items-center justify-end gap-3">
        <p role="status" aria-live="polite" className={`text-sm ${failure ? "text-red-700" : "text-emerald-700"}`}>
          {failure ? <ActionErrorText failure={failure} /> : result?.ok ? t("keys.saved") : ""}
        </p>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? t("keys.saving") : t("keys.save")}
        </Button>
      </div>
    </form>
  );
}
