import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { NextRequest } from "next/server";
import { config, proxy } from "@/proxy";

describe("proxy.ts", () => {
  it("runs for the console's pages only, never for the gateway or the management API", () => {
    const runs = (url: string) => unstable_doesMiddlewareMatch({ config, url });
    expect(runs("/admin")).toBe(true);
    expect(runs("/admin/keys/abc")).toBe(true);
    expect(runs("/signin")).toBe(true);
    expect(runs("/v1/chat/completions")).toBe(false);
    expect(runs("/v1/models")).toBe(false);
    expect(runs("/api/admin/keys")).toBe(false);
    expect(runs("/api/auth/csrf")).toBe(false);
    expect(runs("/api/health")).toBe(false);
  });

  it("sends a visitor without a session cookie to sign-in, remembering where they were going", () => {
    const response = proxy(new NextRequest("http://console.test/admin/usage?range=7d"));
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get("location")!, "http://console.test");
    expect(location.pathname).toBe("/signin");
    expect(location.searchParams.get("callbackUrl")).toBe("/admin/usage?range=7d");
  });

  it("lets a visitor with a session cookie through with security headers and a fresh script nonce", () => {
    const request = () => new NextRequest("http://console.test/admin", { headers: { cookie: "next-auth.session-token=x" } });
    const first = proxy(request());
    const second = proxy(request());
    expect(first.status).toBe(200);
    const csp = first.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(second.headers.get("content-security-policy")).not.toBe(csp);
    expect(first.headers.get("x-frame-options")).toBe("DENY");
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    expect(first.headers.get("strict-transport-security")).toBeNull();
  });
});
