"use client";
// The per-key controls used in the table and on a key's page. Each calls a server action
// in a transition: the page re-renders from the action's answer, no reload.
import { useState, useTransition } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { ActionErrorText } from "@/components/ui/action-error";
import { Dialog } from "@/components/ui/dialog";
import type { ActionFailure, ActionResult } from "@/lib/console/errors";
import type { ClientKey, KeyWithSecret } from "@/lib/console/key-views";
import { SecretReveal } from "./secret-reveal";

export interface KeyActions {
  setEnabled: (input: { id: string; enabled: boolean }) => Promise<ActionResult<{ key: ClientKey }>>;
  rotate: (input: { id: string }) => Promise<ActionResult<KeyWithSecret>>;
  remove: (input: { id: string }) => Promise<ActionResult<{ id: string }>>;
}

function ErrorNote({ failure }: { failure: ActionFailure | null }) {
  return failure ? (
    <p role="alert" className="mt-1 text-xs text-red-600">
      <ActionErrorText failure={failure} />
    </p>
  ) : null;
}

export function EnabledSwitch({ keyView, action }: { keyView: ClientKey; action: KeyActions["setEnabled"] }) {
  const { t } = useI18n();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<ActionFailure | null>(null);
  const expired = keyView.status === "expired";
  const on = keyView.enabled;
  return (
    <div>
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-label={t(on ? "keys.disableNamed" : "keys.enableNamed", { name: keyView.name })}
        disabled={pending || expired}
        title={expired ? t("keys.expiredCannotEnable") : undefined}
        onClick={() =>
          startTransition(async () => {
            const result = await action({ id: keyView.id, enabled: !on });
            setError(result.ok ? null : result);
          })
        }
        className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-50 ${
          on ? "bg-emerald-500" : "bg-slate-300"
        }`}
      >
        <span className={`inline-block h-5 w-5 transform rounded-full bg-white shadow transition-transform ${on ? "translate-x-5" : "translate-x-0.5"}`} />
      </button>
      <ErrorNote failure={error} />
    </div>
  );
}

export function RotateKeyButton({ keyView, action }: { keyView: ClientKey; action: KeyActions["rotate"] }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<KeyWithSecret> | null>(null);
  const close = () => {
    setOpen(false);
    setResult(null); // the new secret is forgotten as soon as the dialog closes
  };
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)} aria-label={t("keys.rotateNamed", { name: keyView.name })}>
        {t("keys.rotate")}
      </Button>
      <Dialog open={open} onClose={close} title={t("keys.rotateTitle", { name: keyView.name })} description={result?.ok ? undefined : t("keys.rotateWarning")}>
        {result?.ok ? (
          <div className="space-y-4">
            <SecretReveal secret={result.data.secret} />
            <div className="flex justify-end">
              <Button variant="primary" onClick={close}>
                {t("keys.done")}
              </Button>
            </div>
          </div>
        ) : (
          <div className="space-y-3">
            {result && !result.ok ? (
              <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                <ActionErrorText failure={result} />
              </p>
            ) : null}
            <div className="flex justify-end gap-2">
              <Button onClick={close} autoFocus>
                {t("common.cancel")}
              </Button>
              <Button variant="danger" disabled={pending} onClick={() => startTransition(async () => setResult(await action({ id: keyView.id })))}>
                {pending ? t("keys.rotating") : t("keys.rotateConfirm")}
              </Button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}

export function DeleteKeyButton({ keyView, action, onDeleted }: { keyView: ClientKey; action: KeyActions["remove"]; onDeleted?: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<ActionFailure | null>(null);
  return (
    <>
      <Button size="sm" variant="ghost" className="text-red-700" onClick={() => setOpen(true)} aria-label={t("keys.deleteNamed", { name: keyView.name })}>
        {t("keys.delete")}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t("keys.deleteTitle", { name: keyView.name })} description={t("keys.deleteWarning")}>
        <div className="space-y-3">
          {error ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              <ActionErrorText failure={error} />
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)} autoFocus>
              {t("common.cancel")}
            </Button>
            <Button
              variant="danger"
              disabled={pending}
              onClick={() =>
                startTransition(async () => {
                  const result = await action({ id: keyView.id });
                  if (result.ok) {
                    setOpen(false);
                    onDeleted?.();
                  } else setError(result);
                })
              }
            >
              {pending ? t("keys.deleting") : t("keys.deleteConfirm")}
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
