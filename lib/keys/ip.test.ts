import { compileAllowlist, parseIpRule } from "./ip";

describe("IP allowlists", () => {
  it("canonicalises addresses and CIDR ranges, IPv4 and IPv6", () => {
    expect(parseIpRule(" 10.0.0.1 ")).toBe("10.0.0.1");
    expect(parseIpRule("10.0.0.0/8")).toBe("10.0.0.0/8");
    expect(parseIpRule("::ffff:192.168.1.2")).toBe("192.168.1.2");
    expect(parseIpRule("2001:db8::/32")).toBe("2001:db8::/32");
    for (const bad of ["", "10.0.0.256", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/8/1", "host.example", "10.0.0.0/x"]) {
      expect(parseIpRule(bad)).toBeNull();
    }
  });

  it("admits everything when empty and an unknown address never otherwise", () => {
    expect(compileAllowlist([])("203.0.113.9")).toBe(true);
    expect(compileAllowlist(["10.0.0.0/8"])(null)).toBe(false);
  });

  it("matches addresses, ranges and IPv4-mapped IPv6 peers", () => {
    const allowed = compileAllowlist(["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]);
    expect(allowed("10.200.3.4")).toBe(true);
    expect(allowed("::ffff:10.1.1.1")).toBe(true);
    expect(allowed("192.168.1.7")).toBe(true);
    expect(allowed("192.168.1.8")).toBe(false);
    expect(allowed("11.0.0.1")).toBe(false);
    expect(allowed("2001:db8:1::5")).toBe(true);
    expect(allowed("2001:db9::1")).toBe(false);
    expect(allowed("not-an-ip")).toBe(false);
  });
});
