// A small typed translator: keys are the dotted paths of messages/en.json, so a typo is a
// type error; "{name}" placeholders are filled from `values`. zh-CN must have the same
// shape (checked by the type below and by a test).
import en from "@/messages/en.json";
import zhCN from "@/messages/zh-CN.json";
import type { Locale } from "./locales";

export type Messages = typeof en;

type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

export type MessageKey = Leaves<Messages>;
export type MessageValues = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: MessageValues) => string;

const catalogues: Record<Locale, Messages> = { en, "zh-CN": zhCN };

export function messagesFor(locale: Locale): Messages {
  return catalogues[locale];
}

function lookup(messages: Messages, key: string): string | undefined {
  let node: unknown = messages;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

export function createTranslator(messages: Messages): Translate {
  return (key, values) => {
    const template = lookup(messages, key) ?? lookup(en, key) ?? key;
    if (!values) return template;
    return template.replace(/\{(\w+)\}/g, (match: string, name: string) => (name in values ? String(values[name]) : match));
  };
}

/** True when `key` names a message (for codes that arrive as strings, e.g. from zod issues). */
export function isMessageKey(key: string): key is MessageKey {
  return lookup(en, key) !== undefined;
}
