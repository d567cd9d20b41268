// The fake Anthropic upstream, exercised with plain fetch against the documented behaviour.
import { parseSse, SseParser } from "@/lib/providers/sse";
import { waitFor } from "@/test/helpers/ports";
import { startFakeAnthropic, type FakeAnthropic } from "./anthropic";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: "sk-ant-fake-key" });
});
afterAll(() => fake.close());

const headers = { "content-type": "application/json", "x-api-key": "sk-ant-fake-key", "anthropic-version": "2023-06-01" };
const hello = { model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "Hello there" }] };
const post = (body: unknown, extra: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify(body), ...init });

async function refusal(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  expect(body).toEqual({ type: "error", error: { type: expect.any(String), message: expect.any(String) }, request_id: expect.stringMatching(/^req_/) });
  return { status: res.status, type: body.error.type, message: body.error.message };
}

describe("fake Anthropic: authentication and versions", () => {
  it("refuses a missing or wrong key with 401 authentication_error", async () => {
    expect(await refusal(await post(hello, { "x-api-key": "" }))).toEqual({ status: 401, type: "authentication_error", message: "x-api-key header is required" });
    expect(await refusal(await post(hello, { "x-api-key": "sk-ant-wrong" }))).toEqual({ status: 401, type: "authentication_error", message: "invalid x-api-key" });
  });

  it("accepts Authorization: Bearer as the current SDKs send it; x-api-key wins when both are present", async () => {
    const bearerOnly = { "content-type": "application/json", "anthropic-version": "2023-06-01", authorization: "Bearer sk-ant-fake-key" };
    expect((await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: bearerOnly, body: JSON.stringify(hello) })).status).toBe(200);
    expect((await post(hello, { authorization: "Bearer sk-ant-fake-key", "x-api-key": "sk-ant-wrong" })).status).toBe(401);
  });

  it("requires a known anthropic-version", async () => {
    expect(await refusal(await post(hello, { "anthropic-version": "" }))).toMatchObject({ status: 400, message: "anthropic-version: header is required" });
    expect(await refusal(await post(hello, { "anthropic-version": "2024-01-01" }))).toMatchObject({ status: 400, type: "invalid_request_error" });
  });
});

describe("fake Anthropic: request validation", () => {
  it.each([
    [{ ...hello, max_tokens: undefined }, "max_tokens: Field required"],
    [{ ...hello, n: 2 }, "n: Extra inputs are not permitted"],
    [{ ...hello, messages: [] }, "messages: at least one message is required"],
    [{ ...hello, messages: [{ role: "system", content: "x" }] }, 'messages.0.role: Unexpected role "system"'],
    [{ ...hello, temperature: 1.5 }, "temperature: Input should be less than or equal to 1"],
    [{ ...hello, metadata: { user_id: "u", session: "s" } }, "metadata.session: Extra inputs are not permitted"],
    [
      { ...hello, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "Qk0=" } }] }] },
      "media_type: Input should be 'image/jpeg'",
    ],
    [{ ...hello, messages: [{ role: "user", content: [{ type: "text", text: "" }] }] }, "text content blocks must be non-empty"],
    [
      { ...hello, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_x", content: "1" }] }] },
      "unexpected `tool_use_id` found in `tool_result` blocks: toolu_x",
    ],
    [
      {
        ...hello,
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "f", input: {} }] },
          { role: "user", content: "no result" },
        ],
      },
      "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1",
    ],
    [{ ...hello, tools: [{ name: "bad name!", input_schema: { type: "object" } }] }, "String should match pattern"],
    [{ ...hello, tool_choice: { type: "any" } }, "tool_choice may only be specified while providing tools"],
  ])("refuses request %# with the real API's message", async (body, message) => {
    const result = await refusal(await post(body));
    expect(result).toMatchObject({ status: 400, type: "invalid_request_error" });
    expect(result.message).toContain(message);
  });

  it("refuses temperature, top_p and top_k under anthropic-version 2026-10-21", async () => {
    const result = await refusal(await post({ ...hello, temperature: 1 }, { "anthropic-version": "2026-10-21" }));
    expect(result).toEqual({ status: 400, type: "invalid_request_error", message: "temperature: Extra inputs are not permitted" });
    expect((await post(hello, { "anthropic-version": "2026-10-21" })).status).toBe(200);
  });

  it("answers an unknown model with 404 not_found_error", async () => {
    expect(await refusal(await post({ ...hello, model: "claude-nonexistent" }))).toEqual({ status: 404, type: "not_found_error", message: "model: claude-nonexistent" });
  });

  it("records every request, refused ones included", async () => {
    const before = fake.received.length;
    await post({ ...hello, stop_sequences: ["zz"] }, { "x-api-key": "nope" });
    const last = fake.received[before];
    expect(last).toMatchObject({ method: "POST", path: "/v1/messages", headers: { "x-api-key": "nope" }, body: { stop_sequences: ["zz"] } });
  });
});

