// The management API's record lists (lib/usage/request-log-reads.ts, lib/events/repository.ts)
// against a small, fully known log. Run on embedded PGlite by the unit suite and on a real
// PostgreSQL by the integration suite.
import type { PrismaClient } from "@/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { ListEventsQuery } from "@/lib/events/event-list-schema";
import { listEventLog } from "@/lib/events/repository";
import { encodeCursor } from "@/lib/pagination";
import { listRequestLog } from "@/lib/usage/request-log-reads";
import type { ListRequestsQuery } from "@/lib/usage/request-list-schema";
import { fakeOpenAIKey } from "@/test/helpers/fake-secrets";

const at = (iso: string) => new Date(iso);
const T = (minute: number) => at(`2026-07-01T10:${String(minute).padStart(2, "0")}:00.000Z`);
// Three requests recorded in the same millisecond: only the id orders them.
const TIE = at("2026-07-01T10:30:00.123Z");
const LEAK = fakeOpenAIKey("LEAKEDLEAKEDLEAKED12345");

/** Every page of a list, following nextCursor; asserts the pages neither overlap nor skip. */
async function walk<T>(list: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    pages++;
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && pages < 100);
  return { items, pages };
}

function issuesOf(error: unknown): { field: string; message: string }[] {
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("invalid_input");
  return (error as AppError).issues;
}

async function refusal(promise: Promise<unknown>) {
  return issuesOf(await promise.then(() => null, (e: unknown) => e));
}

