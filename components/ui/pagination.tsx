import Link from "next/link";
import type { Translate } from "@/lib/i18n/translate";
import { buttonClass } from "./button";

/** Previous / next links that keep the other query parameters. `total` may be unknown (logs). */
export function Pagination({
  basePath,
  params,
  page,
  totalPages,
  hasMore,
  t,
}: {
  basePath: string;
  params: Record<string, string | undefined>;
  page: number;
  totalPages?: number;
  hasMore?: boolean;
  t: Translate;
}) {
  const href = (target: number) => {
    const query = new URLSearchParams(Object.entries({ ...params, page: target > 1 ? String(target) : undefined }).filter((e): e is [string, string] => !!e[1]));
    const qs = query.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const hasNext = totalPages !== undefined ? page < totalPages : !!hasMore;
  if (page <= 1 && !hasNext) return null;
  return (
    <nav aria-label={t("common.pagination")} className="mt-4 flex items-center justify-between gap-2 text-sm">
      {page > 1 ? (
        <Link className={buttonClass("secondary", "sm")} href={href(page - 1)} rel="prev">
          {t("common.previous")}
        </Link>
      ) : (
        <span />
      )}
      <span className="text-slate-600">{totalPages !== undefined ? t("common.pageOf", { page, total: totalPages }) : t("common.page", { page })}</span>
      {hasNext ? (
        <Link className={buttonClass("secondary", "sm")} href={href(page + 1)} rel="next">
          {t("common.next")}
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
