// Entry point of `npm run cli`, `npm run create-admin` and `npm run db:migrate` (run by tsx).
import { fileURLToPath } from "node:url";
import { loadDotEnv } from "@/lib/config/dotenv";
import { AppError } from "@/lib/errors";
import { runCommand, runGroup } from "./command";
import { createAdminCommand } from "./commands/admin";
import { dbCommands } from "./commands/db";
import { keyCommands } from "./commands/keys";
import { eventCommands, requestCommands } from "./commands/records";
import { tokenCommands } from "./commands/tokens";
import { createContext } from "./context";
import { CliFailure, EXIT_OK, reportError, UsageError } from "./errors";

const HELP = `api-key-manager command line

Usage: npm run cli -- <command> [options]

Commands:
  keys create|list|show|update|enable|disable|delete|rotate
                      gateway API keys (the secret is printed once, at create and rotate)
  tokens create|list|revoke
                      bearer tokens for the management API (/api/admin)
  requests list       recorded /v1 requests, newest first, with filters
  events list         system and security events, newest first, with filters
  create-admin        console administrator (also: npm run create-admin)
  db migrate          apply database migrations (also: npm run db:migrate)

Every command takes --help, and --json for machine-readable output. In scripts, use
\`npm run -s cli -- …\` (or \`npx tsx --conditions=react-server cli/index.ts …\`) so npm prints nothing of its own.

Database: DATABASE_URL (PostgreSQL), or the embedded database in DATA_DIR (./data). While
\`npm start\` holds the embedded database, the CLI works through that server's management
API with the credential it keeps in DATA_DIR/cli-token; the output is the same.

Exit codes: 0 done, 1 failed (not found, database or server unavailable), 2 bad input.`;

// Library code logs with console.log; stdout belongs to the command's output (--json must parse).
console.log = console.error;
console.info = console.error;

export async function main(argv: string[]): Promise<number> {
  const ctx = createContext();
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
        throw new UsageError("missing command");
      case "help":
      case "--help":
      case "-h":
        ctx.print(HELP);
        break;
      case "keys":
        await runGroup("keys", keyCommands, rest, ctx);
        break;
      case "tokens":
        await runGroup("tokens", tokenCommands, rest, ctx);
        break;
      case "requests":
        await runGroup("requests", requestCommands, rest, ctx);
        break;
      case "events":
        await runGroup("events", eventCommands, rest, ctx);
        break;
      case "db":
        await runGroup("db", dbCommands, rest, ctx);
        break;
      case "create-admin":
        await runCommand(createAdminCommand, rest, ctx);
        break;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
    return EXIT_OK;
  } catch (error) {
    const backend = ctx.backend();
    const refused = backend?.kind === "server" && error instanceof AppError && error.code === "unauthorized";
    const reported = refused
      ? new CliFailure(
          `the running server refused the CLI's local credential (DATA_DIR/cli-token): ${error.message}. ` +
            "It is accepted over loopback only: a server listening on one non-loopback address (HOST) cannot take it, so stop that server or let it listen on 0.0.0.0; otherwise restart the server to issue a new credential.",
        )
      : error;
    return reportError(reported, (line) => process.stderr.write(`${line}\n`));
  } finally {
    await ctx.backend()?.close().catch(() => undefined);
  }
}

loadDotEnv(fileURLToPath(new URL("..", import.meta.url)));
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A finished command must not linger on something left open (a pool, a timer).
setTimeout(() => process.exit(code), 2_000).unref();
