// `requests list` and `events list`: what the gateway recorded, newest first, with the
// management API's filters as flags. The flags become the API's query object and are
// checked with its own schema before anything is opened or sent (bad input exits 2).
import { listEventsQuery, type ListEventsQuery } from "@/lib/events/event-list-schema";
import { listRequestsQuery, type ListRequestsQuery } from "@/lib/usage/request-list-schema";
import { parseInput } from "@/lib/validation";
import { booleanFlag, stringFlag, timeFlag, type OptionSpec, type ParsedArgs } from "../args";
import type { Backend } from "../backend";
import { jsonOption, type Command } from "../command";
import type { CliContext } from "../context";
import { CliFailure, UsageError } from "../errors";
import { formatEventTable, formatRequestTable } from "../format";

const commonOptions: OptionSpec = {
  key: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  ...jsonOption,
};

const COMMON_HELP = `  --key <id|prefix>        one key: its id, or its display prefix as \`keys list\` shows it
                           (sk-akm_ and 6 characters; a deleted key only by its id)
  --since <when>           from this time on: a duration before now (30s, 15m, 2h, 7d, 2w)
                           or an ISO 8601 timestamp with a time zone, or a date (UTC)
  --until <when>           before this time (same forms as --since)
  --limit <n>              at most this many, 1 to 1000 (default 100)
  --cursor <cursor>        the next page: the cursor the previous page printed
  --json                   print the items as a JSON array`;

// A display prefix, with or without the ellipsis lists print after it.
const DISPLAY_PREFIX = /^(sk-akm_[0-9A-Za-z]{6})…?$/;
const LOOKS_LIKE_A_KEY = /^sk-akm_[0-9A-Za-z]{7,}/;

function withoutUndefined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

type KeyFlag = { id: string } | { prefix: string };

/** --key: a key's id as given, or its display prefix; refused before anything is opened if it is a whole key. */
function keyFlag(args: ParsedArgs, command: string): KeyFlag | undefined {
  const value = stringFlag(args, "key")?.trim();
  if (value === undefined) return undefined;
  const prefix = DISPLAY_PREFIX.exec(value)?.[1];
  if (prefix) return { prefix };
  // Never echo it: it may be a working secret pasted by mistake.
  if (LOOKS_LIKE_A_KEY.test(value)) throw new UsageError("--key takes a key's id or its display prefix (sk-akm_ and 6 characters), not the key itself", command);
  return { id: value };
}

/** The API's keyId for --key: a display prefix is looked up among the keys. */
async function resolveKey(key: KeyFlag | undefined, api: Backend): Promise<string | undefined> {
  if (key === undefined || "id" in key) return key?.id;
  const found = (await api.listKeys({ search: key.prefix, pageSize: 100 })).items.filter((k) => k.prefix === key.prefix);
  if (found.length === 0) throw new CliFailure(`no key has the prefix ${key.prefix} (for a deleted or rotated key's records, give its id)`);
  if (found.length > 1) throw new CliFailure(`${found.length} keys have the prefix ${key.prefix}: give one id of ${found.map((k) => k.id).join(", ")}`);
  return found[0].id;
}

function commonQuery(args: ParsedArgs, command: string) {
  const now = new Date();
  return {
    from: timeFlag(args, "since", command, now),
    to: timeFlag(args, "until", command, now),
    limit: stringFlag(args, "limit"),
    cursor: stringFlag(args, "cursor"),
  };
}

function printPage<T>(ctx: CliContext, args: ParsedArgs, page: { items: T[]; nextCursor: string | null }, table: (items: T[]) => string, none: string): void {
  if (booleanFlag(args, "json")) ctx.printJson(page.items);
  else ctx.print(page.items.length ? table(page.items) : none);
  if (page.nextCursor) ctx.note(`More: run again with --cursor ${page.nextCursor}`);
}

const requestsList: Command = {
  name: "requests list",
  summary: "recorded /v1 requests, newest first, with filters",
  options: {
    ...commonOptions,
    status: { type: "string" },
    model: { type: "string" },
    provider: { type: "string" },
    "request-id": { type: "string" },
  },
  help: `Usage: npm run cli -- requests list [options]

Lists recorded /v1 requests, forwarded or refused, newest first (never a key's secret).
Filters combine; a page that is not the last prints the cursor of the next one on stderr.

Options:
${COMMON_HELP}
  --status <code>          HTTP status, e.g. 401 or 503
  --model <model>          the model as recorded (the one that answered, else the one asked for)
  --provider <name>        openai, anthropic or gemini
  --request-id <id>        one request (the x-request-id header the client got)
  -h, --help               show this help

Example:
  npm run cli -- requests list --since 2h --status 503 --provider anthropic`,
  async run(args, ctx) {
    const key = keyFlag(args, this.name);
    const query: ListRequestsQuery = withoutUndefined({
      ...commonQuery(args, this.name),
      status: stringFlag(args, "status"),
      model: stringFlag(args, "model"),
      provider: stringFlag(args, "provider"),
      requestId: stringFlag(args, "request-id"),
    });
    parseInput(listRequestsQuery, { ...query, keyId: key && "id" in key ? key.id : undefined });
    const api = await ctx.api();
    const keyId = await resolveKey(key, api);
    const page = await api.listRequests(withoutUndefined({ ...query, keyId }));
    printPage(ctx, args, page, formatRequestTable, "No recorded requests match.");
  },
};

const eventsList: Command = {
  name: "events list",
  summary: "system and security events, newest first, with filters",
  options: {
    ...commonOptions,
    type: { type: "string" },
    category: { type: "string" },
    level: { type: "string" },
    ip: { type: "string" },
  },
  help: `Usage: npm run cli -- events list [options]

Lists system and security events (refused keys, IPs and models, rate limits, quotas,
sign-ins, upstream failures), newest first, with anything shaped like a secret masked.
Filters combine; a page that is not the last prints the cursor of the next one on stderr.

Options:
${COMMON_HELP}
  --type <type>            e.g. invalid_api_key, rate_limited, provider_not_configured, upstream_error
  --category <c>           system or security
  --level <l>              info, warn or error
  --ip <address>           the client's IP address
  -h, --help               show this help

Example:
  npm run cli -- events list --since 1d --category security --ip 203.0.113.7`,
  async run(args, ctx) {
    const key = keyFlag(args, this.name);
    const query: ListEventsQuery = withoutUndefined({
      ...commonQuery(args, this.name),
      type: stringFlag(args, "type"),
      category: stringFlag(args, "category") as ListEventsQuery["category"],
      level: stringFlag(args, "level") as ListEventsQuery["level"],
      clientIp: stringFlag(args, "ip"),
    });
    parseInput(listEventsQuery, { ...query, keyId: key && "id" in key ? key.id : undefined });
    const api = await ctx.api();
    const keyId = await resolveKey(key, api);
    const page = await api.listEvents(withoutUndefined({ ...query, keyId }));
    printPage(ctx, args, page, formatEventTable, "No events match.");
  },
};

export const requestCommands: Command[] = [requestsList];
export const eventCommands: Command[] = [eventsList];
