// `keys …`: gateway API keys. Input is validated here with the service's own schemas
// before anything is opened or sent, so bad input exits 2 having touched nothing.
import { createKeyInput, KEY_STATUSES, listKeysInput, updateKeyInput, type CreateKeyInput, type UpdateKeyInput } from "@/lib/keys/schemas";
import { parseInput } from "@/lib/validation";
import { booleanFlag, listFlag, numberFlag, stringFlag, type OptionSpec, type ParsedArgs } from "../args";
import { jsonOption, type Command } from "../command";
import { UsageError } from "../errors";
import { formatCreatedKey, formatKey, formatKeyTable } from "../format";

const fieldOptions: OptionSpec = {
  name: { type: "string" },
  "daily-limit": { type: "string" },
  "rate-limit": { type: "string" },
  "expires-in-days": { type: "string" },
  "expires-at": { type: "string" },
  "allow-ip": { type: "string", multiple: true },
  "allow-model": { type: "string", multiple: true },
};

const FIELD_HELP = `  --daily-limit <n>        requests per UTC day (default: DEFAULT_RATE_LIMIT, 1000)
  --rate-limit <n>         requests per RATE_LIMIT_WINDOW seconds (default: DEFAULT_WINDOW_LIMIT, 60)
  --expires-in-days <n>    lifetime in days from now (default and maximum: MAX_TOKEN_AGE, 365)
  --expires-at <date>      expiry as an ISO 8601 date/time, instead of --expires-in-days
  --allow-ip <ip|cidr>     client address or range allowed to use the key, IPv4 or IPv6;
                           repeat the flag or separate with commas (default: any address)
  --allow-model <model>    model the key may use, e.g. gpt-4o or anthropic/claude-sonnet-4-5;
                           repeat the flag or separate with commas (default: every model)`;

/** The key fields given on the command line, named as the service names them. */
function keyFields(args: ParsedArgs, command: string) {
  return {
    name: stringFlag(args, "name"),
    dailyLimit: numberFlag(args, "daily-limit", command),
    rateLimit: numberFlag(args, "rate-limit", command),
    expiresInDays: numberFlag(args, "expires-in-days", command),
    expiresAt: stringFlag(args, "expires-at"),
    allowedIps: listFlag(args, "allow-ip", command, command === "keys update" ? "use --clear-ips to allow every address" : "omit it to allow every address"),
    allowedModels: listFlag(args, "allow-model", command, command === "keys update" ? "use --clear-models to allow every model" : "omit it to allow every model"),
  };
}

function withoutUndefined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

function idOf(args: ParsedArgs): string {
  return args.positionals[0];
}

const create: Command = {
  name: "keys create",
  summary: "create a key and print its secret once",
  options: { ...fieldOptions, ...jsonOption },
  help: `Usage: npm run cli -- keys create --name <name> [options]

Creates an API key and prints it once; only its hash is stored.

Options:
  --name <name>            name shown in lists (required)
${FIELD_HELP}
  --json                   print {"id":…,"key":…}
  -h, --help               show this help

Example:
  npm run cli -- keys create --name ci --daily-limit 500 --allow-ip 10.0.0.0/8,2001:db8::/32 --allow-model gpt-4o-mini`,
  async run(args, ctx) {
    const input: CreateKeyInput = withoutUndefined(keyFields(args, this.name)) as CreateKeyInput;
    if (input.name === undefined) throw new UsageError("--name is required", this.name);
    parseInput(createKeyInput, input);
    const created = await (await ctx.api()).createKey(input);
    if (booleanFlag(args, "json")) ctx.printJson({ id: created.id, key: created.key });
    else ctx.print(formatCreatedKey(created, "Created"));
  },
};

const list: Command = {
  name: "keys list",
  summary: "list keys (newest first), with filters and pages",
  options: {
    status: { type: "string" },
    search: { type: "string" },
    page: { type: "string" },
    "page-size": { type: "string" },
    ...jsonOption,
  },
  help: `Usage: npm run cli -- keys list [options]

Lists keys, newest first. Secrets are never shown again, only their prefixes.

Options:
  --status <status>        only ${KEY_STATUSES.join(", ")} keys
  --search <text>          name contains <text> (any case), or prefix/id matches it
  --page <n>               page number (default 1)
  --page-size <n>          keys per page, 1-100 (default 20)
  --json                   print {"items":[…],"total","page","pageSize"}
  -h, --help               show this help`,
  async run(args, ctx) {
    const query = withoutUndefined({
      status: stringFlag(args, "status") as (typeof KEY_STATUSES)[number] | undefined,
      search: stringFlag(args, "search"),
      page: numberFlag(args, "page", this.name),
      pageSize: numberFlag(args, "page-size", this.name),
    });
    parseInput(listKeysInput, query);
    const page = await (await ctx.api()).listKeys(query);
    if (booleanFlag(args, "json")) return ctx.printJson(page);
    if (page.items.length === 0) {
      ctx.print(page.total === 0 ? "No keys found." : `No keys on page ${page.page} (${page.total} in all).`);
      return;
    }
    const first = (page.page - 1) * page.pageSize + 1;
    const pages = Math.ceil(page.total / page.pageSize);
    ctx.print(formatKeyTable(page.items));
    ctx.print(`\n${first}-${first + page.items.length - 1} of ${page.total} key(s)${pages > 1 ? `, page ${page.page} of ${pages} (--page <n> for others)` : ""}.`);
  },
};

