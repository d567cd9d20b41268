import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseEnv } from "./env";

const dir = () => mkdtempSync(join(tmpdir(), "akm-env-"));
const message = (source: Record<string, string>) => {
  try {
    parseEnv({ DATA_DIR: dir(), ...source });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("configuration", () => {
  it("starts with nothing set: embedded database, generated secret kept in the data dir", () => {
    const data = dir();
    const env = parseEnv({ DATA_DIR: data });
    expect(env.database).toBe("pglite");
    expect(env.databaseUrl).toBe(`pglite:${join(data, "pglite")}`);
    expect(env.secretSource).toBe("data-dir");
    expect(env.SECRET_KEY.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(data, "secret_key"), "utf8").trim()).toBe(env.SECRET_KEY);
    expect(statSync(join(data, "secret_key")).mode & 0o777).toBe(0o600);
    // The same secret on the next start, so sessions survive restarts.
    expect(parseEnv({ DATA_DIR: data }).SECRET_KEY).toBe(env.SECRET_KEY);
    expect(env).toMatchObject({ PORT: 3000, DEFAULT_RATE_LIMIT: 1000, MAX_TOKEN_AGE: 365, OPENAI_BASE_URL: "https://api.openai.com/v1" });
  });

  it("names the variable in the message for each bad value", () => {
    expect(message({ PORT: "http" })).toMatch(/PORT/);
    expect(message({ DEFAULT_RATE_LIMIT: "-5" })).toMatch(/DEFAULT_RATE_LIMIT/);
    expect(message({ MAX_TOKEN_AGE: "1.5" })).toMatch(/MAX_TOKEN_AGE/);
    expect(message({ DATABASE_URL: "mysql://x" })).toMatch(/DATABASE_URL/);
    expect(message({ REDIS_URL: "localhost:6379" })).toMatch(/REDIS_URL/);
    expect(message({ OPENAI_BASE_URL: "not a url" })).toMatch(/OPENAI_BASE_URL/);
    expect(message({ TRUSTED_PROXIES: "10.0.0.0/33" })).toMatch(/TRUSTED_PROXIES/);
    expect(message({ LOG_LEVEL: "loud" })).toMatch(/LOG_LEVEL/);
    expect(message({ SECRET_KEY: "short" })).toMatch(/SECRET_KEY/);
    const both = message({ PORT: "x", RATE_LIMIT_WINDOW: "0" });
    expect(both).toMatch(/PORT/);
    expect(both).toMatch(/RATE_LIMIT_WINDOW/);
  });

  it("refuses production on PostgreSQL without a real SECRET_KEY", () => {
    const pg = { NODE_ENV: "production", DATABASE_URL: "postgresql://u@localhost/db" };
    expect(message(pg)).toMatch(/SECRET_KEY: required in production/);
    expect(message({ ...pg, SECRET_KEY: "changeme" })).toMatch(/SECRET_KEY/);
    const env = parseEnv({ ...pg, DATA_DIR: dir(), SECRET_KEY: "x".repeat(40) });
    expect(env).toMatchObject({ database: "postgres", secretSource: "environment" });
  });

  it("trims trailing slashes from base URLs and splits lists", () => {
    const env = parseEnv({ DATA_DIR: dir(), OPENAI_BASE_URL: "http://127.0.0.1:9/v1/", ALLOWED_HOSTS: "a.example, b.example,", TRUSTED_PROXIES: "10.0.0.0/8, ::1" });
    expect(env.OPENAI_BASE_URL).toBe("http://127.0.0.1:9/v1");
    expect(env.ALLOWED_HOSTS).toEqual(["a.example", "b.example"]);
    expect(env.TRUSTED_PROXIES).toEqual(["10.0.0.0/8", "::1"]);
  });

  it("gives a stalled /v1 body 30 s by default and refuses a timeout that is not a positive number", () => {
    expect(parseEnv({ DATA_DIR: dir() }).REQUEST_BODY_TIMEOUT).toBe(30);
    expect(parseEnv({ DATA_DIR: dir(), REQUEST_BODY_TIMEOUT: "2.5" }).REQUEST_BODY_TIMEOUT).toBe(2.5);
    expect(message({ REQUEST_BODY_TIMEOUT: "0" })).toMatch(/REQUEST_BODY_TIMEOUT/);
  });
});
