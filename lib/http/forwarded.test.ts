import { isForwardingHeader, withoutForwardingHeaders } from "./forwarded";

describe("forwarding headers", () => {
  it("knows the headers proxies describe the original request with", () => {
    for (const name of ["X-Forwarded-For", "x-forwarded-host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix", "Forwarded", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP"]) {
      expect(isForwardingHeader(name)).toBe(true);
    }
    for (const name of ["Host", "Origin", "Authorization", "X-Forwarded", "X-Request-Id"]) expect(isForwardingHeader(name)).toBe(false);
  });

  it("removes them from Node's flat header list, keeping the rest in order", () => {
    expect(withoutForwardingHeaders(["Host", "a", "X-Forwarded-Host", "b", "Accept", "c", "forwarded", "d"])).toEqual(["Host", "a", "Accept", "c"]);
  });
});