describe("fake Anthropic: answers", () => {
  it("answers a message as JSON in the documented shape", async () => {
    const res = await post(hello);
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "Echo: Hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3, service_tier: "standard" },
    });
  });

  it("honours max_tokens and stop_sequences", async () => {
    const long = { ...hello, messages: [{ role: "user", content: "one two three four five six" }] };
    const cut = (await (await post({ ...long, max_tokens: 3 })).json()) as { content: { text: string }[]; stop_reason: string };
    expect(cut).toMatchObject({ stop_reason: "max_tokens", content: [{ text: "Echo: one two " }] });
    const stopped = (await (await post({ ...long, stop_sequences: ["four"] })).json()) as Record<string, unknown>;
    expect(stopped).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "four", content: [{ text: "Echo: one two three " }] });
  });

  it("calls a tool when tools are offered, then reports the tool's result", async () => {
    const tools = [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
    const first = (await (await post({ ...hello, tools })).json()) as { content: { type: string; id: string }[]; stop_reason: string };
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "text", text: "I'll use get_weather." },
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "get_weather", input: { city: "example" } },
    ]);
    const id = first.content[1].id;
    const second = await post({
      ...hello,
      tools,
      messages: [...hello.messages, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "21°C" }] }],
    });
    expect(await second.json()).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: "Tool results: 21°C" }] });
  });

  it("streams the documented event sequence, with text and tool input as deltas", async () => {
    const tools = [{ name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } }];
    const res = await post({ ...hello, stream: true, tools, tool_choice: { type: "auto" } });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect(JSON.parse(e.data).type).toBe(e.event);
    const json = events
      .map((e) => JSON.parse(e.data) as { delta?: { partial_json?: string } })
      .map((d) => d.delta?.partial_json ?? "")
      .join("");
    expect(JSON.parse(json)).toEqual({ q: "example" });
  });
});

