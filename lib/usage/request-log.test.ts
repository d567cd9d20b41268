import type { EventInput } from "@/lib/events/record";
import type { RequestRecord } from "./recorder";
import { RequestLog } from "./request-log";

function newLog(start = { method: "POST", path: "/v1/chat/completions", clientIp: "10.0.0.7" }) {
  const written: { record: RequestRecord; events: EventInput[] }[] = [];
  const log = new RequestLog({ record: (record, events) => written.push({ record, events }) }, start);
  return { log, written };
}

describe("request log", () => {
  it("writes one record from the facts reported to it, with the last model named and the usage", () => {
    const { log, written } = newLog();
    log.keyed("key-1");
    log.counted("2026-12-07");
    log.asked("gpt-4o", true);
    log.routedTo("openai");
    log.firstByte();
    log.answeredBy(null); // a stream that never named its model keeps the one asked for
    log.answeredBy("gpt-4o-2024-08-06");
    log.used({ inputTokens: 12, outputTokens: 5, cachedInputTokens: 2 });
    log.finish(200);
    expect(written).toHaveLength(1);
    expect(written[0].record).toMatchObject({
      requestId: log.requestId, keyId: "key-1", countedDay: "2026-12-07", method: "POST", path: "/v1/chat/completions",
      model: "gpt-4o-2024-08-06", provider: "openai", status: 200, stream: true, promptTokens: 12, completionTokens: 5,
      cachedTokens: 2, clientIp: "10.0.0.7", errorCode: null, errorMessage: null,
    });
    expect(written[0].record.ttfbMs).toEqual(expect.any(Number));
    expect(written[0].record.latencyMs).toBeGreaterThanOrEqual(written[0].record.ttfbMs!);
    expect(written[0].events).toEqual([]);
  });

  it("finishes once: a second finish (the stream's end after the wrapper's, say) writes nothing", () => {
    const { log, written } = newLog();
    log.finish(200);
    log.failed("upstream_stream_error", "late");
    log.finish(502);
    expect(written).toHaveLength(1);
    expect(written[0].record).toMatchObject({ status: 200, errorCode: null });
    expect(log.finished).toBe(true);
  });

  it("keeps the first byte's time once and an absent usage as null", () => {
    const { log, written } = newLog();
    log.firstByte();
    const first = (log as unknown as { ttfbMs: number }).ttfbMs;
    log.firstByte();
    log.used(null);
    log.finish(200);
    expect(written[0].record).toMatchObject({ ttfbMs: first, promptTokens: null, completionTokens: null, cachedTokens: null });
  });

  it("writes a failure's event with the request's key, address, id, time, path and model", () => {
    const { log, written } = newLog();
    log.keyed("key-2");
    log.asked("claude-x", false);
    log.failed("rate_limit_exceeded", "Rate limit reached", { category: "security", level: "warn", type: "rate_limited", message: "Rate limit reached", details: { limit: 5 } });
    log.finish(429);
    expect(written[0].record).toMatchObject({ status: 429, errorCode: "rate_limit_exceeded", errorMessage: "Rate limit reached" });
    expect(written[0].events).toEqual([
      {
        category: "security", level: "warn", type: "rate_limited", message: "Rate limit reached", keyId: "key-2", clientIp: "10.0.0.7",
        requestId: log.requestId, details: { limit: 5, path: "/v1/chat/completions", model: "claude-x" }, createdAt: new Date(log.startedAt),
      },
    ]);
  });

  it("records a client that went away with nginx's code and no message, and no event", () => {
    const { log, written } = newLog();
    log.clientGone();
    log.finish(200);
    expect(written[0]).toMatchObject({ record: { status: 200, errorCode: "client_closed_request", errorMessage: null }, events: [] });
  });
});
