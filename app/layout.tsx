import type { Metadata } from "next";
import type { ReactNode } from "react";
import { I18nProvider } from "@/components/i18n/i18n-provider";
import { getI18n } from "@akm/core/i18n/server";
import "./globals.css";

export const metadata: Metadata = {
  title: "API Key Manager",
  description: "Self-hosted AI API gateway with API-key management",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { locale, timeZone, messages } = await getI18n();
  return (
    <html lang={locale}>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <I18nProvider locale={locale} timeZone={timeZone} messages={messages}>
          {children}
        </I18nProvider>
      </body>
    </html>
  );
}
