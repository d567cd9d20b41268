import { isV1Path, parseRequestTarget } from "./request-target";

describe("request targets", () => {
  it.each([
    ["/v1/models?x=1", "/v1/models", "?x=1"],
    ["/v1/../signin", "/signin", ""],
    ["/v1/%2e%2e/api/auth/csrf", "/api/auth/csrf", ""],
    ["/v1/.%2E/signin", "/signin", ""],
    ["/v1/%2E./signin", "/signin", ""],
    ["/v1\\..\\signin", "/signin", ""],
    ["/v1/./models/.", "/v1/models/", ""],
    ["/a/../../../signin", "/signin", ""],
    // An encoded slash is not a separator, for the URL parser and for Next alike.
    ["/v1/..%2fsignin", "/v1/..%2fsignin", ""],
    // Repeated slashes stay (Next redirects them); they name no host.
    ["//evil.example/signin", "//evil.example/signin", ""],
  ])("resolves %s to the path Next routes (%s)", (raw, path, search) => {
    expect(parseRequestTarget(raw)).toEqual({ path, search, authority: null });
  });

  it("takes the host of an absolute-form target", () => {
    expect(parseRequestTarget("http://Console.Example.com:8080/v1/../signin?a")).toEqual({ path: "/signin", search: "?a", authority: "console.example.com:8080" });
  });

  it("refuses targets that are not a path or an http URL", () => {
    for (const raw of ["*", "example.com:443", "ftp://x/signin", "http://", ""]) expect(parseRequestTarget(raw)).toBeNull();
  });

  it("knows /v1 and what is under it, and nothing else", () => {
    expect(["/v1", "/v1/", "/v1/models"].map(isV1Path)).toEqual([true, true, true]);
    expect(["/v1models", "/V1/models", "/api/v1", "//v1/models"].map(isV1Path)).toEqual([false, false, false, false]);
  });
});
