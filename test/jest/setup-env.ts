// Every test process gets its own data directory and quiet logs; suites that need other
// settings change process.env and call resetEnvForTests().
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.DATA_DIR ??= mkdtempSync(join(tmpdir(), "akm-test-"));
process.env.LOG_LEVEL ??= "silent";
