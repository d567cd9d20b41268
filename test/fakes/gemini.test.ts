// The fake Gemini upstream, exercised with plain fetch against the documented behaviour.
import { parseSse, SseParser } from "@/lib/providers/sse";
import { waitFor } from "@/test/helpers/ports";
import { SKIP_SIGNATURE, startFakeGemini, type FakeGemini } from "./gemini";

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: "AIzaFakeKey" });
});
afterAll(() => fake.close());

const headers = { "content-type": "application/json", "x-goog-api-key": "AIzaFakeKey" };
const hello = { contents: [{ role: "user", parts: [{ text: "Hello there" }] }] };
const generate = (body: unknown, model = "gemini-2.5-flash", extra: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(`${fake.url}/v1beta/models/${model}:generateContent`, { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify(body), ...init });
const stream = (body: unknown, model = "gemini-2.5-flash", query = "?alt=sse", init: RequestInit = {}) =>
  fetch(`${fake.url}/v1beta/models/${model}:streamGenerateContent${query}`, { method: "POST", headers, body: JSON.stringify(body), ...init });

async function status(res: Response) {
  const body = (await res.json()) as { error: { code: number; message: string; status: string; details?: { reason?: string }[] } };
  expect(body.error.code).toBe(res.status);
  return { code: res.status, status: body.error.status, message: body.error.message, reason: body.error.details?.find((d) => d.reason)?.reason };
}

describe("fake Gemini: authentication", () => {
  it("refuses a missing key with 403 PERMISSION_DENIED and a wrong one with 400 API_KEY_INVALID", async () => {
    expect(await status(await generate(hello, undefined, { "x-goog-api-key": "" }))).toMatchObject({ code: 403, status: "PERMISSION_DENIED", message: expect.stringMatching(/unregistered callers/) });
    expect(await status(await generate(hello, undefined, { "x-goog-api-key": "AIzaWrong" }))).toEqual({
      code: 400,
      status: "INVALID_ARGUMENT",
      message: "API key not valid. Please pass a valid API key.",
      reason: "API_KEY_INVALID",
    });
  });

  it("also takes the key as ?key=, and serves /v1 as well as /v1beta", async () => {
    const res = await fetch(`${fake.url}/v1/models/gemini-2.5-flash:generateContent?key=AIzaFakeKey`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(hello),
    });
    expect(res.status).toBe(200);
  });
});

