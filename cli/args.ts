// Command-line parsing on node:util's parseArgs, with the CLI's own messages and rules:
// unknown or repeated flags are errors, list flags repeat and accept comma-separated values.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseTimestamp } from "@/lib/pagination";
import { UsageError } from "./errors";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;
type Value = string | boolean | (string | boolean)[] | undefined;

export interface ParsedArgs {
  values: Record<string, Value>;
  positionals: string[];
}

function friendlyParseError(error: Error & { code?: string }): string {
  const flag = /'(--?[\w-]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag ?? error.message}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? ""}`.trim();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(error.message)) return `${flag} does not take a value`;
      if (/ambiguous/.test(error.message)) return `${flag} needs a value (write ${flag}=<value> for one that starts with "-")`;
      return `${flag} needs a value`;
    default:
      return error.message;
  }
}

/**
 * Parses `argv` for one command. `positionals` names the required arguments, in order.
 * `-h/--help` is always accepted and reported as `values.help`.
 */
export function parseCommand(argv: string[], command: string, options: OptionSpec, positionals: string[] = []): ParsedArgs {
  const spec: OptionSpec = { ...options, help: { type: "boolean", short: "h" } };
  let parsed: ReturnType<typeof parseArgs<{ options: OptionSpec; allowPositionals: true; strict: true; tokens: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(friendlyParseError(error as Error), command);
  }
  const values = parsed.values as Record<string, Value>;
  if (values.help) return { values, positionals: parsed.positionals };
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || spec[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} was given more than once`, command);
    seen.add(token.name);
  }
  if (parsed.positionals.length < positionals.length) {
    throw new UsageError(`missing <${positionals[parsed.positionals.length]}>`, command);
  }
  if (parsed.positionals.length > positionals.length) {
    throw new UsageError(`unexpected argument ${parsed.positionals[positionals.length]}`, command);
  }
  return { values, positionals: parsed.positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A whole number flag; anything else (1.5, 1e3, -1, abc) is a usage error. */
export function numberFlag(args: ParsedArgs, name: string, command: string): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--${name} must be a whole number, got "${raw}"`, command);
  }
  return n;
}

/** A repeatable, comma-separated list flag; undefined when absent, an error when given but empty. */
export function listFlag(args: ParsedArgs, name: string, command: string, emptyHint: string): string[] | undefined {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  const items = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => String(v).split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${name} needs a value (${emptyHint})`, command);
  return items;
}

const DURATION = /^(\d{1,6})([smhdw])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * A point in time given as a duration before `now` (15m, 2h, 7d; s, m, h, d, w) or as an
 * ISO 8601 timestamp (or date), returned as an ISO string.
 */
export function timeFlag(args: ParsedArgs, name: string, command: string, now: Date): string | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const duration = DURATION.exec(raw.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]).toISOString();
  const at = parseTimestamp(raw);
  if (at) return at.toISOString();
  throw new UsageError(`--${name} must be a duration before now (15m, 2h, 7d) or an ISO 8601 timestamp with a time zone (2026-12-01T09:30:00Z) or date, got "${raw}"`, command);
}
