// The current request's language, translator and formatter, for server components and actions.
import "server-only";
import { cookies, headers } from "next/headers";
import { createFormatter, type Formatter } from "./format";
import { LOCALE_COOKIE, resolveLocale, resolveTimeZone, TIME_ZONE_COOKIE, type Locale } from "./locales";
import { createTranslator, messagesFor, type Messages, type Translate } from "./translate";

export interface I18n {
  locale: Locale;
  timeZone: string;
  messages: Messages;
  t: Translate;
  fmt: Formatter;
}

export async function getI18n(): Promise<I18n> {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  const locale = resolveLocale(cookieStore.get(LOCALE_COOKIE)?.value, headerList.get("accept-language"));
  const timeZone = resolveTimeZone(cookieStore.get(TIME_ZONE_COOKIE)?.value);
  const messages = messagesFor(locale);
  return { locale, timeZone, messages, t: createTranslator(messages), fmt: createFormatter(locale, timeZone) };
}