describe("fake Gemini: request validation", () => {
  it.each([
    [{ ...hello, foo: 1 }, 'Unknown name "foo": Cannot find field.'],
    [{ ...hello, generationConfig: { maxTokens: 5 } }, `Unknown name "maxTokens" at 'generation_config'`],
    [{ contents: [] }, "contents is not specified"],
    [{ contents: [{ role: "assistant", parts: [{ text: "x" }] }] }, "Please use a valid role: user, model."],
    [{ contents: [{ role: "user", parts: [] }] }, "contents.parts must not be empty"],
    [{ contents: [{ role: "user", parts: [{ text: "a", inlineData: { mimeType: "image/png", data: "AA==" } }] }] }, "oneof field 'data' is already set"],
    [{ contents: [{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data: "not base64!" } }] }] }, "Base64 decoding failed"],
    [{ ...hello, generationConfig: { temperature: 3 } }, "temperature: must be in the range [0, 2]"],
    [{ ...hello, generationConfig: { responseJsonSchema: { type: "object" } } }, "response_mime_type"],
    [{ ...hello, tools: [{ functionDeclarations: [{ name: "f", parameters: {}, parametersJsonSchema: {} }] }] }, "mutually exclusive"],
    [{ ...hello, toolConfig: { functionCallingConfig: { mode: "AUTO", allowedFunctionNames: ["f"] } } }, "only allowed when mode is ANY"],
    [
      {
        contents: [
          { role: "user", parts: [{ text: "x" }] },
          { role: "model", parts: [{ functionCall: { name: "a", args: {} } }, { functionCall: { name: "b", args: {} } }] },
          { role: "user", parts: [{ functionResponse: { name: "a", response: { ok: 1 } } }] },
        ],
      },
      "number of function response parts is equal to the number of function call parts",
    ],
  ])("refuses request %# with the real API's message", async (body, message) => {
    const result = await status(await generate(body));
    expect(result).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(result.message).toContain(message);
  });

  it("accepts the proto's snake_case names as well as camelCase", async () => {
    const body = { contents: [{ role: "user", parts: [{ text: "x" }] }], generation_config: { max_output_tokens: 50, stop_sequences: ["z"] }, system_instruction: { parts: [{ text: "s" }] } };
    expect((await generate(body)).status).toBe(200);
  });

  it("answers unknown models and non-chat models with 404 NOT_FOUND", async () => {
    expect(await status(await generate(hello, "gemini-nonexistent"))).toMatchObject({ code: 404, status: "NOT_FOUND", message: expect.stringContaining("Call ListModels") });
    expect(await status(await generate(hello, "gemini-embedding-001"))).toMatchObject({ code: 404 });
  });

  it("requires a thought signature on the first function call of a gemini-3 history", async () => {
    const history = (signature?: string) => ({
      contents: [
        { role: "user", parts: [{ text: "x" }] },
        { role: "model", parts: [{ functionCall: { name: "f", args: {} }, ...(signature ? { thoughtSignature: signature } : {}) }, { functionCall: { name: "g", args: {} } }] },
        { role: "user", parts: [{ functionResponse: { name: "f", response: { a: 1 } } }, { functionResponse: { name: "g", response: { b: 2 } } }] },
      ],
    });
    const missing = await status(await generate(history(), "gemini-3-pro-preview"));
    expect(missing.message).toMatch(/^Function call is missing a thought_signature in functionCall parts/);
    expect(await status(await generate(history("Zm9yZ2Vk"), "gemini-3-pro-preview"))).toMatchObject({ code: 400, message: "Corrupted thought signature." });
    expect((await generate(history(SKIP_SIGNATURE), "gemini-3-pro-preview")).status).toBe(200);
    expect((await generate(history(), "gemini-2.5-flash")).status).toBe(200);
  });
});

