import { resetEnvForTests } from "@/lib/config/env";
import { clientIp, markPeerHeaderTrusted, PEER_HEADER, resetClientIpForTests } from "./client-ip";

const headers = (h: Record<string, string>) => new Headers(h);

describe("client IP", () => {
  afterEach(() => {
    delete process.env.TRUSTED_PROXIES;
    resetEnvForTests();
    resetClientIpForTests();
  });

  it("is unknown unless our server vouches for the peer header", () => {
    // Before markPeerHeaderTrusted() a client could have sent the header itself.
    expect(clientIp(headers({ [PEER_HEADER]: "10.0.0.1" }))).toBeNull();
    markPeerHeaderTrusted();
    expect(clientIp(headers({ [PEER_HEADER]: "10.0.0.1" }))).toBe("10.0.0.1");
  });

  it("ignores X-Forwarded-For from an untrusted peer", () => {
    markPeerHeaderTrusted();
    expect(clientIp(headers({ [PEER_HEADER]: "203.0.113.5", "x-forwarded-for": "10.0.0.1" }))).toBe("203.0.113.5");
  });

  it("walks X-Forwarded-For back past trusted proxies only", () => {
    markPeerHeaderTrusted();
    process.env.TRUSTED_PROXIES = "127.0.0.1,10.0.0.0/8";
    resetEnvForTests();
    resetClientIpForTests();
    const h = (xff: string) => headers({ [PEER_HEADER]: "::ffff:127.0.0.1", "x-forwarded-for": xff });
    expect(clientIp(h("198.51.100.7"))).toBe("198.51.100.7");
    // The client prepended a fake address; the proxies appended the real one.
    expect(clientIp(h("1.2.3.4, 198.51.100.7, 10.1.2.3"))).toBe("198.51.100.7");
    expect(clientIp(h("garbage, 10.1.2.3"))).toBe("10.1.2.3");
    expect(clientIp(headers({ [PEER_HEADER]: "127.0.0.1" }))).toBe("127.0.0.1");
  });
});
