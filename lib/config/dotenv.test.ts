import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDotEnv } from "./dotenv";
import { getEnv, resetEnvForTests } from "./env";

describe(".env files", () => {
  afterEach(() => {
    for (const name of ["DEFAULT_RATE_LIMIT", "MAX_TOKEN_AGE", "DEFAULT_WINDOW_LIMIT"]) delete process.env[name];
    resetEnvForTests();
  });

  it("are read from the project directory, and the process's own environment wins", () => {
    const dir = mkdtempSync(join(tmpdir(), "akm-dotenv-"));
    // Jest runs with NODE_ENV=test, so Next's loader reads .env.test and .env (not .env.local).
    writeFileSync(join(dir, ".env"), "DEFAULT_RATE_LIMIT=77\nMAX_TOKEN_AGE=200\nDEFAULT_WINDOW_LIMIT=5\n");
    writeFileSync(join(dir, ".env.test"), "DEFAULT_WINDOW_LIMIT=6\n");
    process.env.MAX_TOKEN_AGE = "9";
    loadDotEnv(dir);
    resetEnvForTests();
    expect(getEnv()).toMatchObject({ DEFAULT_RATE_LIMIT: 77, MAX_TOKEN_AGE: 9, DEFAULT_WINDOW_LIMIT: 6 });
  });
});