describe("fake Gemini: answers", () => {
  it("answers generateContent in the documented shape", async () => {
    const res = await generate(hello);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      candidates: [{ content: { parts: [{ text: "Echo: Hello there" }], role: "model" }, finishReason: "STOP", index: 0 }],
      usageMetadata: {
        promptTokenCount: 2,
        candidatesTokenCount: 3,
        totalTokenCount: 8,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: 2 }],
        thoughtsTokenCount: 3,
      },
      modelVersion: "gemini-2.5-flash",
      responseId: expect.any(String),
    });
  });

  it("honours maxOutputTokens and stopSequences", async () => {
    const long = { contents: [{ role: "user", parts: [{ text: "one two three four five" }] }] };
    const cut = (await (await generate({ ...long, generationConfig: { maxOutputTokens: 2 } })).json()) as { candidates: { finishReason: string; content: { parts: { text: string }[] } }[] };
    expect(cut.candidates[0]).toMatchObject({ finishReason: "MAX_TOKENS", content: { parts: [{ text: "Echo: one " }] } });
    const stopped = (await (await generate({ ...long, generationConfig: { stopSequences: ["three"] } })).json()) as typeof cut;
    expect(stopped.candidates[0]).toMatchObject({ finishReason: "STOP", content: { parts: [{ text: "Echo: one two " }] } });
  });

  it("calls a function with an id and a signature on gemini-3, then reports the result", async () => {
    const tools = [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } } }] }];
    const first = (await (await generate({ ...hello, tools }, "gemini-3-pro-preview")).json()) as { candidates: { content: { parts: Record<string, unknown>[] }; finishReason: string }[] };
    const part = first.candidates[0].content.parts[0] as { functionCall: { id: string; name: string; args: unknown }; thoughtSignature: string };
    expect(first.candidates[0].finishReason).toBe("STOP");
    expect(part.functionCall).toEqual({ id: expect.any(String), name: "get_weather", args: { city: "example" } });
    expect(fake.issuedSignatures.has(part.thoughtSignature)).toBe(true);
    const second = await generate(
      {
        tools,
        contents: [
          ...hello.contents,
          { role: "model", parts: [part] },
          { role: "user", parts: [{ functionResponse: { id: part.functionCall.id, name: "get_weather", response: { temp: 21 } } }] },
        ],
      },
      "gemini-3-pro-preview",
    );
    const answer = (await second.json()) as { candidates: { content: { parts: { text: string }[] } }[] };
    expect(answer.candidates[0].content.parts[0].text).toBe('Tool results: {"temp":21}');
  });

  it("streams with ?alt=sse: one response per event, CRLF-framed, usage and finish reason last", async () => {
    const res = await stream({ contents: [{ role: "user", parts: [{ text: "a b c d e f g" }] }] });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const raw = await res.text();
    expect(raw).toMatch(/^data: \{.*\}\r\n\r\n/);
    const events = parseSse(raw).map((e) => JSON.parse(e.data) as { candidates: { content: { parts: { text: string }[] }; finishReason?: string }[]; usageMetadata: Record<string, number> });
    expect(events.length).toBeGreaterThan(1);
    expect(events.map((e) => e.candidates[0].content.parts[0].text).join("")).toBe("Echo: a b c d e f g");
    expect(events.slice(0, -1).every((e) => e.candidates[0].finishReason === undefined && e.usageMetadata.candidatesTokenCount === undefined)).toBe(true);
    expect(events.at(-1)).toMatchObject({ candidates: [{ finishReason: "STOP" }], usageMetadata: { candidatesTokenCount: 8 } });
  });

  it("streams a JSON array without alt=sse", async () => {
    const res = await stream(hello, "gemini-2.5-flash", "");
    const array = JSON.parse(await res.text()) as unknown[];
    expect(Array.isArray(array) && array.length).toBeGreaterThan(0);
  });
});

