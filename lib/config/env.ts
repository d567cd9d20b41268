// The only module that reads process.env. Everything else imports `env` (or calls
// parseEnv in tests), so every setting is validated once, with a message that names the
// variable, before the server takes a request.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { isIP } from "node:net";
import { z } from "zod";

const seconds = (fallback: number) => z.coerce.number().positive().max(86_400).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const list = z
  .string()
  .default("")
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));
const optionalSecret = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));
const httpUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/ })
    .default(fallback)
    .transform((s) => s.replace(/\/+$/, ""));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  // Port the server listens on (0 picks a free one; tests use that).
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  // Interface to bind; 127.0.0.1 keeps the server private behind a local Nginx.
  HOST: z.string().min(1).default("0.0.0.0"),
  // Where the embedded database, the generated SECRET_KEY and the CLI's local credential live.
  DATA_DIR: z.string().min(1).default("./data"),
  // Unset: embedded PGlite in DATA_DIR. postgresql://…: a PostgreSQL 12+ server. pglite:<dir>: PGlite elsewhere.
  DATABASE_URL: z
    .string()
    .optional()
    .transform((s) => (s && s.trim() ? s.trim() : undefined))
    .refine((s) => s === undefined || /^(postgres(ql)?:\/\/|pglite:)/.test(s), {
      message: "must start with postgresql://, postgres:// or pglite:",
    }),
  // Connections per app instance in the PostgreSQL pool.
  DATABASE_POOL_SIZE: positiveInt(10),
  // Seconds to wait for a free pooled connection before failing the query.
  DATABASE_POOL_TIMEOUT: seconds(10),
  // Signs console sessions. Required in production on PostgreSQL; generated into DATA_DIR otherwise.
  SECRET_KEY: optionalSecret,
  // redis://… shares rate limits between instances; unset keeps them in memory (one instance).
  REDIS_URL: z
    .string()
    .optional()
    .transform((s) => (s && s.trim() ? s.trim() : undefined))
    .refine((s) => s === undefined || /^rediss?:\/\//.test(s), { message: "must start with redis:// or rediss://" }),
  // The providers' own keys: they stay on the server and are never shown to anyone.
  OPENAI_API_KEY: optionalSecret,
  ANTHROPIC_API_KEY: optionalSecret,
  GOOGLE_API_KEY: optionalSecret,
  // Upstream addresses; tests and private deployments point these elsewhere.
  OPENAI_BASE_URL: httpUrl("https://api.openai.com/v1"),
  ANTHROPIC_BASE_URL: httpUrl("https://api.anthropic.com"),
  GOOGLE_BASE_URL: httpUrl("https://generativelanguage.googleapis.com"),
  // Host names the server answers to (comma-separated; loopback always); empty accepts any.
  ALLOWED_HOSTS: list,
  // Default e-mail for `create-admin` when --email is not given.
  ADMIN_EMAIL: z.email().optional().or(z.literal("").transform(() => undefined)),
  // Default daily request quota for new keys.
  DEFAULT_RATE_LIMIT: positiveInt(1000),
  // Default requests per RATE_LIMIT_WINDOW for new keys.
  DEFAULT_WINDOW_LIMIT: positiveInt(60),
  // Longest (and default) lifetime of a key, in days.
  MAX_TOKEN_AGE: positiveInt(365),
  // Length of the per-key rate-limit window, in seconds.
  RATE_LIMIT_WINDOW: z.coerce.number().int().positive().max(86_400).default(60),
  // Peers allowed to set X-Forwarded-For (IPs or CIDRs); the default trusts a proxy on the same host.
  TRUSTED_PROXIES: z
    .string()
    .default("127.0.0.1,::1")
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .refine((xs) => xs.every(isAddressOrCidr), { message: "must be a comma-separated list of IP addresses or CIDR ranges" }),
  // Largest accepted /v1 request body, in bytes (images arrive base64-encoded).
  MAX_REQUEST_BODY_BYTES: positiveInt(10 * 1024 * 1024),
  // Seconds a client may pause while sending a /v1 request body before it gets a 408;
  // without it a stalled upload holds its connection for Node's 300 s request timeout.
  REQUEST_BODY_TIMEOUT: seconds(30),
  // Seconds to open a connection to a provider.
  UPSTREAM_CONNECT_TIMEOUT: seconds(10),
  // Seconds to wait for a provider's response headers (its first byte).
  UPSTREAM_TIMEOUT: seconds(120),
  // Seconds a streamed response may stay silent before it is cut off.
  UPSTREAM_IDLE_TIMEOUT: seconds(60),
  // Bytes of request records the journal under DATA_DIR may hold while the database is
  // unreachable (lib/usage/journal.ts); past it, records are kept in memory while there is room.
  JOURNAL_MAX_BYTES: positiveInt(1024 * 1024 * 1024),
  // Milliseconds between fsyncs of the journal: what a machine crash (not a killed process) can lose.
  JOURNAL_FSYNC_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  // Days request_logs rows are kept (0 keeps them forever); the hourly statistics stay.
  REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  // Days events are kept (0 keeps them forever).
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  // Seconds SIGTERM waits for in-flight requests (streams) before exiting anyway.
  SHUTDOWN_TIMEOUT: seconds(30),
  // Least severe log line printed (lib/log.ts); debug adds one line per /v1 request.
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

/** Every variable the server reads (the README's configuration table and .env.example list them). */
export const ENV_VARIABLES = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

export type Env = z.infer<typeof schema> & {
  /** Resolved DATABASE_URL: postgres URL or `pglite:<absolute dir>`. */
  databaseUrl: string;
  database: "postgres" | "pglite";
  /** Absolute DATA_DIR. */
  dataDir: string;
  SECRET_KEY: string;
  /** Where SECRET_KEY came from, for the start-up log. */
  secretSource: "environment" | "data-dir";
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

function isAddressOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split("/");
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

const PLACEHOLDER_SECRETS = new Set(["change-me", "changeme", "secret", "please-change-me"]);

/** Validates an environment. Throws ConfigError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>, cwd = process.cwd()): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  let databaseUrl = e.DATABASE_URL ?? `pglite:${join(dataDir, "pglite")}`;
  if (databaseUrl.startsWith("pglite:")) {
    const dir = databaseUrl.slice("pglite:".length);
    if (dir !== "memory://") databaseUrl = `pglite:${isAbsolute(dir) ? dir : resolve(cwd, dir)}`;
  }
  const database = databaseUrl.startsWith("pglite:") ? "pglite" : "postgres";

  let secret = e.SECRET_KEY;
  let secretSource: Env["secretSource"] = "environment";
  if (secret !== undefined && (secret.length < 32 || PLACEHOLDER_SECRETS.has(secret.toLowerCase()))) {
    throw new ConfigError(
      "Invalid configuration:\n  SECRET_KEY: must be at least 32 random characters (generate one with `openssl rand -base64 48`)",
    );
  }
  if (secret === undefined) {
    if (database === "postgres" && e.NODE_ENV === "production") {
      throw new ConfigError(
        "Invalid configuration:\n  SECRET_KEY: required in production with PostgreSQL (generate one with `openssl rand -base64 48`)",
      );
    }
    secret = readOrCreateSecret(dataDir);
    secretSource = "data-dir";
  }
  return { ...e, DATABASE_URL: e.DATABASE_URL, databaseUrl, database, dataDir, SECRET_KEY: secret, secretSource };
}

function readOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, "secret_key");
  if (existsSync(file)) {
    const value = readFileSync(file, "utf8").trim();
    if (value.length >= 32) return value;
    throw new ConfigError(`Invalid configuration:\n  SECRET_KEY: ${file} holds fewer than 32 characters; delete it to generate a new one`);
  }
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(48).toString("base64url");
  // wx: two processes starting at once must not overwrite each other's secret.
  try {
    writeFileSync(file, value + "\n", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readOrCreateSecret(dataDir);
    throw error;
  }
  chmodSync(file, 0o600);
  return value;
}

let cached: Env | undefined;

/** The process's configuration, validated on first use. */
export function getEnv(): Env {
  return (cached ??= parseEnv(process.env));
}

/** Tests that change the environment call this so the next getEnv() reads it again. */
export function resetEnvForTests(): void {
  cached = undefined;
}
