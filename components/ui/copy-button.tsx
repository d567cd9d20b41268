"use client";
import { useState } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button } from "./button";

/** Copies `value`; falls back to selecting a hidden field where the Clipboard API is unavailable (plain HTTP). */
export function CopyButton({ value, label }: { value: string; label?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      if (navigator.clipboard?.writeText) await navigator.clipboard.writeText(value);
      else copyWithSelection(value);
      setState("copied");
    } catch {
      try {
        copyWithSelection(value);
        setState("copied");
      } catch {
        setState("failed");
      }
    }
  }
  return (
    <>
      <Button variant="primary" size="sm" onClick={copy} aria-label={label ?? t("common.copy")}>
        {state === "copied" ? t("common.copied") : t("common.copy")}
      </Button>
      <span role="status" aria-live="polite" className="sr-only">
        {state === "copied" ? t("common.copied") : state === "failed" ? t("common.copyFailed") : ""}
      </span>
    </>
  );
}

function copyWithSelection(value: string) {
  const area = document.createElement("textarea");
  area.value = value;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand?.("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}
