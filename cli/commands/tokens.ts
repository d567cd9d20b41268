// `tokens …`: bearer tokens for the management API (/api/admin), for automation.
import { createTokenInput } from "@/lib/tokens/service";
import { parseInput } from "@/lib/validation";
import { booleanFlag, stringFlag } from "../args";
import { jsonOption, type Command } from "../command";
import { UsageError } from "../errors";
import { formatSecret, formatTokenTable } from "../format";

const create: Command = {
  name: "tokens create",
  summary: "create a management API token and print it once",
  options: { name: { type: "string" }, ...jsonOption },
  help: `Usage: npm run cli -- tokens create --name <name> [--json]

Creates a bearer token for the management API (/api/admin) and prints it once; only its
hash is stored. Changes made with it are audited as "token:<name>".

Options:
  --name <name>            what the token is for, e.g. "deploy-bot" (required)
  --json                   print {"id":…,"token":…}
  -h, --help               show this help`,
  async run(args, ctx) {
    const name = stringFlag(args, "name");
    if (name === undefined) throw new UsageError("--name is required", this.name);
    parseInput(createTokenInput, { name });
    const created = await (await ctx.api()).createToken({ name });
    if (booleanFlag(args, "json")) return ctx.printJson({ id: created.id, token: created.token });
    ctx.print(`Created management token "${created.name}" (id ${created.id}).\n`);
    ctx.print(formatSecret("Token", created.token));
    ctx.print(`\nUse it as: Authorization: Bearer <token>`);
  },
};

const list: Command = {
  name: "tokens list",
  summary: "list management API tokens",
  options: { all: { type: "boolean" }, ...jsonOption },
  help: `Usage: npm run cli -- tokens list [--all] [--json]

Lists management tokens (never their secrets).

Options:
  --all                    include revoked tokens
  --json                   print {"items":[…]}
  -h, --help               show this help`,
  async run(args, ctx) {
    const items = await (await ctx.api()).listTokens({ includeRevoked: booleanFlag(args, "all") });
    if (booleanFlag(args, "json")) return ctx.printJson({ items });
    ctx.print(items.length ? formatTokenTable(items) : "No management tokens.");
  },
};

const revoke: Command = {
  name: "tokens revoke",
  summary: "revoke a management API token",
  positionals: ["id"],
  options: { ...jsonOption },
  help: `Usage: npm run cli -- tokens revoke <id> [--json]

Revokes a management token: the API refuses it from now on (its record stays).

Options:
  --json                   print the revoked token as JSON
  -h, --help               show this help`,
  async run(args, ctx) {
    const token = await (await ctx.api()).revokeToken(args.positionals[0]);
    if (booleanFlag(args, "json")) ctx.printJson(token);
    else ctx.print(`Revoked management token "${token.name}" (id ${token.id}).`);
  },
};

export const tokenCommands: Command[] = [create, list, revoke];
