import { parseChatRequest, readJsonBody } from "./body";
import { GatewayError } from "./errors";

const request = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://gw.test/v1/chat/completions", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function failure(promise: Promise<unknown> | (() => unknown)) {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

describe("request bodies", () => {
  it("parses JSON within the size limit", async () => {
    expect(await readJsonBody(request('{"model":"gpt-4o","messages":[]}'), 100)).toEqual({ model: "gpt-4o", messages: [] });
  });

  it("refuses a body over the limit, declared or streamed without a length (413)", async () => {
    const declared = await failure(readJsonBody(request("x".repeat(101), { "content-length": "101" }), 100));
    expect(declared.code).toBe("request_too_large");
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode("x".repeat(30)));
        c.close();
      },
    });
    const streamed = await failure(readJsonBody(request(chunked), 100));
    expect(streamed.code).toBe("request_too_large");
    expect(streamed.message).toMatch(/100 bytes \(MAX_REQUEST_BODY_BYTES\)/);
  });

  it("refuses an empty body and bad JSON (400 invalid_json)", async () => {
    expect((await failure(readJsonBody(request(null), 100))).code).toBe("invalid_json");
    const bad = await failure(readJsonBody(request('{"model":'), 100));
    expect(bad.code).toBe("invalid_json");
    expect(bad.message).toMatch(/not valid JSON/);
  });

  it("names the offending field and passes every other field through", () => {
    const cases: [unknown, string, RegExp][] = [
      [{ messages: [{}] }, "model", /'model' is required/],
      [{ model: 4, messages: [{}] }, "model", /'model' must be a string/],
      [{ model: "gpt-4o" }, "messages", /'messages' is required/],
      [{ model: "gpt-4o", messages: [] }, "messages", /at least one message/],
      [{ model: "gpt-4o", messages: [{}], stream: "yes" }, "stream", /'stream' must be true or false/],
      [{ model: "gpt-4o", messages: [{}], stream: true, stream_options: { include_usage: 1 } }, "stream_options.include_usage", /must be true or false/],
    ];
    for (const [body, param, message] of cases) {
      const error = (() => {
        try {
          parseChatRequest(body);
        } catch (e) {
          return e as GatewayError;
        }
        throw new Error(`accepted ${JSON.stringify(body)}`);
      })();
      expect(error).toMatchObject({ code: "invalid_request", options: { param } });
      expect(error.message).toMatch(message);
    }
    expect(() => parseChatRequest([1])).toThrow(/must be a JSON object/);
    const chat = parseChatRequest({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], temperature: 0.2, new_param: { x: 1 } });
    expect(chat).toEqual({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], temperature: 0.2, new_param: { x: 1 } });
  });
});
