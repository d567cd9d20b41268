"use client";
import { useState, type FormEvent } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { signInWithPassword } from "@/lib/auth/client";
import type { MessageKey } from "@/lib/i18n/translate";

const REASONS: Record<"invalid" | "rate_limited" | "unavailable", MessageKey> = {
  invalid: "signin.invalid",
  rate_limited: "signin.rateLimited",
  unavailable: "signin.unavailable",
};

export function SigninForm({ callbackUrl }: { callbackUrl: string }) {
  const { t } = useI18n();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === "string" ? value : "";
    };
    const email = text("email").trim();
    const password = text("password");
    if (!email || !password) {
      setError("signin.missing");
      return;
    }
    setPending(true);
    setError(null);
    const outcome = await signInWithPassword(email, password, callbackUrl);
    if (outcome.ok) {
      // A full load: every server component must see the new session cookie.
      window.location.assign(outcome.url);
      return;
    }
    setPending(false);
    setError(REASONS[outcome.reason]);
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-describedby={error ? "signin-error" : undefined}>
      <TextField label={t("signin.email")} name="email" type="email" autoComplete="username" required autoFocus />
      <TextField label={t("signin.password")} name="password" type="password" autoComplete="current-password" required />
      {error ? (
        <p id="signin-error" role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {t(error)}
        </p>
      ) : null}
      <Button type="submit" variant="primary" className="w-full" disabled={pending}>
        {pending ? t("signin.submitting") : t("signin.submit")}
      </Button>
    </form>
  );
}