export function describeRecordLists(db: () => PrismaClient): void {
  beforeAll(async () => {
    const expiresAt = at("2027-07-01T00:00:00Z");
    await db().apiKey.createMany({
      data: [
        { id: "rk_alpha", name: "alpha", prefix: "sk-akm_Alpha1", hash: "a".repeat(64), expiresAt, dailyLimit: 10, rateLimit: 10 },
        { id: "rk_beta", name: "beta", prefix: "sk-akm_Beta22", hash: "b".repeat(64), expiresAt, dailyLimit: 10, rateLimit: 10 },
      ],
    });
    const base = { path: "/v1/chat/completions", latencyMs: 10, stream: false };
    await db().requestLog.createMany({
      data: [
        { ...base, createdAt: T(1), requestId: "rq-1", keyId: "rk_alpha", model: "gpt-4o-mini", provider: "openai", status: 200, promptTokens: 3, completionTokens: 5, ttfbMs: 4, clientIp: "203.0.113.1" },
        { ...base, createdAt: T(2), requestId: "rq-2", keyId: null, status: 401, errorCode: "invalid_api_key", errorMessage: `bad key ${LEAK}`, clientIp: "203.0.113.2" },
        { ...base, createdAt: T(3), requestId: "rq-3", keyId: "rk_beta", model: "claude-sonnet-4-5", provider: "anthropic", status: 503, errorCode: "provider_not_configured", clientIp: "203.0.113.3" },
        { ...base, createdAt: TIE, requestId: "rq-tie-a", keyId: "rk_alpha", model: "gpt-4o-mini", provider: "openai", status: 200, stream: true },
        { ...base, createdAt: TIE, requestId: "rq-tie-b", keyId: "rk_alpha", model: "gpt-4o-mini", provider: "openai", status: 429, errorCode: "rate_limit_exceeded" },
        { ...base, createdAt: TIE, requestId: "rq-tie-c", keyId: "rk_beta", model: "gemini-2.5-flash", provider: "gemini", status: 200 },
        { ...base, createdAt: T(40), requestId: "rq-7", keyId: "rk_beta", model: "gpt-4o", provider: "openai", status: 502, errorCode: "upstream_unreachable" },
      ],
    });
    await db().event.createMany({
      data: [
        { createdAt: T(2), category: "security", level: "warn", type: "invalid_api_key", message: "Incorrect API key provided.", clientIp: "203.0.113.2", requestId: "rq-2", details: { code: "invalid_api_key" } },
        { createdAt: T(3), category: "system", level: "error", type: "provider_not_configured", message: "ANTHROPIC_API_KEY is not set", keyId: "rk_beta", clientIp: "203.0.113.3", requestId: "rq-3" },
        { createdAt: TIE, category: "security", level: "warn", type: "rate_limited", message: "Rate limit reached", keyId: "rk_alpha", requestId: "rq-tie-b" },
        { createdAt: TIE, category: "security", level: "info", type: "signin_failed", message: "Failed sign-in", clientIp: "2001:db8::7" },
        {
          createdAt: T(40),
          category: "system",
          level: "error",
          type: "upstream_error",
          message: `OpenAI said: Authorization: Bearer ${LEAK}`,
          keyId: "rk_beta",
          requestId: "rq-7",
          details: { apiKey: LEAK, nested: [`key ${LEAK}`] },
        },
      ],
    });
  });

  const requests = (q: ListRequestsQuery = {}) => listRequestLog(q);
  const events = (q: ListEventsQuery = {}) => listEventLog(q);
  const ids = (page: { items: { requestId: string }[] }) => page.items.map((r) => r.requestId);

  describe("requests", () => {
    it("lists newest first, ties in the same millisecond by insertion, with the key's display prefix and nothing secret", async () => {
      const page = await requests();
      expect(ids(page)).toEqual(["rq-7", "rq-tie-c", "rq-tie-b", "rq-tie-a", "rq-3", "rq-2", "rq-1"]);
      expect(page.nextCursor).toBeNull();
      expect(page.items.at(-1)).toEqual({
        requestId: "rq-1",
        createdAt: "2026-07-01T10:01:00.000Z",
        keyId: "rk_alpha",
        keyPrefix: "sk-akm_Alpha1",
        model: "gpt-4o-mini",
        provider: "openai",
        status: 200,
        errorCode: null,
        latencyMs: 10,
        ttfbMs: 4,
        promptTokens: 3,
        completionTokens: 5,
        clientIp: "203.0.113.1",
        stream: false,
      });
      expect(page.items.find((r) => r.requestId === "rq-2")).toMatchObject({ keyId: null, keyPrefix: null, status: 401, errorCode: "invalid_api_key" });
      const text = JSON.stringify(page);
      expect(text).not.toContain("a".repeat(64));
      expect(text).not.toContain(LEAK);
    });

    it("filters by key, model, provider, status, request id and time range (from inclusive, to exclusive)", async () => {
      expect(ids(await requests({ keyId: "rk_alpha" }))).toEqual(["rq-tie-b", "rq-tie-a", "rq-1"]);
      expect(ids(await requests({ model: "gpt-4o-mini" }))).toEqual(["rq-tie-b", "rq-tie-a", "rq-1"]);
      expect(ids(await requests({ provider: "openai", status: "200" }))).toEqual(["rq-tie-a", "rq-1"]);
      expect(ids(await requests({ status: "503" }))).toEqual(["rq-3"]);
      expect(ids(await requests({ requestId: "rq-tie-c" }))).toEqual(["rq-tie-c"]);
      expect(ids(await requests({ from: "2026-07-01T10:02:00Z", to: "2026-07-01T10:30:00.123Z" }))).toEqual(["rq-3", "rq-2"]);
      expect(ids(await requests({ from: "2026-07-01T12:02:00+02:00" }))).toEqual(["rq-7", "rq-tie-c", "rq-tie-b", "rq-tie-a", "rq-3", "rq-2"]);
      expect(ids(await requests({ keyId: "rk_nobody" }))).toEqual([]);
    });

    it("pages through ties without repeating or skipping a row, and says when the last page is reached", async () => {
      for (const limit of [1, 2, 3, 6, 7]) {
        const { items, pages } = await walk((cursor) => requests({ limit: String(limit), cursor }));
        expect(items.map((r) => r.requestId)).toEqual(["rq-7", "rq-tie-c", "rq-tie-b", "rq-tie-a", "rq-3", "rq-2", "rq-1"]);
        expect(pages).toBe(Math.ceil(7 / limit));
      }
      const filtered = await walk((cursor) => requests({ keyId: "rk_alpha", limit: "1", cursor }));
      expect(filtered.items.map((r) => r.requestId)).toEqual(["rq-tie-b", "rq-tie-a", "rq-1"]);
    });

    it("keeps the next page the same when requests are recorded meanwhile, even in the cursor's own millisecond", async () => {
      const first = await requests({ limit: "3" });
      expect(ids(first)).toEqual(["rq-7", "rq-tie-c", "rq-tie-b"]);
      // Written after the first page was read: one newer than everything, one in the tie's millisecond.
      await db().requestLog.createMany({
        data: [
          { createdAt: T(50), requestId: "rq-late-new", path: "/v1/chat/completions", status: 200, latencyMs: 1 },
          { createdAt: TIE, requestId: "rq-late-tie", path: "/v1/chat/completions", status: 200, latencyMs: 1 },
        ],
      });
      try {
        const rest = await walk((cursor) => requests({ limit: "3", cursor: cursor ?? first.nextCursor! }));
        expect(rest.items.map((r) => r.requestId)).toEqual(["rq-tie-a", "rq-3", "rq-2", "rq-1"]);
        // A new first page shows both.
        expect(ids(await requests({ limit: "4" }))).toEqual(["rq-late-new", "rq-7", "rq-late-tie", "rq-tie-c"]);
      } finally {
        await db().requestLog.deleteMany({ where: { requestId: { startsWith: "rq-late-" } } });
      }
    });

    it("refuses bad values with one issue naming each parameter", async () => {
      const cases: [ListRequestsQuery, string, RegExp][] = [
        [{ from: "yesterday" }, "from", /ISO 8601/],
        [{ to: "2026-02-30T00:00:00Z" }, "to", /ISO 8601/],
        [{ from: "2026-07-01T10:00:00" }, "from", /time zone/],
        [{ limit: "0" }, "limit", /1 to 1000/],
        [{ limit: "5000" }, "limit", /at most 1000/],
        [{ limit: "ten" }, "limit", /whole number/],
        [{ cursor: "garbled" }, "cursor", /not a cursor/],
        [{ cursor: Buffer.from("v1.abc.1").toString("base64url") }, "cursor", /not a cursor/],
        [{ status: "abc" }, "status", /HTTP status/],
        [{ status: "99" }, "status", /HTTP status/],
        [{ keyId: "" }, "keyId", /empty/],
        [{ from: "2026-07-02", to: "2026-07-01" }, "to", /later than from/],
      ];
      for (const [query, field, message] of cases) {
        expect({ query, issues: await refusal(requests(query)) }).toEqual({ query, issues: [{ field, message: expect.stringMatching(message) }] });
      }
      const unknown = await refusal(requests({ clientIp: "1.2.3.4" } as ListRequestsQuery));
      expect(unknown).toEqual([{ field: "(body)", message: "unknown field(s): clientIp" }]);
    });
  });

  describe("events", () => {
    const types = (page: { items: { type: string }[] }) => page.items.map((e) => e.type);

    it("lists newest first with every field, masking anything shaped like a secret", async () => {
      const page = await events();
      expect(types(page)).toEqual(["upstream_error", "signin_failed", "rate_limited", "provider_not_configured", "invalid_api_key"]);
      expect(page.items.at(-1)).toEqual({
        id: expect.stringMatching(/^\d+$/),
        createdAt: "2026-07-01T10:02:00.000Z",
        category: "security",
        level: "warn",
        type: "invalid_api_key",
        message: "Incorrect API key provided.",
        keyId: null,
        clientIp: "203.0.113.2",
        requestId: "rq-2",
        details: { code: "invalid_api_key" },
      });
      const leaky = page.items[0];
      expect(leaky.message).toBe("OpenAI said: Authorization: Bearer [REDACTED]");
      expect(leaky.details).toEqual({ apiKey: "[REDACTED]", nested: ["key sk-proj-…[REDACTED]"] });
      expect(JSON.stringify(page)).not.toContain(LEAK);
    });

    it("filters by category, level, type, key, client IP and time range", async () => {
      expect(types(await events({ category: "system" }))).toEqual(["upstream_error", "provider_not_configured"]);
      expect(types(await events({ category: "security", level: "warn" }))).toEqual(["rate_limited", "invalid_api_key"]);
      expect(types(await events({ level: "info" }))).toEqual(["signin_failed"]);
      expect(types(await events({ type: "rate_limited" }))).toEqual(["rate_limited"]);
      expect(types(await events({ keyId: "rk_beta" }))).toEqual(["upstream_error", "provider_not_configured"]);
      expect(types(await events({ clientIp: "203.0.113.3" }))).toEqual(["provider_not_configured"]);
      // As a dual-stack socket reports an IPv4 peer, and an IPv6 address in capitals.
      expect(types(await events({ clientIp: "::ffff:203.0.113.2" }))).toEqual(["invalid_api_key"]);
      expect(types(await events({ clientIp: "2001:DB8::7" }))).toEqual(["signin_failed"]);
      expect(types(await events({ from: "2026-07-01T10:03:00Z", to: "2026-07-01T10:40:00Z" }))).toEqual(["signin_failed", "rate_limited", "provider_not_configured"]);
    });

    it("pages through ties without repeating or skipping an event", async () => {
      const all = (await events()).items.map((e) => e.id);
      for (const limit of [1, 2, 4]) {
        const { items } = await walk((cursor) => events({ limit: String(limit), cursor }));
        expect(items.map((e) => e.id)).toEqual(all);
      }
    });

    it("refuses bad values with one issue naming each parameter", async () => {
      const cases: [ListEventsQuery, string, RegExp][] = [
        [{ category: "audit" } as unknown as ListEventsQuery, "category", /system, security/],
        [{ level: "debug" } as unknown as ListEventsQuery, "level", /info, warn, error/],
        [{ clientIp: "300.1.1.1" }, "clientIp", /IP address/],
        [{ limit: "1001" }, "limit", /at most 1000/],
        [{ cursor: "%%%" }, "cursor", /not a cursor/],
        [{ from: "1700000000" }, "from", /ISO 8601/],
      ];
      for (const [query, field, message] of cases) {
        expect({ query, issues: await refusal(events(query)) }).toEqual({ query, issues: [{ field, message: expect.stringMatching(message) }] });
      }
    });

    it("starts a page strictly below the cursor's position (created_at, id)", async () => {
      const page = await events({ cursor: encodeCursor({ createdAt: TIE, id: 0n }) });
      expect(types(page)).toEqual(["provider_not_configured", "invalid_api_key"]);
    });
  });
}
