// The production topology with real parts: Nginx with TLS (deploy/nginx/api-key-manager.conf,
// the file operators deploy) balancing two app instances that share PostgreSQL and Redis,
// and the official openai client as the consumer.
import OpenAI, { PermissionDeniedError, RateLimitError } from "openai";
import { Agent, fetch as undiciFetch } from "undici";
import { startNginx, type NginxServer } from "@/test/helpers/nginx";
import { waitFor } from "@/test/helpers/ports";
import { requestLog, startGatewayHarness, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
let nginx: NginxServer;
let tls: Agent;

beforeAll(async () => {
  h = await startGatewayHarness({ redis: true });
  const [first, second] = await Promise.all([h.startServer(), h.startServer()]);
  nginx = await startNginx([first.url, second.url]);
  tls = new Agent({ connect: { ca: nginx.ca } });
}, 180_000);
afterAll(async () => {
  await nginx?.stop();
  await h?.close();
  await tls?.close();
});

const messages = [{ role: "user" as const, content: "hello through nginx" }];
// The client trusts the test's self-signed certificate through undici's dispatcher option.
const viaNginx = (secret: string, headers: Record<string, string> = {}) =>
  new OpenAI({
    apiKey: secret,
    baseURL: `${nginx.httpsUrl}/v1`,
    maxRetries: 0,
    defaultHeaders: headers,
    fetchOptions: { dispatcher: tls },
  });

describe("behind Nginx with TLS", () => {
  it("redirects plain HTTP to HTTPS", async () => {
    const res = await fetch(`${nginx.httpUrl}/admin`, { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`${nginx.httpsUrl}/admin`);
  });

  it("serves the app over TLS", async () => {
    const res = await undiciFetch(`${nginx.httpsUrl}/api/health`, { dispatcher: tls });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers completions over TLS and records the client's address, not one it claims", async () => {
    const { id, secret } = await h.createKey({ name: "nginx", allowedIps: ["127.0.0.1"] });
    const { data, response } = await viaNginx(secret, { "x-forwarded-for": "10.9.9.9" })
      .chat.completions.create({ model: "gpt-4o-mini", messages })
      .withResponse();
    expect(data.choices[0].message.content).toBe("word0 word1 word2 ");
    const log = await waitFor("the request log", async () => (await requestLog(response.headers.get("x-request-id")!)) ?? Promise.reject(new Error("not yet")));
    expect(log).toMatchObject({ keyId: id, status: 200, clientIp: "127.0.0.1" });
  });

  it("refuses a key allowlisted for another address even when the client claims that address", async () => {
    const { secret } = await h.createKey({ name: "nginx-elsewhere", allowedIps: ["10.9.9.9"] });
    const error = await viaNginx(secret, { "x-forwarded-for": "10.9.9.9", "x-real-ip": "10.9.9.9" })
      .chat.completions.create({ model: "gpt-4o-mini", messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
  });

  it("streams through Nginx without buffering: the first chunk arrives while the upstream is still open", async () => {
    const { secret } = await h.createKey({ name: "nginx-stream" });
    const stream = await viaNginx(secret).chat.completions.create({ model: "gpt-4o-mini:gate:chunks=4", messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const seen: string[] = [];
    // The fake holds the rest of the stream until openGate(): these chunks passed Nginx alone.
    for (let i = 0; i < 2; i++) seen.push((await iterator.next()).value.choices[0].delta.content ?? "");
    expect(h.fake.requests.at(-1)!.state).toBe("open");
    h.fake.openGate();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(next.value.choices[0]?.delta.content ?? "");
    expect(seen.join("")).toBe("word0 word1 word2 word3 ");
  });

  it("applies one rate limit across both instances behind the balancer", async () => {
    const { secret } = await h.createKey({ name: "nginx-limit", rateLimit: 5 });
    const client = viaNginx(secret);
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      outcomes.push(
        await client.chat.completions.create({ model: "gpt-4o-mini", messages }).then(
          () => "ok",
          (e: unknown) => (e instanceof RateLimitError ? "429" : String(e)),
        ),
      );
    }
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(5);
    expect(outcomes.filter((o) => o === "429")).toHaveLength(5);
  });
});
