import { logTypeLabel } from "@/lib/console/log-types";
import type { Translate } from "@/lib/i18n/translate";

/** An event type, error code or audit action: its label in the admin's language, with the code itself. */
export function LogType({ type, t }: { type: string; t: Translate }) {
  const label = logTypeLabel(t, type);
  if (!label) return <span className="font-mono text-xs">{type}</span>;
  return (
    <span>
      {label} <span className="whitespace-nowrap font-mono text-xs text-slate-500">{type}</span>
    </span>
  );
}
