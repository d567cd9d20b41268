import type { IncomingMessage } from "node:http";
import { admitRequest, type FrontDoorOptions } from "./front-door";

function incoming(method: string, url: string, raw: [string, string][], httpVersion = "1.1"): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of raw) headers[name.toLowerCase()] ??= value;
  return { method, url, httpVersion, headers, rawHeaders: raw.flat() } as unknown as IncomingMessage;
}

const open: FrontDoorOptions = { allowedHosts: [], trustedPeer: false };
const guarded: FrontDoorOptions = { allowedHosts: ["console.example.com"], trustedPeer: false };

describe("the front door", () => {
  it("drops forwarding headers from an untrusted peer and keeps them from a trusted proxy", () => {
    const raw: [string, string][] = [
      ["Host", "console.example.com"],
      ["X-Forwarded-Host", "evil.example"],
      ["X-Forwarded-Proto", "https"],
      ["X-Forwarded-For", "1.2.3.4"],
      ["X-Forwarded-Port", "443"],
      ["Forwarded", "for=1.2.3.4;host=evil.example"],
      ["X-Real-IP", "1.2.3.4"],
      ["Accept", "text/html"],
    ];
    const untrusted = incoming("GET", "/admin", raw);
    expect(admitRequest(untrusted, guarded)).toEqual({ kind: "next" });
    expect(untrusted.headers).toEqual({ host: "console.example.com", accept: "text/html" });
    expect(untrusted.rawHeaders).toEqual(["Host", "console.example.com", "Accept", "text/html"]);

    const proxied = incoming("GET", "/admin", raw);
    admitRequest(proxied, { ...guarded, trustedPeer: true });
    expect(proxied.headers["x-forwarded-host"]).toBe("evil.example");
    expect(proxied.rawHeaders).toHaveLength(raw.length * 2);
  });

  it("decides on the normalised path and hands Next that path", () => {
    const req = incoming("GET", "/v1/%2e%2e/api/auth/csrf?x=1", [["Host", "evil.example"]]);
    expect(admitRequest(req, guarded)).toMatchObject({ kind: "refuse", status: 400, code: "host_not_allowed" });
    const allowed = incoming("GET", "/v1/%2e%2e/api/auth/csrf?x=1", [["Host", "console.example.com"]]);
    expect(admitRequest(allowed, guarded)).toEqual({ kind: "next" });
    expect(allowed.url).toBe("/api/auth/csrf?x=1");
  });

  it("leaves /v1 to the gateway, which checks the host and answers in OpenAI's shape", () => {
    const req = incoming("GET", "/v1/x/../models", [["Host", "evil.example"]]);
    expect(admitRequest(req, guarded)).toEqual({ kind: "v1", path: "/v1/models" });
    expect(req.url).toBe("/v1/models");
    expect(admitRequest(incoming("TRACE", "/v1", [["Host", "evil.example"]]), guarded)).toEqual({ kind: "v1", path: "/v1" });
  });

  it("takes an absolute-form target's host instead of the Host header", () => {
    const req = incoming("GET", "http://evil.example/signin", [["Host", "console.example.com"]]);
    expect(admitRequest(req, guarded)).toMatchObject({ kind: "refuse", code: "host_not_allowed" });
    expect(req.rawHeaders).toEqual(["Host", "evil.example"]);
    const allowed = incoming("GET", "http://console.example.com/signin", [["Host", "evil.example"]]);
    expect(admitRequest(allowed, guarded)).toEqual({ kind: "next" });
    expect([allowed.url, allowed.headers.host]).toEqual(["/signin", "console.example.com"]);
  });

  it("refuses a missing, repeated or malformed Host in JSON, in the gateway's shape on /v1", () => {
    expect(admitRequest(incoming("GET", "/signin", []), open)).toMatchObject({ kind: "refuse", status: 400, code: "invalid_host", message: expect.stringMatching(/no Host header/) });
    expect(admitRequest(incoming("GET", "/signin", [["Host", ""]]), open)).toMatchObject({ code: "invalid_host" });
    expect(admitRequest(incoming("GET", "/signin", [["Host", "a.example"], ["Host", "b.example"]]), open)).toMatchObject({ code: "invalid_host", message: expect.stringMatching(/more than one/) });
    const malformed = incoming("GET", "/v1/models", [["Host", "a.example/evil"]]);
    expect(admitRequest(malformed, open)).toEqual({ kind: "v1", path: "/v1/models", refusal: { code: "invalid_request", message: "The Host header is not a valid host name." } });
    // The gateway builds the Request's URL from the Host header: never from this one.
    expect(malformed.headers.host).toBeUndefined();
    // HTTP/1.0 has no Host requirement; ALLOWED_HOSTS still wants a name it knows.
    expect(admitRequest(incoming("GET", "/signin", [], "1.0"), open)).toEqual({ kind: "next" });
    expect(admitRequest(incoming("GET", "/signin", [], "1.0"), guarded)).toMatchObject({ code: "host_not_allowed" });
    for (const host of ["127.0.0.1:3000", "[::1]:3000", "console.example.com", "xn--bcher-kva.example"]) {
      expect(admitRequest(incoming("GET", "/signin", [["Host", host]]), open)).toEqual({ kind: "next" });
    }
  });

  it("refuses methods the console does not answer with 405 and Allow, and targets that are not paths with 400", () => {
    expect(admitRequest(incoming("TRACE", "/signin", [["Host", "localhost"]]), open)).toEqual({
      kind: "refuse",
      status: 405,
      code: "method_not_allowed",
      message: "TRACE is not allowed here.",
      headers: { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" },
    });
    expect(admitRequest(incoming("OPTIONS", "*", [["Host", "localhost"]]), open)).toMatchObject({ status: 400, code: "invalid_request_target" });
    expect(admitRequest(incoming("DELETE", "/api/admin/keys/x", [["Host", "localhost"]]), open)).toEqual({ kind: "next" });
  });
});