describe("fake Gemini: scripted failures", () => {
  it("answers scripted errors with google.rpc.Status bodies", async () => {
    fake.enqueue({ error: "resource_exhausted" }, { error: "unavailable" }, { error: "internal" });
    expect(await status(await generate(hello))).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
    expect(await status(await generate(hello))).toMatchObject({ code: 503, status: "UNAVAILABLE" });
    expect(await status(await generate(hello))).toMatchObject({ code: 500, status: "INTERNAL" });
    expect((await generate(hello)).status).toBe(200);
  });

  it("answers any google.rpc.Status, with a Retry-After header when told", async () => {
    fake.enqueue({ error: { code: 502, message: "Bad Gateway", status: "UNKNOWN" }, retryAfter: "5" }, { error: "unavailable" });
    const bad = await generate(hello);
    expect(bad.headers.get("retry-after")).toBe("5");
    expect(await status(bad)).toEqual({ code: 502, message: "Bad Gateway", status: "UNKNOWN" });
    const busy = await generate(hello);
    expect(busy.headers.get("retry-after")).toBeNull();
    expect(await status(busy)).toMatchObject({ code: 503, status: "UNAVAILABLE" });
  });

  it("sends an error object mid-stream, or ends a stream early", async () => {
    const long = { contents: [{ role: "user", parts: [{ text: "one two three four five six seven eight" }] }] };
    fake.enqueue({ streamError: { afterEvents: 1, kind: { code: 500, message: "boom", status: "INTERNAL" } } });
    expect(parseSse(await (await stream(long)).text()).map((e) => JSON.parse(e.data)).at(-1)).toEqual({ error: { code: 500, message: "boom", status: "INTERNAL" } });
    fake.enqueue({ streamError: { afterEvents: 1, kind: "internal" } }, { cutAfterEvents: 1 });
    const failed = parseSse(await (await stream(long)).text()).map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(failed).toHaveLength(2);
    expect(failed[1]).toEqual({ error: { code: 500, message: expect.any(String), status: "INTERNAL" } });
    const cut = parseSse(await (await stream(long)).text());
    expect(cut).toHaveLength(1);
  });

  it("blocks a prompt or stops an answer for safety when told to", async () => {
    fake.enqueue({ reply: { blockReason: "SAFETY" } }, { reply: { text: "Here is how", finishReason: "SAFETY" } });
    expect(await (await generate(hello)).json()).toMatchObject({ promptFeedback: { blockReason: "SAFETY" } });
    const stopped = parseSse(await (await stream(hello)).text()).map((e) => JSON.parse(e.data) as { candidates: { finishReason?: string }[] });
    expect(stopped.at(-1)!.candidates[0].finishReason).toBe("SAFETY");
  });

  it("holds a stream at the gate until it is opened, and records how each request ended", async () => {
    const long = { contents: [{ role: "user", parts: [{ text: "one two three four five six seven eight" }] }] };
    fake.enqueue({ gateAfterEvents: 1 }, { gateAfterEvents: 1 });
    const reader = (await stream(long)).body!.getReader();
    const parser = new SseParser();
    const events: unknown[] = [];
    while (events.length < 1) for (const e of parser.push(new TextDecoder().decode((await reader.read()).value))) events.push(JSON.parse(e.data));
    await waitFor("the stream to wait at the gate", () => expect(fake.gateWaiting()).toBe(1));
    const held = fake.received.at(-1)!;
    expect(held.state).toBe("open");
    fake.openGate();
    for (let r = await reader.read(); !r.done; r = await reader.read()) for (const e of parser.push(new TextDecoder().decode(r.value))) events.push(JSON.parse(e.data));
    expect((events.at(-1) as { candidates: { finishReason?: string }[] }).candidates[0].finishReason).toBe("STOP");
    expect(events.length).toBeGreaterThan(1);
    await waitFor("the response to complete", () => expect(held.state).toBe("completed"));

    const controller = new AbortController();
    const gone = await stream(long, undefined, undefined, { signal: controller.signal });
    await waitFor("the second stream to wait at the gate", () => expect(fake.gateWaiting()).toBe(1));
    controller.abort();
    await gone.text().catch(() => undefined);
    await waitFor("the abort to be seen", () => expect(fake.received.at(-1)!.state).toBe("aborted"));
  });

  it("holds the first byte back when asked, and lets the client give up", async () => {
    fake.enqueue({ delayMs: 60_000 });
    const before = fake.received.length;
    const controller = new AbortController();
    const pending = generate(hello, undefined, {}, { signal: controller.signal });
    await waitFor("the fake to receive the request", () => {
      if (fake.received.length === before) throw new Error("not yet");
    });
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect((await generate(hello)).status).toBe(200);
  });
});

describe("fake Gemini: models", () => {
  it("lists models with their methods, 50 per page unless asked, with page tokens", async () => {
    const all = (await (await fetch(`${fake.url}/v1beta/models?pageSize=1000`, { headers })).json()) as { models: { name: string; supportedGenerationMethods: string[] }[]; nextPageToken?: string };
    expect(all.models.map((m) => m.name)).toEqual(["models/gemini-2.5-flash", "models/gemini-2.5-pro", "models/gemini-3-pro-preview", "models/gemini-embedding-001"]);
    expect(all.nextPageToken).toBeUndefined();
    const first = (await (await fetch(`${fake.url}/v1beta/models?pageSize=3`, { headers })).json()) as typeof all;
    expect(first.models).toHaveLength(3);
    const rest = (await (await fetch(`${fake.url}/v1beta/models?pageSize=3&pageToken=${first.nextPageToken}`, { headers })).json()) as typeof all;
    expect(rest.models.map((m) => m.name)).toEqual(["models/gemini-embedding-001"]);
    const one = await fetch(`${fake.url}/v1beta/models/gemini-2.5-pro`, { headers });
    expect(await one.json()).toMatchObject({ name: "models/gemini-2.5-pro", supportedGenerationMethods: expect.arrayContaining(["generateContent"]) });
  });
});