const show: Command = {
  name: "keys show",
  summary: "show one key",
  positionals: ["id"],
  options: { ...jsonOption },
  help: `Usage: npm run cli -- keys show <id> [--json]

Shows one key's settings (never its secret).

Options:
  --json                   print the key as JSON
  -h, --help               show this help`,
  async run(args, ctx) {
    const key = await (await ctx.api()).getKey(idOf(args));
    if (booleanFlag(args, "json")) ctx.printJson(key);
    else ctx.print(formatKey(key));
  },
};

const update: Command = {
  name: "keys update",
  summary: "change a key's name, limits, expiry or allowlists",
  positionals: ["id"],
  options: { ...fieldOptions, "clear-ips": { type: "boolean" }, "clear-models": { type: "boolean" }, ...jsonOption },
  help: `Usage: npm run cli -- keys update <id> [options]

Changes the given fields and leaves the others as they are. --allow-ip and
--allow-model replace the whole list; --clear-ips / --clear-models empty it.

Options:
  --name <name>            new name
${FIELD_HELP}
  --clear-ips              allow every client address again
  --clear-models           allow every model again
  --json                   print the updated key
  -h, --help               show this help

Example:
  npm run cli -- keys update ckabc123 --daily-limit 2000 --clear-ips`,
  async run(args, ctx) {
    const fields = keyFields(args, this.name);
    const clearIps = booleanFlag(args, "clear-ips");
    const clearModels = booleanFlag(args, "clear-models");
    if (clearIps && fields.allowedIps) throw new UsageError("give --allow-ip or --clear-ips, not both", this.name);
    if (clearModels && fields.allowedModels) throw new UsageError("give --allow-model or --clear-models, not both", this.name);
    const input: UpdateKeyInput = withoutUndefined({
      ...fields,
      allowedIps: clearIps ? [] : fields.allowedIps,
      allowedModels: clearModels ? [] : fields.allowedModels,
    });
    if (Object.keys(input).length === 0) {
      throw new UsageError("nothing to change: give at least one of --name, --daily-limit, --rate-limit, --expires-in-days, --expires-at, --allow-ip, --allow-model, --clear-ips, --clear-models", this.name);
    }
    parseInput(updateKeyInput, input);
    const key = await (await ctx.api()).updateKey(idOf(args), input);
    if (booleanFlag(args, "json")) return ctx.printJson(key);
    ctx.print(`Updated key "${key.name}" (id ${key.id}).\n`);
    ctx.print(formatKey(key));
  },
};

function switchCommand(enabled: boolean): Command {
  const verb = enabled ? "enable" : "disable";
  return {
    name: `keys ${verb}`,
    summary: enabled ? "let a disabled key through again" : "refuse a key until it is enabled again",
    positionals: ["id"],
    options: { ...jsonOption },
    help: `Usage: npm run cli -- keys ${verb} <id> [--json]

${enabled ? "Enables a key (an expired key stays refused until its expiry is extended)." : "Disables a key: the gateway refuses it at once; its settings are kept."}

Options:
  --json                   print the key as JSON
  -h, --help               show this help`,
    async run(args, ctx) {
      const key = await (await ctx.api()).setKeyEnabled(idOf(args), enabled);
      if (booleanFlag(args, "json")) ctx.printJson(key);
      else ctx.print(`Key "${key.name}" (id ${key.id}) is now ${key.status}.`);
    },
  };
}

const remove: Command = {
  name: "keys delete",
  summary: "delete a key for good (its usage history stays)",
  positionals: ["id"],
  options: { ...jsonOption },
  help: `Usage: npm run cli -- keys delete <id> [--json]

Deletes a key: the gateway refuses it at once and it leaves every list. This cannot be
undone; its usage history is kept. To stop a key for a while, use \`keys disable\`.

Options:
  --json                   print {"id":…,"deleted":true}
  -h, --help               show this help`,
  async run(args, ctx) {
    const id = idOf(args);
    await (await ctx.api()).deleteKey(id);
    if (booleanFlag(args, "json")) ctx.printJson({ id, deleted: true });
    else ctx.print(`Deleted key ${id}.`);
  },
};

const rotate: Command = {
  name: "keys rotate",
  summary: "issue a new secret for a key (the old one stops working)",
  positionals: ["id"],
  options: { ...jsonOption },
  help: `Usage: npm run cli -- keys rotate <id> [--json]

Issues a new secret for the same key record (settings and history stay) and prints it
once. The old secret is refused from now on.

Options:
  --json                   print {"id":…,"key":…}
  -h, --help               show this help`,
  async run(args, ctx) {
    const rotated = await (await ctx.api()).rotateKey(idOf(args));
    if (booleanFlag(args, "json")) ctx.printJson({ id: rotated.id, key: rotated.key });
    else ctx.print(formatCreatedKey(rotated, "Rotated"));
  },
};

export const keyCommands: Command[] = [create, list, show, update, switchCommand(true), switchCommand(false), remove, rotate];
