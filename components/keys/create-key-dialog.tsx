"use client";
import { useState, useTransition, type FormEvent } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { ActionErrorText } from "@/components/ui/action-error";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import type { ActionResult } from "@/lib/console/errors";
import type { CreateKeyFormInput } from "@/lib/console/key-forms";
import type { KeyWithSecret } from "@/lib/console/key-views";
import { KeyFormFields, readKeyForm, type KeyFormDefaults } from "./key-form-fields";
import { SecretReveal } from "./secret-reveal";

export type CreateKeyAction = (input: CreateKeyFormInput) => Promise<ActionResult<KeyWithSecret>>;

export function CreateKeyDialog({ action, defaults }: { action: CreateKeyAction; defaults: KeyFormDefaults }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        {t("keys.create")}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t("keys.createTitle")} wide>
        {/* Remounted on every opening, so a secret shown before is gone. */}
        {open ? <CreateKeyForm action={action} defaults={defaults} onDone={() => setOpen(false)} /> : null}
      </Dialog>
    </>
  );
}

export function CreateKeyForm({ action, defaults, onDone }: { action: CreateKeyAction; defaults: KeyFormDefaults; onDone: () => void }) {
  const { t } = useI18n();
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<KeyWithSecret> | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = readKeyForm(event.currentTarget);
    startTransition(async () => setResult(await action(input)));
  }

  if (result?.ok) {
    return (
      <div className="space-y-4">
        <p className="text-sm text-slate-700">{t("keys.created", { name: result.data.key.name })}</p>
        <SecretReveal secret={result.data.secret} />
        <div className="flex justify-end">
          <Button variant="primary" onClick={onDone}>
            {t("keys.done")}
          </Button>
        </div>
      </div>
    );
  }

  const failure = result && !result.ok ? result : null;
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <KeyFormFields defaults={defaults} errors={failure?.fieldErrors} />
      {failure ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          <ActionErrorText failure={failure} />
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>{t("common.cancel")}</Button>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? t("keys.creating") : t("keys.createSubmit")}
        </Button>
      </div>
    </form>
  );
}
