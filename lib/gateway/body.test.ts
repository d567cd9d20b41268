import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { nestsDeeperThan, parseChatRequest, readJsonBody, type BodySource } from "./body";
import { GatewayError } from "./errors";

// A body as node:http hands it over: a stream with the request's headers.
const request = (body: BodyInit | null, headers: Record<string, string> = {}): BodySource => {
  const web = new Request("http://gw.test/v1/chat/completions", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  const stream = web.body ? Readable.fromWeb(web.body as NodeReadableStream<Uint8Array>) : Readable.from([]);
  return Object.assign(stream, { headers: Object.fromEntries(web.headers) });
};

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

  it("refuses JSON nested deeper than 128 levels before parsing it (400), and accepts 128", async () => {
    const nested = (depth: number) => `{"model":"m","messages":[{"content":${"[".repeat(depth - 3)}${"]".repeat(depth - 3)}}]}`;
    expect(await readJsonBody(request(nested(128)), 1e6)).toMatchObject({ model: "m" });
    const deep = await failure(readJsonBody(request(nested(129)), 1e6));
    expect(deep).toMatchObject({ code: "invalid_request", message: "The request body is nested more than 128 levels deep." });
    // Brackets inside strings, escaped quotes included, are text, not nesting.
    const text = JSON.stringify({ model: "m", messages: [{ content: `"\\"${"[".repeat(500)}\\` }] });
    expect(nestsDeeperThan(text, 128)).toBe(false);
    expect(await readJsonBody(request(text), 1e6)).toEqual(JSON.parse(text));
    expect(nestsDeeperThan("[".repeat(129), 128)).toBe(true);
    expect(nestsDeeperThan('["unterminated', 128)).toBe(false);
  });

  it("answers 408 when the client stops sending its body for the idle time, however long the body takes in all", async () => {
    let send!: (text: string) => void;
    const trickle = new ReadableStream<Uint8Array>({
      start(c) {
        send = (text) => c.enqueue(new TextEncoder().encode(text));
      },
    });
    jest.useFakeTimers();
    try {
      let settled = false;
      const reading = failure(readJsonBody(request(trickle), 1e6, 200)).finally(() => (settled = true));
      // Each part arrives within the idle time; the whole takes longer than it.
      for (const part of ['{"model":', '"m",', '"messages"']) {
        await jest.advanceTimersByTimeAsync(150);
        expect(settled).toBe(false);
        send(part);
      }
      await jest.advanceTimersByTimeAsync(150);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(50);
      const stalled = await reading;
      expect(stalled).toMatchObject({ code: "request_timeout", message: "The client sent no part of the request body for 0.2 s (REQUEST_BODY_TIMEOUT)." });
      expect(stalled.status).toBe(408);
    } finally {
      jest.useRealTimers();
    }
  });

  it("records a client that goes away while sending its body as a closed request, not our error", async () => {
    let fail!: (error: Error) => void;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"model":'));
        fail = (error) => c.error(error);
      },
    });
    const reading = failure(readJsonBody(request(body), 1e6));
    fail(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    expect((await reading).code).toBe("client_closed_request");
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
