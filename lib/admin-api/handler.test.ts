import { resetEnvForTests } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { markPeerHeaderTrusted, PEER_HEADER } from "@/lib/http/client-ip";
import { createToken, issueLocalToken, revokeToken } from "@/lib/tokens/service";
import { useTestDb } from "@/test/helpers/db";
import { MAX_BODY_BYTES } from "./body";
import { withAdminApi, type AdminContext } from "./handler";
import { json } from "./respond";

const db = useTestDb();
const cli = { actor: "cli" };
let token: string;

beforeAll(async () => {
  token = (await createToken({ name: "deploy" }, cli)).secret;
});

/** A fresh local CLI credential, as the server issues it at start. */
async function localToken(): Promise<string> {
  await issueLocalToken(process.env.DATA_DIR!);
  const { readFileSync } = await import("node:fs");
  return readFileSync(`${process.env.DATA_DIR}/cli-token`, "utf8").trim();
}

function request(init: RequestInit & { bearer?: string | null } = {}, path = "/api/admin/test"): Request {
  const headers = new Headers(init.headers);
  const bearer = init.bearer === undefined ? token : init.bearer;
  if (bearer !== null) headers.set("authorization", `Bearer ${bearer}`);
  return new Request(`http://localhost${path}`, { ...init, headers });
}

const noParams = { params: Promise.resolve({}) };

// A handler that reports what the wrapper handed it.
const echo = withAdminApi(async (ctx: AdminContext<Record<string, never>>) =>
  json({ actor: ctx.who.actor, ip: ctx.who.ip, query: ctx.query, body: ctx.request.method === "GET" ? null : await ctx.body() }),
);

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string; issues: unknown[]; requestId?: string } }).error;
}

