import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SigninForm } from "@/components/auth/signin-form";
import { LanguageSwitcher } from "@/components/i18n/language-switcher";
import { safeCallbackPath } from "@akm/core/auth/callback-url";
import { param, type PageSearchParams } from "@akm/core/console/search-params";
import { currentAdmin } from "@akm/core/auth/session";
import { getI18n } from "@akm/core/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: `${t("signin.title")} · API Key Manager` };
}

export default async function SigninPage({ searchParams }: PageSearchParams) {
  const callbackUrl = safeCallbackPath(param(await searchParams, "callbackUrl"));
  if (await currentAdmin()) redirect(callbackUrl);
  const { t } = await getI18n();
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-between">
          <p className="text-sm font-semibold tracking-wide text-indigo-700">API Key Manager</p>
          <LanguageSwitcher />
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <h1 className="text-xl font-semibold">{t("signin.title")}</h1>
          <p className="mt-1 mb-5 text-sm text-slate-600">{t("signin.subtitle")}</p>
          <SigninForm callbackUrl={callbackUrl} />
        </div>
        <p className="mt-4 text-center text-xs text-slate-500">{t("signin.noAccount")}</p>
      </div>
    </main>
  );
}
