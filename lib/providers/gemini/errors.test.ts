import { readFileSync } from "node:fs";
import { join } from "node:path";
import { geminiAdapter } from "./index";
import { mapStreamError } from "./errors";
import { fakeGoogleKey } from "@/test/helpers/fake-secrets";

const recorded = JSON.parse(readFileSync(join(__dirname, "fixtures", "errors.json"), "utf8")) as { status: number; body: { error: { status: string; message: string } } }[];

describe("Gemini error mapping", () => {
  it("maps each documented google.rpc.Status to OpenAI's status and type", () => {
    const table = recorded.map(({ status, body }) => {
      const mapped = geminiAdapter.mapError(status, body);
      return [status, body.error.status, mapped.status, mapped.body.error.type, mapped.body.error.code];
    });
    expect(table).toEqual([
      [400, "INVALID_ARGUMENT", 502, "upstream_error", "upstream_auth_failed"],
      [403, "PERMISSION_DENIED", 502, "upstream_error", "upstream_auth_failed"],
      [400, "INVALID_ARGUMENT", 400, "invalid_request_error", "INVALID_ARGUMENT"],
      [400, "FAILED_PRECONDITION", 400, "invalid_request_error", "FAILED_PRECONDITION"],
      [403, "PERMISSION_DENIED", 403, "permission_error", "PERMISSION_DENIED"],
      [404, "NOT_FOUND", 404, "not_found_error", "NOT_FOUND"],
      [429, "RESOURCE_EXHAUSTED", 429, "rate_limit_error", "RESOURCE_EXHAUSTED"],
      [500, "INTERNAL", 502, "upstream_error", "upstream_error"],
      [503, "UNAVAILABLE", 503, "upstream_error", "upstream_overloaded"],
      [504, "DEADLINE_EXCEEDED", 502, "upstream_error", "upstream_error"],
    ]);
  });

  it("answers Google's own failures by HTTP status, never as a 500, with Google's message", () => {
    expect(geminiAdapter.mapError(500, recorded[7].body)).toEqual({
      code: "upstream_error",
      providerCode: "INTERNAL",
      status: 502,
      body: { error: { message: `Gemini: ${recorded[7].body.error.message}`, type: "upstream_error", param: null, code: "upstream_error" } },
    });
    expect(geminiAdapter.mapError(503, recorded[8].body)).toEqual({
      code: "upstream_overloaded",
      providerCode: "UNAVAILABLE",
      status: 503,
      body: { error: { message: "Gemini: The model is overloaded. Please try again later.", type: "upstream_error", param: null, code: "upstream_overloaded" } },
    });
    // A 502 from Google's front end, whatever Status it names, is a failure; a 503 is busy.
    expect(geminiAdapter.mapError(502, { error: { code: 502, message: "Bad Gateway", status: "UNAVAILABLE" } })).toMatchObject({ status: 502, body: { error: { code: "upstream_error" } } });
    expect(geminiAdapter.mapError(503, { error: { code: 503, message: "Busy", status: "INTERNAL" } })).toMatchObject({ status: 503, body: { error: { code: "upstream_overloaded" } } });
    // RetryInfo on a 503 is passed on like on a 429.
    const busy = { error: { code: 503, message: "Busy", status: "UNAVAILABLE", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "30s" }] } };
    expect(geminiAdapter.mapError(503, busy)).toMatchObject({ status: 503, retryAfterSeconds: 30 });
  });

  it("maps errors inside a stream (no HTTP status) by their Status", () => {
    expect(mapStreamError({ code: 503, message: "x", status: "UNAVAILABLE" })).toMatchObject({ status: 503, body: { error: { code: "upstream_overloaded" } } });
    for (const status of ["INTERNAL", "UNKNOWN", "CANCELLED", "DEADLINE_EXCEEDED"]) {
      expect(mapStreamError({ code: 500, message: "x", status })).toMatchObject({ status: 502, body: { error: { code: "upstream_error" } } });
    }
    expect(mapStreamError({ code: 429, message: "x", status: "RESOURCE_EXHAUSTED" })).toMatchObject({ status: 429, body: { error: { code: "RESOURCE_EXHAUSTED" } } });
  });

  it("forwards request problems with Google's message", () => {
    expect(geminiAdapter.mapError(400, recorded[2].body).body.error.message).toBe('Gemini: Invalid JSON payload received. Unknown name "foo": Cannot find field.');
  });

  it("answers key problems with a fixed message that blames the gateway's configuration", () => {
    for (const index of [0, 1, 4]) {
      const message = geminiAdapter.mapError(recorded[index].status, recorded[index].body).body.error.message;
      expect(message).toMatch(/gateway/);
      expect(message).not.toContain(recorded[index].body.error.message);
    }
  });

  it("names GOOGLE_API_KEY when the gateway's key is wrong or missing, as for every provider", () => {
    for (const index of [0, 1]) {
      expect(geminiAdapter.mapError(recorded[index].status, recorded[index].body)).toMatchObject({
        status: 502,
        body: { error: { type: "upstream_error", code: "upstream_auth_failed", message: expect.stringContaining("GOOGLE_API_KEY") } },
      });
    }
    expect(geminiAdapter.mapError(401, { error: { code: 401, status: "UNAUTHENTICATED", message: "Request had invalid authentication credentials." } })).toMatchObject({ status: 502 });
  });

  it("passes RetryInfo's delay on as retryAfterSeconds (Gemini sends no Retry-After header)", () => {
    expect(geminiAdapter.mapError(429, recorded[6].body).retryAfterSeconds).toBe(17);
    const fractional = { error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "x", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "0.25s" }] } };
    expect(geminiAdapter.mapError(429, fractional).retryAfterSeconds).toBe(1);
    expect(geminiAdapter.mapError(503, recorded[8].body).retryAfterSeconds).toBeUndefined();
  });

  it("never lets anything shaped like a key through", () => {
    const mapped = geminiAdapter.mapError(400, { error: { code: 400, status: "INVALID_ARGUMENT", message: `Bad URL ?key=${fakeGoogleKey("SyA-1234567890abcdefghijklmnopqrstu")}` } });
    expect(mapped.body.error.message).not.toMatch(/AIza|1234567890/);
  });

  it("reads array-wrapped and raw-text bodies, and maps by HTTP status when there is no Status", () => {
    expect(geminiAdapter.mapError(429, JSON.stringify([recorded[6].body]))).toMatchObject({ status: 429, body: { error: { type: "rate_limit_error" } } });
    expect(geminiAdapter.mapError(502, "<html>Bad Gateway</html>")).toMatchObject({ status: 502, body: { error: { type: "upstream_error", code: "upstream_error" } } });
    expect(geminiAdapter.mapError(503, "")).toMatchObject({ status: 503, body: { error: { code: "upstream_overloaded" } } });
    expect(geminiAdapter.mapError(402, { error: { code: 402, message: "Prepaid credits exhausted.", status: "RESOURCE_EXHAUSTED" } })).toMatchObject({
      status: 402,
      body: { error: { type: "billing_error" } },
    });
  });
});
