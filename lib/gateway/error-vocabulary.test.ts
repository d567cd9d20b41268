// The /v1 error vocabulary is closed: every code an adapter, the wrapper or the host's /v1
// refusals can produce is a row of the table in errors.ts, every row has a label in both
// languages, and the console's log filter offers each one under the event it is recorded
// with. The adapters are swept with every kind of failure they map (HTTP errors of every
// status with recorded and malformed bodies, stream errors, recorded streams whole, cut
// short and broken, refused requests, answers that are not the provider's format).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_TYPE_GROUPS, logTypeLabel, REQUEST_CODES, SECURITY_TYPES, SYSTEM_TYPES, typeFilterTargets } from "@/lib/console/log-types";
import { createTranslator, messagesFor } from "@/lib/i18n/translate";
import { anthropicAdapter } from "@/lib/providers/anthropic";
import { mapStreamError as anthropicStreamError } from "@/lib/providers/anthropic/errors";
import { geminiAdapter } from "@/lib/providers/gemini";
import { mapStreamError as geminiStreamError } from "@/lib/providers/gemini/errors";
import { openaiAdapter } from "@/lib/providers/openai";
import { mapStreamError as openaiStreamError } from "@/lib/providers/openai/errors";
import type { AdapterContext, ChatRequest, MappedError, ProviderAdapter } from "@/lib/providers/types";
import { replayStream } from "@/test/helpers/providers/replay";
import { ADAPTER_ERROR_CODES, describeError, GATEWAY_ERRORS, GatewayError, mappedError, MappedErrorException, type AdapterErrorCode, type GatewayErrorCode } from "./errors";
import type { V1Refusal } from "./gateway";

const en = createTranslator(messagesFor("en"));
const zh = createTranslator(messagesFor("zh-CN"));
const TABLE_CODES = Object.keys(GATEWAY_ERRORS) as GatewayErrorCode[];
const table: Record<GatewayErrorCode, { status: number; security?: string; system?: string }> = GATEWAY_ERRORS;

const PROVIDERS = "lib/providers";
const ADAPTERS: [ProviderAdapter, (error: unknown) => MappedError][] = [
  [openaiAdapter, openaiStreamError],
  [anthropicAdapter, anthropicStreamError],
  [geminiAdapter, geminiStreamError],
];
const ctx: AdapterContext = { apiKey: "sk-provider-key-0123456789", baseUrl: "http://upstream.test", model: "m", requestId: "r1", created: 1 };

function fixtures(ext: string): { path: string; text: string }[] {
  return ADAPTERS.flatMap(([adapter]) => {
    const dir = join(PROVIDERS, adapter.id, "fixtures");
    return readdirSync(dir)
      .filter((name) => name.endsWith(ext))
      .map((name) => ({ path: join(dir, name), text: readFileSync(join(dir, name), "utf8") }));
  });
}

/** Every recorded error body of every provider, and bodies no provider would send. */
function errorBodies(): unknown[] {
  const recorded = fixtures("errors.json").flatMap((f) => (JSON.parse(f.text) as { body: unknown }[]).map((e) => e.body));
  const odd = [undefined, null, "", "<html>Bad gateway</html>", "{not json", 42, [], {}, { error: null }, { error: "busy" }, { error: {} }, { error: { code: { x: 1 }, message: 7, status: [] } }];
  return [...recorded, ...recorded.map((b) => JSON.stringify(b)), ...recorded.map((b) => [b]), ...odd];
}

