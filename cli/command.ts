import { parseCommand, type OptionSpec, type ParsedArgs } from "./args";
import type { CliContext } from "./context";
import { UsageError } from "./errors";

export interface Command {
  /** "keys create" */
  name: string;
  summary: string;
  /** The full --help text. */
  help: string;
  options: OptionSpec;
  /** Names of the required positional arguments, in order. */
  positionals?: string[];
  run(args: ParsedArgs, ctx: CliContext): Promise<void>;
}

export const jsonOption: OptionSpec = { json: { type: "boolean" } };

export async function runCommand(command: Command, argv: string[], ctx: CliContext): Promise<void> {
  const args = parseCommand(argv, command.name, command.options, command.positionals);
  if (args.values.help) {
    ctx.print(command.help);
    return;
  }
  await command.run(args, ctx);
}

/** Runs `<group> <sub> …`, or prints the group's help. */
export async function runGroup(group: string, commands: Command[], argv: string[], ctx: CliContext): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined) throw new UsageError(`missing command after "${group}"`, group);
  if (sub === "--help" || sub === "-h" || sub === "help") {
    ctx.print(groupHelp(group, commands));
    return;
  }
  const command = commands.find((c) => c.name === `${group} ${sub}`);
  if (!command) throw new UsageError(`unknown command "${group} ${sub}" (one of: ${commands.map((c) => c.name.split(" ")[1]).join(", ")})`, group);
  await runCommand(command, rest, ctx);
}

function groupHelp(group: string, commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Usage: npm run cli -- ${group} <command> [options]`,
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    `Run \`npm run cli -- ${group} <command> --help\` for a command's options.`,
  ].join("\n");
}
