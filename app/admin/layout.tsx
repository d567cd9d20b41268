// The console's frame. Not a guard: every page and action checks the session itself.
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { LanguageSwitcher } from "@/components/i18n/language-switcher";
import { TimeZoneSync } from "@/components/i18n/time-zone-sync";
import { ConsoleNav } from "@/components/shell/console-nav";
import { currentAdmin } from "@akm/core/auth/session";
import { getI18n } from "@akm/core/i18n/server";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const [admin, { t }] = await Promise.all([currentAdmin(), getI18n()]);
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        {t("nav.skip")}
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
          <span className="text-sm font-semibold tracking-wide text-indigo-700">API Key Manager</span>
          <ConsoleNav />
          <div className="ml-auto flex items-center gap-3">
            {admin ? <span className="hidden text-sm text-slate-600 md:inline">{admin.email}</span> : null}
            <LanguageSwitcher />
            {admin ? <SignOutButton /> : null}
          </div>
        </div>
      </header>
      <TimeZoneSync />
      <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:py-8">
        {children}
      </main>
    </div>
  );
}