describe("fake Anthropic: scripted failures", () => {
  it("answers scripted errors with the real statuses and bodies", async () => {
    fake.enqueue({ error: "rate_limit" }, { error: "overloaded" }, { error: "api_error" });
    const limited = await post(hello);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await refusal(limited)).toMatchObject({ status: 429, type: "rate_limit_error" });
    expect(await refusal(await post(hello))).toMatchObject({ status: 529, type: "overloaded_error", message: "Overloaded" });
    expect(await refusal(await post(hello))).toMatchObject({ status: 500, type: "api_error" });
    expect((await post(hello)).status).toBe(200);
  });

  it("answers any status in Anthropic's error body, with a Retry-After when told", async () => {
    fake.enqueue({ error: { status: 503, type: "api_error", message: "Service Unavailable" }, retryAfter: "12" }, { error: "overloaded" }, { error: "rate_limit", retryAfter: "" });
    const unavailable = await post(hello);
    expect(unavailable.headers.get("retry-after")).toBe("12");
    expect(await refusal(unavailable)).toMatchObject({ status: 503, type: "api_error", message: "Service Unavailable" });
    const overloaded = await post(hello);
    expect(overloaded.headers.get("retry-after")).toBeNull();
    expect(overloaded.status).toBe(529);
    expect((await post(hello)).headers.get("retry-after")).toBeNull();
  });

  it("sends an error event mid-stream, or ends a stream early", async () => {
    fake.enqueue({ streamError: { afterEvents: 1, kind: { type: "api_error", message: "boom" } } });
    const custom = parseSse(await (await post({ ...hello, stream: true })).text());
    expect(JSON.parse(custom.at(-1)!.data)).toEqual({ type: "error", error: { type: "api_error", message: "boom" } });
    fake.enqueue({ streamError: { afterEvents: 4, kind: "overloaded" } }, { cutAfterEvents: 3 });
    const failed = parseSse(await (await post({ ...hello, stream: true })).text());
    expect(failed.map((e) => e.event)).toEqual(["message_start", "content_block_start", "ping", "content_block_delta", "error"]);
    expect(JSON.parse(failed[4].data)).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const cut = parseSse(await (await post({ ...hello, stream: true })).text());
    expect(cut.map((e) => e.event)).toEqual(["message_start", "content_block_start", "ping"]);
  });

  it("holds a stream at the gate until it is opened, and records how each request ended", async () => {
    fake.enqueue({ gateAfterEvents: 2 }, { gateAfterEvents: 1 });
    const response = await post({ ...hello, stream: true });
    const reader = response.body!.getReader();
    const parser = new SseParser();
    const events: string[] = [];
    while (events.length < 2) {
      const { value } = await reader.read();
      for (const e of parser.push(new TextDecoder().decode(value))) events.push(e.event!);
    }
    await waitFor("the stream to wait at the gate", () => expect(fake.gateWaiting()).toBe(1));
    const held = fake.received.at(-1)!;
    expect(events).toEqual(["message_start", "content_block_start"]);
    expect(held.state).toBe("open");
    fake.openGate();
    for (let r = await reader.read(); !r.done; r = await reader.read()) for (const e of parser.push(new TextDecoder().decode(r.value))) events.push(e.event!);
    expect(events.at(-1)).toBe("message_stop");
    await waitFor("the response to complete", () => expect(held.state).toBe("completed"));

    const controller = new AbortController();
    const gone = await post({ ...hello, stream: true }, {}, { signal: controller.signal });
    await waitFor("the second stream to wait at the gate", () => expect(fake.gateWaiting()).toBe(1));
    controller.abort();
    await gone.text().catch(() => undefined);
    await waitFor("the abort to be seen", () => expect(fake.received.at(-1)!.state).toBe("aborted"));
    expect(fake.gateWaiting()).toBe(0);
  });

  it("holds the first byte back when asked, and lets the client give up", async () => {
    fake.enqueue({ delayMs: 60_000 });
    const before = fake.received.length;
    const controller = new AbortController();
    const pending = post(hello, {}, { signal: controller.signal });
    await waitFor("the fake to receive the request", () => {
      if (fake.received.length === before) throw new Error("not yet");
    });
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect((await post(hello)).status).toBe(200);
  });
});

describe("fake Anthropic: models", () => {
  it("lists 20 models per page unless asked for more", async () => {
    const many = await startFakeAnthropic({ apiKey: "k", models: Array.from({ length: 25 }, (_, i) => `claude-m${i}`) });
    try {
      const get = (query: string) => fetch(`${many.url}/v1/models${query}`, { headers: { ...headers, "x-api-key": "k" } });
      expect(await (await get("")).json()).toMatchObject({ has_more: true, first_id: "claude-m0", last_id: "claude-m19" });
      expect(((await (await get("?limit=1000")).json()) as { data: unknown[] }).data).toHaveLength(25);
    } finally {
      await many.close();
    }
  });

  it("pages with limit and after_id", async () => {
    const get = (query: string) => fetch(`${fake.url}/v1/models${query}`, { headers });
    const all = (await (await get("?limit=1000")).json()) as { data: { id: string; type: string }[]; has_more: boolean };
    expect(all.data.map((m) => m.id)).toEqual(fake.models);
    expect(all.data.every((m) => m.type === "model")).toBe(true);
    const first = (await (await get("?limit=2")).json()) as { data: { id: string }[]; has_more: boolean; last_id: string };
    expect(first).toMatchObject({ has_more: true, last_id: fake.models[1] });
    const second = (await (await get(`?limit=2&after_id=${first.last_id}`)).json()) as { data: { id: string }[] };
    expect(second.data.map((m) => m.id)).toEqual(fake.models.slice(2, 4));
    expect((await fetch(`${fake.url}/v1/models`, { headers: { ...headers, "x-api-key": "bad" } })).status).toBe(401);
  });
});
