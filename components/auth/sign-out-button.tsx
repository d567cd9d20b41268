"use client";
import { useState } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { signOut } from "@/lib/auth/client";

export function SignOutButton() {
  const { t } = useI18n();
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);
  return (
    <>
      {failed ? (
        <span role="alert" className="text-xs text-red-700">
          {t("nav.signOutFailed")}
        </span>
      ) : null}
      <Button
        variant="ghost"
        size="sm"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          setFailed(false);
          // Leave only once the server has ended the session; otherwise it is still valid.
          if (await signOut()) return window.location.assign("/signin");
          setFailed(true);
          setPending(false);
        }}
      >
        {t("nav.signOut")}
      </Button>
    </>
  );
}
