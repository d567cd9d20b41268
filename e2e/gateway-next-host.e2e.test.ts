// The same gateway served through Next's router (V1_DIRECT=0) instead of directly by our
// server: the route files under app/v1 must behave the same.
import { AuthenticationError } from "openai";
import { waitFor } from "@/test/helpers/ports";
import type { AppServer } from "@/test/helpers/app-server";
import { requestLog, startGatewayHarness, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
let server: AppServer;
beforeAll(async () => {
  h = await startGatewayHarness();
  server = await h.startServer({ V1_DIRECT: "0" });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const messages = [{ role: "user" as const, content: "say hello please" }];

describe("the gateway through Next's route handlers", () => {
  it("answers and records a completion with the client's address", async () => {
    const { id, secret } = await h.createKey({ name: "via-next" });
    const { data, response } = await h.client(server, secret).chat.completions.create({ model: "gpt-4o-mini", messages }).withResponse();
    expect(data.choices[0].message.content).toBe("word0 word1 word2 ");
    const log = await waitFor("the request log", async () => (await requestLog(response.headers.get("x-request-id")!)) ?? Promise.reject(new Error("not yet")));
    expect(log).toMatchObject({ keyId: id, status: 200, clientIp: "127.0.0.1" });
  });

  it("streams chunk by chunk and aborts the upstream when the client stops", async () => {
    const { secret } = await h.createKey({ name: "via-next-stream" });
    const stream = await h.client(server, secret).chat.completions.create({ model: "gpt-4o-mini:gate", messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value.choices[0].delta.role).toBe("assistant");
    const upstream = h.fake.requests.at(-1)!;
    expect(upstream.state).toBe("open");
    stream.controller.abort();
    await waitFor("the upstream request to be aborted", () => expect(upstream.state).toBe("aborted"));
  });

  it("refuses an unknown key in OpenAI's shape", async () => {
    const error = await h
      .client(server, "sk-akm_" + "A".repeat(46))
      .chat.completions.create({ model: "gpt-4o-mini", messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
  });
});
