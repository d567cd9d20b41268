// `requests list` and `events list` as real CLI processes on the embedded database with no
// server running (the path through a running server is covered by
// e2e/records-fresh-database.e2e.test.ts). The log is written in-process beforehand, at
// times relative to now so that --since/--until durations select known rows.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPrisma } from "@/lib/db/client";
import type { EventListItem } from "@/lib/events/event-list-schema";
import { generateSecret } from "@/lib/keys/format";
import type { RequestListItem } from "@/lib/usage/request-list-schema";
import { runCli, runCliBatch, runCliJson } from "@/test/helpers/cli";
import { seedDataDir } from "@/test/helpers/db";

jest.setTimeout(120_000);

let dataDir: string;
let key: { id: string; key: string };
const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "akm-cli-records-"));
  await seedDataDir(dataDir);
  key = await runCliJson<{ id: string; key: string }>(["keys", "create", "--name", "recorded"], { env: { DATA_DIR: dataDir } });
  const prisma = createPrisma(`pglite:${join(dataDir, "pglite")}`);
  try {
    const base = { path: "/v1/chat/completions", latencyMs: 12, stream: false };
    await prisma.requestLog.createMany({
      data: [
        { ...base, createdAt: ago(10), requestId: "req-newest", keyId: key.id, model: "gpt-4o-mini", provider: "openai", status: 200, promptTokens: 7, completionTokens: 9, stream: true },
        { ...base, createdAt: ago(30), requestId: "req-503", keyId: key.id, model: "claude-sonnet-4-5", provider: "anthropic", status: 503, errorCode: "provider_not_configured" },
        { ...base, createdAt: ago(120), requestId: "req-401", keyId: null, status: 401, errorCode: "invalid_api_key", clientIp: "203.0.113.9" },
        { ...base, createdAt: ago(3 * 24 * 60), requestId: "req-old", keyId: key.id, model: "gemini-2.5-flash", provider: "gemini", status: 200 },
      ],
    });
    await prisma.event.createMany({
      data: [
        { createdAt: ago(30), category: "system", level: "error", type: "provider_not_configured", message: "ANTHROPIC_API_KEY is not set", keyId: key.id, requestId: "req-503" },
        { createdAt: ago(120), category: "security", level: "warn", type: "invalid_api_key", message: "Incorrect API key provided.", clientIp: "203.0.113.9", requestId: "req-401" },
      ],
    });
  } finally {
    await prisma.$disconnect();
  }
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, { env: { DATA_DIR: dataDir } });
const cliJson = <T>(args: string[]) => runCliJson<T>(args, { env: { DATA_DIR: dataDir } });
const requestIds = async (args: string[]) => (await cliJson<RequestListItem[]>(["requests", "list", ...args])).map((r) => r.requestId);

