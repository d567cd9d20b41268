import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openaiAdapter } from "./index";

const recorded = JSON.parse(readFileSync(join(__dirname, "fixtures", "errors.json"), "utf8")) as { status: number; body: { error: { type: string; code: string | number | null } } }[];

describe("OpenAI error mapping", () => {
  it("passes each documented refusal on as OpenAI wrote it, recorded as upstream_rejected, and answers the rest as the gateway's", () => {
    const table = recorded.map(({ status, body }) => {
      const mapped = openaiAdapter.mapError(status, body);
      return [status, body.error.code, mapped.status, mapped.body.error.type, mapped.body.error.code, mapped.code];
    });
    expect(table).toEqual([
      [400, null, 400, "invalid_request_error", null, "upstream_rejected"],
      [400, "context_length_exceeded", 400, "invalid_request_error", "context_length_exceeded", "upstream_rejected"],
      [401, "invalid_api_key", 502, "upstream_error", "upstream_auth_failed", "upstream_auth_failed"],
      [403, "unsupported_country_region_territory", 403, "request_forbidden", "unsupported_country_region_territory", "upstream_rejected"],
      [404, "model_not_found", 404, "invalid_request_error", "model_not_found", "upstream_rejected"],
      [429, "rate_limit_exceeded", 429, "requests", "rate_limit_exceeded", "upstream_rejected"],
      [429, "insufficient_quota", 429, "insufficient_quota", "insufficient_quota", "upstream_rejected"],
      [500, null, 502, "upstream_error", "upstream_error", "upstream_error"],
      [502, 502, 502, "upstream_error", "upstream_error", "upstream_error"],
      [503, null, 503, "upstream_error", "upstream_overloaded", "upstream_overloaded"],
      [504, 504, 502, "upstream_error", "upstream_error", "upstream_error"],
    ]);
    // A refusal's body is OpenAI's own, byte for byte as parsed.
    for (const { status, body } of recorded.filter((r) => r.status < 500 && r.status !== 401)) expect(openaiAdapter.mapError(status, body).body).toEqual(body);
  });

  it("passes OpenAI errors through, but hides a refused provider key behind a 502", () => {
    const notFound = { error: { message: "The model `gpt-9` does not exist or you do not have access to it.", type: "invalid_request_error", param: null, code: "model_not_found" } };
    // Recorded as upstream_rejected; OpenAI's own code reaches the client and the event details.
    expect(openaiAdapter.mapError(404, notFound)).toEqual({ code: "upstream_rejected", providerCode: "model_not_found", status: 404, body: notFound });
    const refused = openaiAdapter.mapError(401, { error: { message: "Incorrect API key provided: sk-pro****cret.", type: "invalid_request_error", param: null, code: "invalid_api_key" } });
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe("upstream_auth_failed");
    expect(JSON.stringify(refused)).not.toContain("sk-pro");
  });

  it("maps OpenAI's own failures to 502 upstream_error, and 503 to upstream_overloaded, keeping OpenAI's message", () => {
    // The bodies OpenAI sends: 500 and 503 from the API, 502 and 504 from Cloudflare in front of it.
    const answers: [number, unknown][] = [
      [500, { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } }],
      [502, { error: { code: 502, message: "Bad gateway.", param: null, type: "cf_bad_gateway" } }],
      [503, { error: { message: "The engine is currently overloaded, please try again later.", type: "server_error", param: null, code: null } }],
      [504, { error: { code: 504, message: "Gateway timeout.", param: null, type: "cf_gateway_timeout" } }],
      [520, "<html>Web server is returning an unknown error</html>"],
    ];
    expect(answers.map(([status, body]) => [status, openaiAdapter.mapError(status, body)])).toEqual([
      [500, { code: "upstream_error", providerCode: "server_error", status: 502, body: { error: { message: "The server had an error while processing your request. Sorry about that!", type: "upstream_error", param: null, code: "upstream_error" } } }],
      [502, { code: "upstream_error", providerCode: "cf_bad_gateway", status: 502, body: { error: { message: "Bad gateway.", type: "upstream_error", param: null, code: "upstream_error" } } }],
      [503, { code: "upstream_overloaded", providerCode: "server_error", status: 503, body: { error: { message: "The engine is currently overloaded, please try again later.", type: "upstream_error", param: null, code: "upstream_overloaded" } } }],
      [504, { code: "upstream_error", providerCode: "cf_gateway_timeout", status: 502, body: { error: { message: "Gateway timeout.", type: "upstream_error", param: null, code: "upstream_error" } } }],
      [520, { code: "upstream_error", status: 502, body: { error: { message: "OpenAI answered with HTTP 520.", type: "upstream_error", param: null, code: "upstream_error" } } }],
    ]);
    // A proxy's page is not passed on, whatever its status.
    expect(openaiAdapter.mapError(502, "<html>Bad gateway</html>").body.error.message).toBe("OpenAI answered with HTTP 502.");
    expect(openaiAdapter.mapError(418, "<html>teapot</html>")).toMatchObject({ code: "upstream_rejected", status: 418, body: { error: { code: "upstream_rejected" } } });
  });

  it("reads error bodies leniently: a field of another type counts as absent, raw JSON text is parsed", () => {
    expect(openaiAdapter.mapError(400, { error: { message: "bad", type: 7, param: ["x"], code: { no: 1 } } })).toEqual({
      code: "upstream_rejected",
      status: 400,
      body: { error: { message: "bad", type: "invalid_request_error", param: null, code: null } },
    });
    expect(openaiAdapter.mapError(404, JSON.stringify({ error: { message: "gone", type: "invalid_request_error", param: null, code: "model_not_found" } }))).toMatchObject({
      status: 404,
      body: { error: { message: "gone", code: "model_not_found" } },
    });
  });
});
