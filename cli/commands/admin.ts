// `create-admin`: a console administrator, interactively or from a script. Running it
// for an existing e-mail sets a new password.
import { adminPassword, createAdminInput } from "@/lib/admins/service";
import { parseInput } from "@/lib/validation";
import { booleanFlag, stringFlag } from "../args";
import { jsonOption, type Command } from "../command";
import { UsageError } from "../errors";
import { isInteractive, promptHidden, promptLine, readStdin } from "../prompt";

const ATTEMPTS = 3;

async function askPassword(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const first = await promptHidden("Password (at least 10 characters): ");
    const problem = adminPassword.safeParse(first).error?.issues[0]?.message;
    const second = problem ? undefined : await promptHidden("Repeat the password: ");
    if (!problem && first === second) return first;
    const message = problem ? `the password ${problem}` : "the passwords do not match";
    if (attempt === ATTEMPTS) throw new UsageError(message, "create-admin");
    process.stderr.write(`${message}; try again.\n`);
  }
}

export const createAdminCommand: Command = {
  name: "create-admin",
  summary: "create a console admin (or set a new password)",
  options: {
    email: { type: "string" },
    password: { type: "string" },
    "password-stdin": { type: "boolean" },
    name: { type: "string" },
    ...jsonOption,
  },
  help: `Usage: npm run create-admin [-- options]
       npm run cli -- create-admin [options]

Creates an administrator for the web console; for an existing e-mail it sets a new
password. Without --password/--password-stdin it asks for the e-mail (default:
ADMIN_EMAIL) and for the password twice, without echoing it.

Options:
  --email <email>          the admin's e-mail (default: ADMIN_EMAIL)
  --password-stdin         read the password from stdin (for scripts)
  --password <password>    the password (visible in the process list and shell history:
                           prefer --password-stdin)
  --name <name>            display name
  --json                   print {"id":…,"email":…,"created":true|false}
  -h, --help               show this help

Example:
  printf '%s' "$ADMIN_PASSWORD" | npm run create-admin -- --email admin@example.com --password-stdin`,
  async run(args, ctx) {
    const fromStdin = booleanFlag(args, "password-stdin");
    let password = stringFlag(args, "password");
    if (fromStdin && password !== undefined) throw new UsageError("give --password or --password-stdin, not both", this.name);
    let email = stringFlag(args, "email");
    const fallbackEmail = ctx.env().ADMIN_EMAIL;
    const interactive = password === undefined && !fromStdin;
    if (interactive && !isInteractive()) {
      throw new UsageError("no password given: use --password-stdin (or --password) when stdin is not a terminal", this.name);
    }
    if (email === undefined && interactive) {
      email = (await promptLine(`E-mail${fallbackEmail ? ` [${fallbackEmail}]` : ""}: `)) || fallbackEmail;
    }
    email ??= fallbackEmail;
    if (!email) throw new UsageError("--email is required (or set ADMIN_EMAIL)", this.name);
    // Checked before the password is asked for, so a typo does not cost the password twice.
    parseInput(createAdminInput.pick({ email: true }), { email });
    if (fromStdin) password = await readStdin();
    if (password === undefined) password = await askPassword();
    const name = stringFlag(args, "name");
    const input = { email, password, ...(name === undefined ? {} : { name }) };
    parseInput(createAdminInput, input);

    const result = await (await ctx.api()).createAdmin(input);
    if (booleanFlag(args, "json")) return ctx.printJson({ id: result.id, email: result.email, created: result.created });
    ctx.print(result.created ? `Created admin ${result.email}. Sign in to the console with this e-mail.` : `Set a new password for admin ${result.email}.`);
  },
};