describe("requests list", () => {
  it("prints a table, newest first, with the key's display prefix and never its secret", async () => {
    const result = await cli(["requests", "list"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+STATUS\s+KEY\s+MODEL\s+PROVIDER\s+LATENCY\s+TOKENS IN\/OUT\s+ERROR\s+REQUEST ID$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).at(-1))).toEqual(["req-newest", "req-503", "req-401", "req-old"]);
    const prefix = key.key.slice(0, 13);
    expect(lines[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+200\\s+${prefix}…\\s+gpt-4o-mini \\(stream\\)\\s+openai\\s+12 ms\\s+7/9\\s+-\\s+req-newest$`));
    expect(lines[3]).toMatch(/\s401\s+-\s+-\s+-\s+12 ms\s+-\s+invalid_api_key\s+req-401$/);
    expect(result.stdout).not.toContain(key.key.slice(13));
  });

  it("--json prints the API's items as an array", async () => {
    const items = await cliJson<RequestListItem[]>(["requests", "list", "--request-id", "req-newest"]);
    expect(items).toEqual([
      {
        requestId: "req-newest",
        createdAt: ago(10).toISOString(),
        keyId: key.id,
        keyPrefix: key.key.slice(0, 13),
        model: "gpt-4o-mini",
        provider: "openai",
        status: 200,
        errorCode: null,
        latencyMs: 12,
        ttfbMs: null,
        promptTokens: 7,
        completionTokens: 9,
        clientIp: null,
        stream: true,
      },
    ]);
  });

  it("filters by key (id or display prefix), status, model, provider and time (durations or timestamps)", async () => {
    const prefix = key.key.slice(0, 13);
    expect(await requestIds(["--key", key.id])).toEqual(["req-newest", "req-503", "req-old"]);
    expect(await requestIds(["--key", `${prefix}…`, "--since", "1h"])).toEqual(["req-newest", "req-503"]);
    expect(await requestIds(["--status", "401"])).toEqual(["req-401"]);
    expect(await requestIds(["--model", "claude-sonnet-4-5", "--provider", "anthropic"])).toEqual(["req-503"]);
    expect(await requestIds(["--since", "7d", "--until", "1h"])).toEqual(["req-401", "req-old"]);
    expect(await requestIds(["--until", ago(60 * 24).toISOString()])).toEqual(["req-old"]);
  });

  it("pages with --limit: the next page's cursor is on stderr, and --cursor continues there", async () => {
    const first = await cli(["requests", "list", "--limit", "3", "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).map((r: RequestListItem) => r.requestId)).toEqual(["req-newest", "req-503", "req-401"]);
    const cursor = /^More: run again with --cursor (\S+)\n$/.exec(first.stderr)?.[1];
    expect(cursor).toBeDefined();
    const rest = await cli(["requests", "list", "--limit", "3", "--cursor", cursor!]);
    expect(rest).toMatchObject({ code: 0, stderr: "" });
    expect(rest.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(/\s+/).at(-1))).toEqual(["req-old"]);
  });

  it("says so when nothing matches, and exits 1 for a prefix no key has", async () => {
    expect(await cli(["requests", "list", "--status", "418"])).toEqual({ code: 0, stdout: "No recorded requests match.\n", stderr: "" });
    expect(await cli(["requests", "list", "--key", "sk-akm_Zzzzzz"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: no key has the prefix sk-akm_Zzzzzz (for a deleted or rotated key's records, give its id)\n",
    });
  });
});

describe("events list", () => {
  it("prints a table, newest first, and filters by type, category, level, key and IP", async () => {
    const result = await cli(["events", "list"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+LEVEL\s+CATEGORY\s+TYPE\s+KEY\s+IP\s+REQUEST ID\s+MESSAGE$/);
    expect(lines[1]).toMatch(new RegExp(`\\serror\\s+system\\s+provider_not_configured\\s+${key.id}\\s+-\\s+req-503\\s+ANTHROPIC_API_KEY is not set$`));
    expect(lines[2]).toMatch(/\swarn\s+security\s+invalid_api_key\s+-\s+203\.0\.113\.9\s+req-401\s+Incorrect API key provided\.$/);
    expect(lines).toHaveLength(3);

    const types = async (args: string[]) => (await cliJson<EventListItem[]>(["events", "list", ...args])).map((e) => e.type);
    expect(await types(["--type", "invalid_api_key"])).toEqual(["invalid_api_key"]);
    expect(await types(["--category", "system", "--level", "error"])).toEqual(["provider_not_configured"]);
    expect(await types(["--key", key.key.slice(0, 13), "--since", "2h"])).toEqual(["provider_not_configured"]);
    expect(await types(["--ip", "::ffff:203.0.113.9"])).toEqual(["invalid_api_key"]);
    expect(await types(["--since", "1h", "--ip", "203.0.113.9"])).toEqual([]);
  });
});

describe("bad input: exit 2, a message naming the flag, no database opened", () => {
  const secret = generateSecret("apiKey").secret;
  const cases: [string, string[], string][] = [
    ["a --since that is neither", ["requests", "list", "--since", "yesterday"], 'error: --since must be a duration before now (15m, 2h, 7d) or an ISO 8601 timestamp with a time zone (2026-12-01T09:30:00Z) or date, got "yesterday"'],
    ["a time without a zone", ["events", "list", "--until", "2026-12-01T10:00:00"], "error: --until must be a duration"],
    ["--limit 0", ["requests", "list", "--limit", "0"], "error: --limit: must be a whole number from 1 to 1000"],
    ["--limit 5000", ["events", "list", "--limit", "5000"], "error: --limit: must be at most 1000"],
    ["--status abc", ["requests", "list", "--status", "abc"], "error: --status: must be an HTTP status code (100–599)"],
    ["a garbled cursor", ["requests", "list", "--cursor", "garbled"], "error: --cursor: is not a cursor this API handed out"],
    ["--level loud", ["events", "list", "--level", "loud"], "error: --level: must be one of info, warn, error"],
    ["--category", ["events", "list", "--category", "audit"], "error: --category: must be one of system, security"],
    ["--ip", ["events", "list", "--ip", "1.2.3"], 'error: --ip: must be an IP address, got "1.2.3"'],
    ["an empty --key", ["requests", "list", "--key", ""], "error: --key: must not be empty"],
    ["a flag of the other list", ["requests", "list", "--ip", "1.2.3.4"], "error: unknown option --ip"],
    ["a whole key as --key", ["requests", "list", "--key", secret], "error: --key takes a key's id or its display prefix (sk-akm_ and 6 characters), not the key itself"],
  ];

  it.each(cases)("%s", async (_name, args, message) => {
    const unused = join(dataDir, "never-created");
    const result = await runCli(args, { env: { DATA_DIR: unused } });
    expect(existsSync(join(unused, "pglite"))).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).not.toContain(secret.slice(13));
  });

  it("--help explains both commands", async () => {
    const [requests, events] = await runCliBatch([["requests", "list", "--help"], ["events", "list", "--help"]], { env: { DATA_DIR: dataDir } });
    for (const flag of ["--key", "--status", "--since", "--until", "--model", "--provider", "--request-id", "--limit", "--cursor", "--json"]) expect(requests.stdout).toContain(flag);
    for (const flag of ["--key", "--type", "--category", "--level", "--ip", "--since", "--until", "--limit", "--cursor", "--json"]) expect(events.stdout).toContain(flag);
  });
});
