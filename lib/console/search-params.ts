import { replaceUnsafeText } from "@/lib/validation";

/** What Next passes a page as `searchParams`, awaited. */
export type SearchParams = Record<string, string | string[] | undefined>;
export type PageSearchParams = { searchParams: Promise<SearchParams> };

/**
 * The first value of a query parameter, trimmed; undefined when absent or blank. Control
 * characters become U+FFFD: the filter then matches nothing, as nothing stored has them.
 */
export function param(params: SearchParams | URLSearchParams, name: string): string | undefined {
  const raw = params instanceof URLSearchParams ? params.get(name) : params[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? replaceUnsafeText(value) : undefined;
}

/** A positive page number from the query; 1 when absent or nonsense. */
export function pageParam(params: SearchParams, max = 10_000): number {
  const n = Number(param(params, "page"));
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : 1;
}
