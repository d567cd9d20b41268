import en from "@/messages/en.json";
import zhCN from "@/messages/zh-CN.json";
import { createFormatter } from "./format";
import { negotiateLocale, resolveLocale, resolveTimeZone } from "./locales";
import { createTranslator, messagesFor } from "./translate";

function leaves(node: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (typeof value === "string") out.set(`${prefix}${key}`, value);
    else for (const [k, v] of leaves(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

describe("message catalogues", () => {
  it("have the same keys and the same placeholders in both languages", () => {
    const a = leaves(en);
    const b = leaves(zhCN);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of a) expect([key, placeholders(b.get(key)!)]).toEqual([key, placeholders(text)]);
  });

  it("translate with placeholders filled in", () => {
    const t = createTranslator(messagesFor("zh-CN"));
    expect(t("common.pageOf", { page: 2, total: 5 })).toBe("第 2 页，共 5 页");
    expect(createTranslator(messagesFor("en"))("keys.created", { name: "bot" })).toBe('Key "bot" created.');
  });
});

describe("locale choice", () => {
  it("follows Accept-Language with q-values and maps every Chinese to Simplified Chinese", () => {
    expect(negotiateLocale("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(negotiateLocale("zh-TW")).toBe("zh-CN");
    expect(negotiateLocale("fr-FR,en-GB;q=0.7,zh;q=0.5")).toBe("en");
    expect(negotiateLocale("en;q=0.2, zh;q=0.8")).toBe("zh-CN");
    expect(negotiateLocale("fr,de")).toBeUndefined();
    expect(negotiateLocale(null)).toBeUndefined();
  });

  it("lets the remembered choice win and defaults to English", () => {
    expect(resolveLocale("en", "zh-CN")).toBe("en");
    expect(resolveLocale("klingon", "zh-CN")).toBe("zh-CN");
    expect(resolveLocale(undefined, undefined)).toBe("en");
  });

  it("accepts real time zones only", () => {
    expect(resolveTimeZone("Asia/Shanghai")).toBe("Asia/Shanghai");
    expect(resolveTimeZone("Mars/Olympus")).toBe("UTC");
    expect(resolveTimeZone(undefined)).toBe("UTC");
  });

  it("formats numbers and dates per locale and zone", () => {
    const zh = createFormatter("zh-CN", "Asia/Shanghai");
    const enUs = createFormatter("en", "UTC");
    expect(enUs.number(1234567)).toBe("1,234,567");
    expect(zh.compact(12_345)).toBe("1.2万");
    expect(enUs.compact(12_345)).toBe("12.3K");
    expect(enUs.percent(0.6875)).toBe("68.8%");
    expect(enUs.percent(null)).toBe("—");
    expect(enUs.ms(450)).toBe("450 ms");
    expect(enUs.ms(12_500)).toBe("12.5 sec");
    expect(zh.dateTime("2026-06-14T23:30:00Z")).toBe("2026年6月15日 07:30:00");
    expect(enUs.dateTime("2026-06-14T23:30:00Z")).toBe("Jun 14, 2026, 11:30:00 PM");
  });
});
