import { readFileSync } from "node:fs";
import { join } from "node:path";
import { anthropicAdapter } from "./index";
import { mapStreamError } from "./errors";
import { fakeAnthropicKey } from "@/test/helpers/fake-secrets";

const recorded = JSON.parse(readFileSync(join(__dirname, "fixtures", "errors.json"), "utf8")) as { status: number; body: { error: { type: string; message: string } } }[];

describe("Anthropic error mapping", () => {
  it("maps each documented error to OpenAI's status and type", () => {
    const table = recorded.map(({ status, body }) => {
      const mapped = anthropicAdapter.mapError(status, body);
      return [status, body.error.type, mapped.status, mapped.body.error.type, mapped.body.error.code];
    });
    expect(table).toEqual([
      [400, "invalid_request_error", 400, "invalid_request_error", "invalid_request_error"],
      [401, "authentication_error", 502, "upstream_error", "upstream_auth_failed"],
      [402, "billing_error", 402, "billing_error", "billing_error"],
      [403, "permission_error", 403, "permission_error", "permission_error"],
      [404, "not_found_error", 404, "not_found_error", "not_found_error"],
      [413, "request_too_large", 413, "invalid_request_error", "request_too_large"],
      [429, "rate_limit_error", 429, "rate_limit_error", "rate_limit_error"],
      [500, "api_error", 502, "upstream_error", "upstream_error"],
      [504, "timeout_error", 502, "upstream_error", "upstream_error"],
      [529, "overloaded_error", 503, "upstream_error", "upstream_overloaded"],
    ]);
  });

  it("answers Anthropic's own failures by HTTP status, never as a 500, with Anthropic's message", () => {
    const failure = (status: number, type: string, message: string) => anthropicAdapter.mapError(status, { type: "error", error: { type, message }, request_id: "req_1" });
    expect(failure(500, "api_error", "Internal server error")).toEqual({
      code: "upstream_error",
      providerCode: "api_error",
      status: 502,
      body: { error: { message: "Anthropic: Internal server error", type: "upstream_error", param: null, code: "upstream_error" } },
    });
    expect(failure(529, "overloaded_error", "Overloaded")).toEqual({
      code: "upstream_overloaded",
      providerCode: "overloaded_error",
      status: 503,
      body: { error: { message: "Anthropic: Overloaded", type: "upstream_error", param: null, code: "upstream_overloaded" } },
    });
    // Whatever type the body names, a 503 is busy and any other 5xx a failure.
    expect(failure(503, "api_error", "Service Unavailable")).toMatchObject({ status: 503, body: { error: { code: "upstream_overloaded", message: "Anthropic: Service Unavailable" } } });
    for (const status of [501, 502, 504, 599]) {
      expect(failure(status, "overloaded_error", "Bad gateway")).toMatchObject({ status: 502, body: { error: { code: "upstream_error" } } });
    }
  });

  it("forwards the provider's message for request problems, in OpenAI's shape", () => {
    expect(anthropicAdapter.mapError(400, recorded[0].body)).toEqual({
      code: "upstream_rejected",
      providerCode: "invalid_request_error",
      status: 400,
      body: { error: { message: "Anthropic: max_tokens: Field required", type: "invalid_request_error", param: null, code: "invalid_request_error" } },
    });
  });

  it("answers key problems with a fixed message that blames the gateway's configuration", () => {
    const mapped = anthropicAdapter.mapError(401, { type: "error", error: { type: "authentication_error", message: `invalid x-api-key ${fakeAnthropicKey("abcdefghijklmnop")}` } });
    expect(mapped.body.error.message).not.toMatch(/sk-ant|invalid x-api-key/);
    expect(mapped.body.error.message).toMatch(/gateway.*ANTHROPIC_API_KEY/);
    // Same status and code as a refused OpenAI key: the client's own key is not the problem.
    expect(mapped).toMatchObject({ status: 502, body: { error: { type: "upstream_error", code: "upstream_auth_failed" } } });
  });

  it("never lets anything shaped like a key through", () => {
    const mapped = anthropicAdapter.mapError(400, {
      type: "error",
      error: { type: "invalid_request_error", message: `bad header x-api-key: ${fakeAnthropicKey("SECRETSECRETSECRET")} and Bearer abcdefghijklmnopqrstu` },
    });
    expect(mapped.body.error.message).not.toMatch(/SECRET|abcdefghijklmnopqrstu/);
    expect(mapped.body.error.message).toMatch(/\[redacted\]/);
  });

  it("maps bodies that are not Anthropic's by HTTP status, without echoing them", () => {
    const html = "<html><body>502 Bad Gateway from some proxy</body></html>";
    expect(anthropicAdapter.mapError(502, html)).toMatchObject({ status: 502, body: { error: { type: "upstream_error", code: "upstream_error" } } });
    expect(anthropicAdapter.mapError(502, html).body.error.message).toBe("Anthropic returned an error (HTTP 502) without a message.");
    expect(anthropicAdapter.mapError(529, "")).toMatchObject({ status: 503, body: { error: { type: "upstream_error", code: "upstream_overloaded" } } });
    expect(anthropicAdapter.mapError(429, '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}')).toMatchObject({
      status: 429,
      body: { error: { type: "rate_limit_error", message: "Anthropic: slow down" } },
    });
    expect(anthropicAdapter.mapError(418, null)).toMatchObject({ status: 418, body: { error: { type: "invalid_request_error" } } });
  });

  it("maps errors that arrive inside a stream by their type", () => {
    expect(mapStreamError({ type: "api_error", message: "Internal server error" })).toMatchObject({ status: 502, body: { error: { code: "upstream_error" } } });
    expect(mapStreamError({ type: "overloaded_error", message: "Overloaded" })).toMatchObject({ status: 503, body: { error: { code: "upstream_overloaded" } } });
    expect(mapStreamError({ type: "rate_limit_error", message: "x" })).toMatchObject({ status: 429, body: { error: { code: "rate_limit_error" } } });
    expect(mapStreamError({})).toMatchObject({ status: 502, body: { error: { code: "upstream_error" } } });
  });
});
