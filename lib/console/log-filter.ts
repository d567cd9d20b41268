// The logs page's filters from the query string.
import { LOG_KINDS, LOG_LEVELS, LOG_MAX_PAGE, type LogFilter, type LogKind, type LogLevel } from "./logs";
import { pageParam, param, type SearchParams } from "./search-params";
import { formatZonedDateTime, resolveRange, type RangeProblem } from "./time";

export interface LogQuery {
  filter: LogFilter;
  page: number;
  form: { kind: string; level: string; type: string; range: string; from: string; to: string; key: string; q: string };
  problem?: RangeProblem;
}

export function parseLogQuery(params: SearchParams, timeZone: string, now: Date): LogQuery {
  const kindParam = param(params, "kind");
  const levelParam = param(params, "level");
  const kind = (LOG_KINDS as readonly string[]).includes(kindParam ?? "") ? (kindParam as LogKind) : undefined;
  const level = (LOG_LEVELS as readonly string[]).includes(levelParam ?? "") ? (levelParam as LogLevel) : undefined;
  const { range, problem } = resolveRange({ range: param(params, "range"), from: param(params, "from"), to: param(params, "to") }, timeZone, now, "7d");
  const keyParam = param(params, "key");
  const keyId = keyParam && keyParam.length <= 64 ? keyParam : undefined;
  const text = param(params, "q")?.slice(0, 200);
  const typeParam = param(params, "type");
  // Any code may be asked for (a provider's own error code, say); the menu offers the known ones.
  const type = typeParam && /^[A-Za-z0-9_.:-]{1,64}$/.test(typeParam) ? typeParam : undefined;
  return {
    filter: { from: range.from, to: range.to, kind, level, keyId, text, type },
    page: pageParam(params, LOG_MAX_PAGE),
    form: {
      kind: kind ?? "",
      level: level ?? "",
      type: type ?? "",
      range: range.preset,
      from: formatZonedDateTime(range.from, timeZone),
      to: formatZonedDateTime(range.to, timeZone),
      key: keyId ?? "",
      q: text ?? "",
    },
    problem,
  };
}
