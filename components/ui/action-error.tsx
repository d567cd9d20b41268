"use client";
// What an action's failure says, in the admin's language; when the session has ended, a
// link to sign in again that comes back to this page.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useI18n } from "@/components/i18n/i18n-provider";
import type { ActionFailure } from "@/lib/console/errors";

export function ActionErrorText({ failure }: { failure: Pick<ActionFailure, "code" | "error"> }) {
  const { t } = useI18n();
  const pathname = usePathname();
  return (
    <>
      {failure.error}
      {failure.code === "unauthorized" ? (
        <>
          {" "}
          <Link className="font-medium underline" href={`/signin?callbackUrl=${encodeURIComponent(pathname ?? "/admin")}`}>
            {t("errors.signInAgain")}
          </Link>
        </>
      ) : null}
    </>
  );
}
