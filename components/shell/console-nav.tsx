"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useI18n } from "@/components/i18n/i18n-provider";
import type { MessageKey } from "@/lib/i18n/translate";

const ITEMS: { href: string; label: MessageKey }[] = [
  { href: "/admin", label: "nav.dashboard" },
  { href: "/admin/keys", label: "nav.keys" },
  { href: "/admin/usage", label: "nav.usage" },
  { href: "/admin/logs", label: "nav.logs" },
];

export function ConsoleNav() {
  const { t } = useI18n();
  const pathname = usePathname();
  return (
    <nav aria-label={t("nav.label")} className="flex gap-1 overflow-x-auto">
      {ITEMS.map((item) => {
        const active = item.href === "/admin" ? pathname === "/admin" : pathname.startsWith(item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={`whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
              active ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
            }`}
          >
            {t(item.label)}
          </Link>
        );
      })}
    </nav>
  );
}
