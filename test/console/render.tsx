// Renders a console component the way the pages do: inside the i18n provider.
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { I18nProvider } from "@/components/i18n/i18n-provider";
import type { Locale } from "@/lib/i18n/locales";
import { messagesFor } from "@/lib/i18n/translate";

export function renderConsole(ui: ReactElement, locale: Locale = "en", timeZone = "UTC"): RenderResult {
  return render(
    <I18nProvider locale={locale} timeZone={timeZone} messages={messagesFor(locale)}>
      {ui}
    </I18nProvider>,
  );
}