/** What each adapter can produce, keyed by code, with one place that produced it. */
function sweepAdapters(): Map<string, string> {
  const produced = new Map<string, string>();
  const note = (mapped: MappedError, where: string) => {
    if (!produced.has(mapped.code)) produced.set(mapped.code, where);
  };
  const bodies = errorBodies();
  for (const [adapter, mapStreamError] of ADAPTERS) {
    for (let status = 400; status < 600; status++) {
      for (const body of bodies) note(adapter.mapError(status, body), `${adapter.id} mapError(${status})`);
    }
    for (const body of bodies) {
      note(mapStreamError(body), `${adapter.id} mapStreamError`);
      if (body && typeof body === "object" && "error" in body) note(mapStreamError(body.error), `${adapter.id} mapStreamError`);
    }
    const refused: Partial<ChatRequest>[] = [
      { n: 2 },
      { logprobs: true },
      { temperature: 9 },
      { messages: [] },
      { messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] }] },
      { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }] }] },
      { messages: [{ role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{" } }] }] },
      { tools: [{ type: "web_search" }] },
    ];
    for (const extra of refused) {
      try {
        adapter.buildChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra }, ctx);
      } catch (error) {
        if (!(error instanceof MappedErrorException)) throw error;
        note(error.mapped, `${adapter.id} buildChatRequest(${JSON.stringify(extra)})`);
      }
    }
    for (const answer of [null, "text", 5, [], { content: "not blocks" }]) {
      try {
        adapter.convertChatResponse(answer, ctx);
      } catch (error) {
        if (!(error instanceof MappedErrorException)) throw error;
        note(error.mapped, `${adapter.id} convertChatResponse`);
      }
    }
  }
  // Every recorded stream through every adapter: whole, cut in half, and with an event that is not JSON.
  for (const { path, text } of fixtures(".sse")) {
    const bytes = Buffer.from(text);
    for (const [adapter] of ADAPTERS) {
      for (const pieces of [[bytes], [bytes.subarray(0, bytes.length >> 1)], [bytes, Buffer.from("data: {oops\n\n")]]) {
        const { error } = replayStream(adapter.createStreamConverter(ctx, true), pieces);
        if (error) note(error, `${adapter.id} stream ${path}`);
      }
    }
  }
  return produced;
}

describe("the /v1 error vocabulary", () => {
  const produced = sweepAdapters();

  it("holds every code the adapters produce, and lists as the adapters' exactly those they produce", () => {
    const unknown = [...produced].filter(([code]) => !TABLE_CODES.includes(code as GatewayErrorCode));
    expect(unknown).toEqual([]);
    expect([...produced.keys()].sort()).toEqual([...ADAPTER_ERROR_CODES].sort());
  });

  it("answers every code of the table as itself, with the row's event", () => {
    for (const code of TABLE_CODES) {
      const outcome = describeError(new GatewayError(code, "m"), "r");
      expect([code, outcome.code, outcome.body.error.code, outcome.security, outcome.system]).toEqual([code, code, code, table[code].security ?? null, table[code].system ?? null]);
    }
    // The host's /v1 refusal is a table code too (typed; see V1Refusal); the gateway's own
    // unknown_url and method_not_allowed are GatewayErrors, typed by construction.
    const hostCodes: V1Refusal["code"][] = ["invalid_request"];
    for (const code of hostCodes) expect(TABLE_CODES).toContain(code);
  });

  it("labels every code and every event it is recorded with, in English and Chinese", () => {
    const events = TABLE_CODES.flatMap((code) => [table[code].security, table[code].system]).filter((e): e is string => !!e);
    for (const type of [...TABLE_CODES, ...events, ...Object.keys(SECURITY_TYPES)]) {
      const english = logTypeLabel(en, type);
      const chinese = logTypeLabel(zh, type);
      expect([type, typeof english, typeof chinese]).toEqual([type, "string", "string"]);
      expect([type, chinese]).not.toEqual([type, english]);
    }
  });

  it("offers every code as a log filter, found under the event it is recorded with", () => {
    for (const code of TABLE_CODES) {
      const { security, system } = table[code];
      const event = security ?? system;
      if (event) {
        expect([code, (LOG_TYPE_GROUPS[security ? "security" : "system"] as readonly string[]).includes(event)]).toEqual([code, true]);
        expect([code, typeFilterTargets(event).requestCodes.includes(code)]).toEqual([code, true]);
      } else {
        expect([code, REQUEST_CODES.includes(code), LOG_TYPE_GROUPS.request.includes(code)]).toEqual([code, true, true]);
      }
    }
    // The one the hand-written map missed: a refused provider key is an upstream_error event.
    expect(SYSTEM_TYPES.upstream_error).toContain("upstream_auth_failed");
  });

  it("cannot be extended by an adapter: a code outside the table does not compile", () => {
    // Checked by `npm run typecheck`; never called.
    const invent = () => {
      // @ts-expect-error an adapter cannot invent a code
      const code: AdapterErrorCode = "upstream_418";
      // @ts-expect-error nor map to one
      mappedError("upstream_stream_incomplete", "cut short");
      // @ts-expect-error nor the gateway
      return [code, new GatewayError("upstream_400", "refused")];
    };
    expect(typeof invent).toBe("function");
  });
});
