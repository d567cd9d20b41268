"use client";
// Hands the server's choice of language, catalogue and time zone to client components.
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { createFormatter, type Formatter } from "@/lib/i18n/format";
import type { Locale } from "@/lib/i18n/locales";
import { createTranslator, type Messages, type Translate } from "@/lib/i18n/translate";

interface I18nValue {
  locale: Locale;
  timeZone: string;
  t: Translate;
  fmt: Formatter;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ locale, timeZone, messages, children }: { locale: Locale; timeZone: string; messages: Messages; children: ReactNode }) {
  const value = useMemo(
    () => ({ locale, timeZone, t: createTranslator(messages), fmt: createFormatter(locale, timeZone) }),
    [locale, timeZone, messages],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n() outside <I18nProvider>");
  return value;
}
