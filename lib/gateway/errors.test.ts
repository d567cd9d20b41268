import { LimitsUnavailableError } from "@/lib/ratelimit/types";
import { describeError, errorPayload, GatewayError, mappedError, MappedErrorException, providerRefusal, UpstreamErrorResponse } from "./errors";
import { bearerToken } from "./gateway";
import { isHostAllowed } from "@/lib/http/host";

/** The answer as the client receives it. */
const asResponse = (outcome: Parameters<typeof errorPayload>[0]) => {
  const { status, headers, body } = errorPayload(outcome);
  return new Response(body, { status, headers });
};

describe("gateway error mapping", () => {
  it.each([
    ["missing_api_key", 401, "invalid_request_error", "invalid_api_key"],
    ["api_key_disabled", 401, "invalid_request_error", "key_disabled"],
    ["api_key_expired", 401, "invalid_request_error", "key_expired"],
    ["ip_not_allowed", 403, "permission_error", "ip_not_allowed"],
    ["model_not_allowed", 403, "permission_error", "model_not_allowed"],
    ["daily_quota_exceeded", 403, "insufficient_quota", "daily_quota_exceeded"],
    ["rate_limit_exceeded", 429, "rate_limit_error", "rate_limited"],
    ["invalid_request", 400, "invalid_request_error", null],
    ["request_too_large", 413, "invalid_request_error", null],
    ["model_not_found", 404, "invalid_request_error", null],
    ["method_not_allowed", 405, "invalid_request_error", null],
    ["request_timeout", 408, "invalid_request_error", null],
    ["upstream_unreachable", 502, "upstream_error", null],
    ["upstream_timeout", 504, "upstream_error", null],
    ["upstream_error", 502, "upstream_error", null],
    ["upstream_overloaded", 503, "upstream_error", null],
  ] as const)("%s → %i %s", async (code, status, type, security) => {
    const outcome = describeError(new GatewayError(code, "message", { param: "model" }), "req-1");
    expect(outcome).toMatchObject({ status, code, security });
    const response = asResponse(outcome);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { message: "message", type, param: "model", code } });
  });

  it("passes provider refusals through with their status, code and headers, recorded as upstream_rejected with the provider's code in the details", async () => {
    const refusal = providerRefusal(429, "slow down", { type: "requests", code: "rate_limit_exceeded" });
    const outcome = describeError(new UpstreamErrorResponse(refusal, { "retry-after": "7" }, 429), "r");
    expect(outcome).toMatchObject({ status: 429, code: "upstream_rejected", headers: { "retry-after": "7" }, security: null, system: null, details: { providerCode: "rate_limit_exceeded" } });
    expect(await asResponse(outcome).json()).toEqual({ error: { message: "slow down", type: "requests", param: null, code: "rate_limit_exceeded" } });
    // A refusal whose provider named no code (a proxy's page): the body says upstream_rejected too.
    const bare = describeError(new MappedErrorException(providerRefusal(400, "bad", { type: "invalid_request_error" })), "r");
    expect([bare.code, bare.body.error.code]).toEqual(["upstream_rejected", "upstream_rejected"]);
  });

  it("answers a provider's own failure as the adapters map it, which is what the table says, recorded as an upstream_error event", () => {
    for (const code of ["upstream_error", "upstream_overloaded", "upstream_auth_failed"] as const) {
      const own = describeError(new GatewayError(code, "m"), "r");
      expect(own).toMatchObject({ body: { error: { type: "upstream_error", code } }, system: "upstream_error" });
      const mapped = new UpstreamErrorResponse(mappedError(code, "Anthropic: Overloaded"), { "retry-after": "3" }, 529);
      expect(describeError(mapped, "r")).toEqual({
        status: own.status,
        body: { error: { message: "Anthropic: Overloaded", type: own.body.error.type, param: null, code } },
        headers: { "retry-after": "3", ...own.headers },
        code,
        security: null,
        system: own.system,
        details: { status: own.status, upstreamStatus: 529 },
      });
    }
  });

  it("tells SDKs not to retry when the provider refused the gateway's own key", () => {
    expect(describeError(new MappedErrorException(mappedError("upstream_auth_failed", "check OPENAI_API_KEY")), "r")).toMatchObject({ status: 502, headers: { "x-should-retry": "false" } });
  });

  it("turns unknown errors into a 500 that names the request id and nothing else", async () => {
    const outcome = describeError(new TypeError("Cannot read properties of undefined (reading 'secretThing') at /srv/app/lib/x.ts:12"), "req-42");
    expect(outcome.status).toBe(500);
    expect(outcome.body.error.code).toBe("internal_error");
    expect(outcome.body.error.message).toContain("req-42");
    expect(JSON.stringify(outcome.body)).not.toMatch(/secretThing|\/srv|TypeError/);
  });

  it("records a client's body timeout as the client's, with no event for the operator", () => {
    expect(describeError(new GatewayError("request_timeout", "slow"), "r")).toMatchObject({ status: 408, security: null, system: null });
  });

  it("answers 503 when limits cannot be checked, and tells SDKs not to retry a missing provider", () => {
    expect(describeError(new LimitsUnavailableError("db down"), "r")).toMatchObject({ status: 503, code: "limits_unavailable" });
    expect(describeError(new GatewayError("provider_not_configured", "x"), "r")).toMatchObject({ status: 503, headers: { "x-should-retry": "false" } });
  });
});

describe("request details", () => {
  it("reads bearer tokens", () => {
    expect(bearerToken(null)).toBeNull();
    expect(bearerToken("Bearer sk-akm_abc")).toBe("sk-akm_abc");
    expect(bearerToken("bearer   sk-akm_abc ")).toBe("sk-akm_abc");
    expect(bearerToken("Basic dXNlcjpwYXNz")).toBe("");
    expect(bearerToken("Bearer a b")).toBe("");
  });

  it("checks Host against ALLOWED_HOSTS", () => {
    const allowed = ["api.example.com", ".internal.test", "localhost:8080"];
    expect(isHostAllowed("api.example.com", allowed)).toBe(true);
    expect(isHostAllowed("API.example.com:443", allowed)).toBe(true);
    expect(isHostAllowed("gw.internal.test", allowed)).toBe(true);
    expect(isHostAllowed("internal.test", allowed)).toBe(true);
    expect(isHostAllowed("evil.com:8080", allowed)).toBe(false);
    // Loopback names pass whatever the list says (DNS rebinding cannot produce them).
    for (const loopback of ["localhost:9090", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST"]) expect(isHostAllowed(loopback, allowed)).toBe(true);
    expect(isHostAllowed("evil.com", allowed)).toBe(false);
    expect(isHostAllowed("api.example.com.evil.com", allowed)).toBe(false);
    expect(isHostAllowed(null, allowed)).toBe(false);
  });
});