describe("withAdminApi: authentication", () => {
  it("answers a request without credentials with 401 and a Bearer challenge", async () => {
    const response = await echo(request({ bearer: null }), noParams);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api-key-manager"');
    expect(await errorOf(response)).toMatchObject({ code: "unauthorized", message: expect.stringContaining("Authorization: Bearer") });
  });

  it.each([
    ["an unknown token", () => "akm_mt_" + "A".repeat(46)],
    ["an API key instead of a token", () => "sk-akm_" + "A".repeat(46)],
    ["garbage", () => "not-a-token"],
  ])("refuses %s with 401 invalid_token", async (_, secret) => {
    const response = await echo(request({ bearer: secret() }), noParams);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api-key-manager", error="invalid_token"');
    expect((await errorOf(response)).code).toBe("unauthorized");
  });

  it("refuses an Authorization header of another scheme", async () => {
    const response = await echo(request({ bearer: null, headers: { authorization: `Basic ${btoa("a:b")}` } }), noParams);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("refuses a revoked token", async () => {
    const { token: view, secret } = await createToken({ name: "short-lived" }, cli);
    expect((await echo(request({ bearer: secret }), noParams)).status).toBe(200);
    await revokeToken(view.id, cli);
    expect((await echo(request({ bearer: secret }), noParams)).status).toBe(401);
  });

  it("names the token as the actor, and the local CLI credential as cli", async () => {
    const response = await echo(request(), noParams);
    expect(response.status).toBe(200);
    expect((await response.json()).actor).toBe("token:deploy");

    markPeerHeaderTrusted();
    expect((await (await echo(request({ bearer: await localToken(), headers: { [PEER_HEADER]: "127.0.0.1" } }), noParams)).json()).actor).toBe("cli");
  });

  it("accepts the local CLI credential only from loopback, as our server saw the socket", async () => {
    const local = await localToken();
    const from = (peer: string | null, headers: Record<string, string> = {}) =>
      echo(request({ bearer: local, headers: { ...(peer === null ? {} : { [PEER_HEADER]: peer }), ...headers } }), noParams).then((r) => r.status);
    markPeerHeaderTrusted();
    expect(await from("127.0.0.1")).toBe(200);
    expect(await from("::1")).toBe(200);
    expect(await from("::ffff:127.0.0.1")).toBe(200);
    // Next fills X-Forwarded-For with the socket's address when the client sent none.
    expect(await from("127.0.0.1", { "x-forwarded-for": "127.0.0.1" })).toBe(200);
    expect(await from("192.0.2.10")).toBe(401);
    expect(await from("192.0.2.10", { "x-forwarded-for": "127.0.0.1" })).toBe(401);
    expect(await from(null)).toBe(401);
    // A proxy on this machine forwarding someone else's request.
    expect(await from("127.0.0.1", { "x-forwarded-for": "203.0.113.9" })).toBe(401);
    expect(await from("127.0.0.1", { "x-forwarded-for": "203.0.113.9, 127.0.0.1" })).toBe(401);
    expect(await from("127.0.0.1", { "x-real-ip": "203.0.113.9" })).toBe(401);
    expect(await from("127.0.0.1", { forwarded: "for=203.0.113.9" })).toBe(401);
    const refusal = await echo(request({ bearer: local, headers: { [PEER_HEADER]: "192.0.2.10" } }), noParams);
    expect((await errorOf(refusal)).message).toMatch(/only from this machine's loopback/);
    const events = await db.prisma.event.findMany({ where: { type: "local_credential_refused" } });
    expect(events).toHaveLength(8);
    expect(events[0]).toMatchObject({ category: "security", level: "warn", clientIp: "192.0.2.10" });
    // An ordinary management token is not bound to an address.
    expect((await echo(request({ headers: { [PEER_HEADER]: "192.0.2.10" } }), noParams)).status).toBe(200);
  });

  it("records when a token was last used", async () => {
    const { token: view, secret } = await createToken({ name: "tracked" }, cli);
    await echo(request({ bearer: secret }), noParams);
    const { waitFor } = await import("@/test/helpers/ports");
    await waitFor("lastUsedAt", async () => {
      const row = await db.prisma.managementToken.findUniqueOrThrow({ where: { id: view.id } });
      if (!row.lastUsedAt) throw new Error("not yet");
    });
  });
});

describe("withAdminApi: requests and errors", () => {
  it("parses the query string and the JSON body, and sets the request id and no-store", async () => {
    const response = await echo(request({ method: "POST", body: JSON.stringify({ a: [1, 2] }) }, "/api/admin/test?page=2&search=x"), noParams);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ query: { page: "2", search: "x" }, body: { a: [1, 2] } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("reads an empty body as {}", async () => {
    const response = await echo(request({ method: "POST" }), noParams);
    expect((await response.json()).body).toEqual({});
  });

  it("answers invalid JSON with 400 invalid_json without quoting the body", async () => {
    const response = await echo(request({ method: "POST", body: '{"password": "hunter22-secret",' }), noParams);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: "invalid_json", issues: [] });
    expect(error.message).not.toContain("hunter22");
  });

  it("refuses a body over the limit with 413, declared or streamed", async () => {
    const big = JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES) });
    const declared = await echo(request({ method: "POST", body: big }), noParams);
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe("payload_too_large");

    // Chunked, with no Content-Length: the limit applies while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(8 * 1024)));
        controller.close();
      },
    });
    const streamed = await echo(request({ method: "POST", body: stream, duplex: "half" } as RequestInit), noParams);
    expect(streamed.status).toBe(413);
  });

  it.each([
    ["invalid_input", 400],
    ["unauthorized", 401],
    ["forbidden", 403],
    ["not_found", 404],
    ["conflict", 409],
    ["rate_limited", 429],
    ["unavailable", 503],
  ] as const)("maps AppError %s to %i with the error body", async (code, status) => {
    const handler = withAdminApi(async () => {
      throw new AppError(code, `it was ${code}`, code === "invalid_input" ? [{ field: "name", message: "must not be empty" }] : []);
    });
    const response = await handler(request(), noParams);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({
      error: { code, message: `it was ${code}`, issues: code === "invalid_input" ? [{ field: "name", message: "must not be empty" }] : [] },
    });
  });

  it("turns an unexpected error into a logged 500 that shows no internals", async () => {
    const logged = jest.spyOn(console, "error").mockImplementation(() => undefined);
    process.env.LOG_LEVEL = "error"; // tests run silent otherwise
    resetEnvForTests();
    try {
      const handler = withAdminApi(async () => {
        throw new Error("connect ECONNREFUSED 10.0.0.5:5432 password=swordfish");
      });
      const response = await handler(request(), noParams);
      expect(response.status).toBe(500);
      const requestId = response.headers.get("x-request-id")!;
      const text = await response.text();
      expect(text).not.toMatch(/ECONNREFUSED|swordfish|10\.0\.0\.5/);
      expect(JSON.parse(text).error).toMatchObject({ code: "internal_error", requestId });
      expect(logged).toHaveBeenCalledWith(expect.stringContaining(requestId), expect.objectContaining({ message: expect.stringContaining("ECONNREFUSED") }));
    } finally {
      logged.mockRestore();
      process.env.LOG_LEVEL = "silent";
      resetEnvForTests();
    }
  });

  it("gives the handler the client address from our server's peer header", async () => {
    markPeerHeaderTrusted();
    const response = await echo(request({ headers: { [PEER_HEADER]: "203.0.113.9", "x-forwarded-for": "198.51.100.1" } }), noParams);
    // The peer is not a trusted proxy, so X-Forwarded-For is ignored.
    expect((await response.json()).ip).toBe("203.0.113.9");
  });
});
