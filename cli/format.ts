// Human-readable output: tables for lists, aligned fields for one record. Times are shown
// in UTC so the output is the same wherever it runs. (--json prints the API's objects.)
import type { CreatedKey } from "@/lib/admin-api/contract";
import type { EventListItem } from "@/lib/events/event-list-schema";
import type { KeyView } from "@/lib/keys/schemas";
import type { TokenView } from "@/lib/tokens/service";
import type { RequestListItem } from "@/lib/usage/request-list-schema";

export function formatTime(iso: string | null, empty = "never"): string {
  if (!iso) return empty;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

function formatFields(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}

export function formatKeyTable(keys: KeyView[]): string {
  return formatTable(
    ["ID", "NAME", "PREFIX", "STATUS", "EXPIRES", "DAILY LIMIT", "RATE LIMIT", "LAST USED"],
    keys.map((k) => [k.id, k.name, `${k.prefix}…`, k.status, k.expiresAt.slice(0, 10), String(k.dailyLimit), String(k.rateLimit), formatTime(k.lastUsedAt)]),
  );
}

export function formatKey(key: KeyView): string {
  return formatFields([
    ["ID", key.id],
    ["Name", key.name],
    ["Prefix", `${key.prefix}…`],
    ["Status", key.status],
    ["Expires", formatTime(key.expiresAt)],
    ["Daily limit", `${key.dailyLimit} requests per UTC day`],
    ["Rate limit", `${key.rateLimit} requests per window (RATE_LIMIT_WINDOW)`],
    ["Allowed IPs", key.allowedIps.length ? key.allowedIps.join(", ") : "any"],
    ["Allowed models", key.allowedModels.length ? key.allowedModels.join(", ") : "all"],
    ["Last used", formatTime(key.lastUsedAt)],
    ["Rotated", formatTime(key.rotatedAt)],
    ["Created", `${formatTime(key.createdAt)}${key.createdBy ? ` by ${key.createdBy}` : ""}`],
  ]);
}

/** The one time a secret is printed for people: set apart, with the warning beside it. */
export function formatSecret(label: string, secret: string): string {
  return [`${label}:`, "", `    ${secret}`, "", "Store it now: it will not be shown again (it is kept only as a hash)."].join("\n");
}

export function formatCreatedKey(created: CreatedKey, verb: "Created" | "Rotated"): string {
  return [`${verb} key "${created.name}" (id ${created.id}).`, "", formatSecret(verb === "Created" ? "Key" : "New key", created.key)].join("\n");
}

export function formatTokenTable(tokens: TokenView[]): string {
  return formatTable(
    ["ID", "NAME", "PREFIX", "CREATED", "LAST USED", "REVOKED"],
    tokens.map((t) => [t.id, t.name, `${t.prefix}…`, formatTime(t.createdAt), formatTime(t.lastUsedAt), formatTime(t.revokedAt, "-")]),
  );
}

/** To the second, for log lines (the column header says UTC). */
function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function formatRequestTable(items: RequestListItem[]): string {
  return formatTable(
    ["TIME (UTC)", "STATUS", "KEY", "MODEL", "PROVIDER", "LATENCY", "TOKENS IN/OUT", "ERROR", "REQUEST ID"],
    items.map((r) => [
      formatInstant(r.createdAt),
      String(r.status),
      r.keyPrefix ? `${r.keyPrefix}…` : (r.keyId ?? "-"),
      `${r.model ?? "-"}${r.stream ? " (stream)" : ""}`,
      r.provider ?? "-",
      `${r.latencyMs} ms`,
      r.promptTokens === null && r.completionTokens === null ? "-" : `${r.promptTokens ?? "-"}/${r.completionTokens ?? "-"}`,
      r.errorCode ?? "-",
      r.requestId,
    ]),
  );
}

const MESSAGE_WIDTH = 100;

export function formatEventTable(items: EventListItem[]): string {
  return formatTable(
    ["TIME (UTC)", "LEVEL", "CATEGORY", "TYPE", "KEY", "IP", "REQUEST ID", "MESSAGE"],
    items.map((e) => [
      formatInstant(e.createdAt),
      e.level,
      e.category,
      e.type,
      e.keyId ?? "-",
      e.clientIp ?? "-",
      e.requestId ?? "-",
      e.message.length > MESSAGE_WIDTH ? `${e.message.slice(0, MESSAGE_WIDTH - 1)}…` : e.message,
    ]),
  );
}
