import Form from "next/form";
import { LogTable } from "@/components/logs/log-table";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { selectClass } from "@/components/ui/styles";
import { Pagination } from "@/components/ui/pagination";
import { RangeFields } from "@/components/usage/range-fields";
import { requireAdmin } from "@akm/core/auth/session";
import { parseLogQuery } from "@akm/core/console/log-filter";
import { LOG_TYPE_GROUPS, logTypeLabel } from "@akm/core/console/log-types";
import { listLogEntries, LOG_KINDS, LOG_LEVELS } from "@akm/core/console/logs";
import { type PageSearchParams } from "@akm/core/console/search-params";
import { getI18n } from "@akm/core/i18n/server";
import { listKeyOptions } from "@akm/core/keys/repository";

export default async function LogsPage({ searchParams }: PageSearchParams) {
  await requireAdmin("/admin/logs");
  const params = await searchParams;
  const { t, fmt, timeZone } = await getI18n();
  const query = parseLogQuery(params, timeZone, new Date());
  const [{ entries, hasMore }, keys] = await Promise.all([listLogEntries(query.filter, query.page), listKeyOptions()]);
  const { form } = query;

  return (
    <>
      <PageHeader title={t("logs.title")} description={t("logs.description")} />
      <Form action="/admin/logs" className="mb-6 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4" role="search">
        <div>
          <label htmlFor="log-kind" className="block text-sm font-medium text-slate-700">{t("logs.kind")}</label>
          <select id="log-kind" name="kind" defaultValue={form.kind} className={`${selectClass} mt-1`}>
            <option value="">{t("filters.all")}</option>
            {LOG_KINDS.map((k) => <option key={k} value={k}>{t(`logs.kinds.${k}`)}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="log-level" className="block text-sm font-medium text-slate-700">{t("logs.level")}</label>
          <select id="log-level" name="level" defaultValue={form.level} className={`${selectClass} mt-1`}>
            <option value="">{t("filters.all")}</option>
            {LOG_LEVELS.map((l) => <option key={l} value={l}>{t(`logs.levels.${l}`)}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="log-type" className="block text-sm font-medium text-slate-700">{t("logs.type")}</label>
          <select id="log-type" name="type" defaultValue={form.type} className={`${selectClass} mt-1 max-w-64`}>
            <option value="">{t("filters.all")}</option>
            {(Object.keys(LOG_TYPE_GROUPS) as (keyof typeof LOG_TYPE_GROUPS)[]).map((group) => (
              <optgroup key={group} label={t(`logs.kinds.${group}`)}>
                {LOG_TYPE_GROUPS[group].map((type) => <option key={type} value={type}>{logTypeLabel(t, type) ?? type}</option>)}
              </optgroup>
            ))}
            {form.type && !Object.values(LOG_TYPE_GROUPS).some((types) => (types as readonly string[]).includes(form.type)) ? <option value={form.type}>{form.type}</option> : null}
          </select>
        </div>
        <RangeFields range={form.range} from={form.from} to={form.to} problem={query.problem} />
        <div>
          <label htmlFor="log-key" className="block text-sm font-medium text-slate-700">{t("usage.key")}</label>
          <select id="log-key" name="key" defaultValue={form.key} className={`${selectClass} mt-1 max-w-56`}>
            <option value="">{t("filters.all")}</option>
            {keys.map((k) => <option key={k.id} value={k.id}>{k.deleted ? `${k.name} (${t("keys.deleted")})` : k.name}</option>)}
          </select>
        </div>
        <div className="min-w-48 flex-1">
          <label htmlFor="log-text" className="block text-sm font-medium text-slate-700">{t("logs.text")}</label>
          <input id="log-text" name="q" type="search" defaultValue={form.q} placeholder={t("logs.textPlaceholder")} className={`${selectClass} mt-1`} />
        </div>
        <button type="submit" className={buttonClass("primary")}>{t("common.apply")}</button>
        {query.problem ? <p role="alert" className="w-full text-sm text-red-700">{t(query.problem)} {t("filters.showingDefault")}</p> : null}
      </Form>
      <LogTable entries={entries} t={t} fmt={fmt} filtered={!!(form.kind || form.level || form.type || form.key || form.q)} />
      <Pagination
        basePath="/admin/logs"
        params={{ kind: form.kind || undefined, level: form.level || undefined, type: form.type || undefined, range: form.range, from: form.range === "custom" ? form.from : undefined, to: form.range === "custom" ? form.to : undefined, key: form.key || undefined, q: form.q || undefined }}
        page={query.page}
        hasMore={hasMore}
        t={t}
      />
    </>
  );
}
