import Form from "next/form";
import { CreateKeyDialog } from "@/components/keys/create-key-dialog";
import { KeyTable } from "@/components/keys/key-table";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { selectClass } from "@/components/ui/styles";
import { Pagination } from "@/components/ui/pagination";
import { requireAdmin } from "@akm/core/auth/session";
import { getEnv } from "@akm/core/config/env";
import { toClientKey } from "@akm/core/console/key-views";
import { pageParam, param, type PageSearchParams } from "@akm/core/console/search-params";
import { getI18n } from "@akm/core/i18n/server";
import { KEY_STATUSES, type KeyStatusName } from "@akm/core/keys/schemas";
import { listKeys } from "@akm/core/keys/service";
import { createKeyAction, deleteKeyAction, rotateKeyAction, setKeyEnabledAction } from "./actions";

const PAGE_SIZE = 20;

export default async function KeysPage({ searchParams }: PageSearchParams) {
  await requireAdmin("/admin/keys");
  const params = await searchParams;
  const { t } = await getI18n();
  const env = getEnv();
  const search = param(params, "q")?.slice(0, 100);
  const statusParam = param(params, "status");
  const status = (KEY_STATUSES as readonly string[]).includes(statusParam ?? "") ? (statusParam as KeyStatusName) : undefined;
  const page = pageParam(params);
  const result = await listKeys({ search, status, page, pageSize: PAGE_SIZE });
  const totalPages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const defaults = { maxDays: env.MAX_TOKEN_AGE, dailyLimit: env.DEFAULT_RATE_LIMIT, rateLimit: env.DEFAULT_WINDOW_LIMIT, window: env.RATE_LIMIT_WINDOW };

  return (
    <>
      <PageHeader
        title={t("keys.title")}
        description={t("keys.description", { total: result.total })}
        actions={<CreateKeyDialog action={createKeyAction} defaults={defaults} />}
      />
      <Form action="/admin/keys" className="mb-4 flex flex-wrap items-end gap-3" role="search">
        <div className="min-w-48 flex-1">
          <label htmlFor="key-search" className="block text-sm font-medium text-slate-700">
            {t("keys.search")}
          </label>
          <input
            id="key-search"
            name="q"
            type="search"
            defaultValue={search}
            placeholder={t("keys.searchPlaceholder")}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          />
        </div>
        <div>
          <label htmlFor="key-status" className="block text-sm font-medium text-slate-700">
            {t("keys.statusLabel")}
          </label>
          <select id="key-status" name="status" defaultValue={status ?? ""} className={`${selectClass} mt-1`}>
            <option value="">{t("keys.status.all")}</option>
            {KEY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`keys.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass("secondary")}>
          {t("common.apply")}
        </button>
      </Form>
      <KeyTable
        keys={result.items.map(toClientKey)}
        filtered={!!search || !!status}
        actions={{ setEnabled: setKeyEnabledAction, rotate: rotateKeyAction, remove: deleteKeyAction }}
      />
      <Pagination basePath="/admin/keys" params={{ q: search, status }} page={page} totalPages={totalPages} t={t} />
    </>
  );
}
