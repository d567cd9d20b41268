"use client";
// Range preset menu; the custom start and end appear when "Custom" is picked.
import { useId, useState } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { selectClass } from "@/components/ui/styles";
import { RANGE_PRESETS } from "@/lib/console/time";

export function RangeFields({ range, from, to, problem }: { range: string; from: string; to: string; problem?: string }) {
  const { t } = useI18n();
  const [value, setValue] = useState(range);
  const id = useId();
  return (
    <>
      <div>
        <label htmlFor={`${id}-range`} className="block text-sm font-medium text-slate-700">
          {t("filters.range")}
        </label>
        <select id={`${id}-range`} name="range" value={value} onChange={(e) => setValue(e.target.value)} className={`${selectClass} mt-1`}>
          {RANGE_PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`filters.presets.${p}`)}
            </option>
          ))}
          <option value="custom">{t("filters.presets.custom")}</option>
        </select>
      </div>
      {value === "custom" ? (
        <>
          <div>
            <label htmlFor={`${id}-from`} className="block text-sm font-medium text-slate-700">
              {t("filters.from")}
            </label>
            <input id={`${id}-from`} type="datetime-local" name="from" defaultValue={from} required className={`${selectClass} mt-1`} aria-invalid={problem ? true : undefined} />
          </div>
          <div>
            <label htmlFor={`${id}-to`} className="block text-sm font-medium text-slate-700">
              {t("filters.to")}
            </label>
            <input id={`${id}-to`} type="datetime-local" name="to" defaultValue={to} className={`${selectClass} mt-1`} aria-invalid={problem ? true : undefined} />
          </div>
        </>
      ) : null}
    </>
  );
}
