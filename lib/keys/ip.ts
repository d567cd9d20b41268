// IP allowlists: single addresses or CIDR ranges, IPv4 and IPv6. node:net's BlockList
// does the matching; IPv4-mapped IPv6 addresses (::ffff:10.0.0.1, what a dual-stack socket
// reports for an IPv4 peer) are unwrapped first so an IPv4 rule matches them.
import { BlockList, isIP } from "node:net";

export function normalizeIp(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** Canonical form of an allowlist entry, or null when it is neither an address nor a CIDR. */
export function parseIpRule(rule: string): string | null {
  const [rawAddress, bits, ...rest] = rule.trim().split("/");
  if (rest.length || !rawAddress) return null;
  const address = normalizeIp(rawAddress);
  const family = isIP(address);
  if (!family) return null;
  if (bits === undefined) return address;
  if (!/^\d{1,3}$/.test(bits)) return null;
  const prefix = Number(bits);
  if (prefix > (family === 4 ? 32 : 128)) return null;
  return `${address}/${prefix}`;
}

export type IpMatcher = (address: string | null) => boolean;

/** Compiles an allowlist; an empty list admits every address, an unknown address never. */
export function compileAllowlist(rules: readonly string[]): IpMatcher {
  if (rules.length === 0) return () => true;
  const list = new BlockList();
  for (const rule of rules) {
    const canonical = parseIpRule(rule);
    if (!canonical) continue; // validated on write; an old bad row must not widen access
    const [address, bits] = canonical.split("/");
    const family = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  // BlockList.check builds SocketAddress objects (~8 µs); the gateway asks about the same
  // few addresses on every request, so answers are remembered (bounded).
  const seen = new Map<string, boolean>();
  return (raw) => {
    if (!raw) return false;
    let allowed = seen.get(raw);
    if (allowed === undefined) {
      const address = normalizeIp(raw);
      const family = isIP(address);
      allowed = family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
      if (seen.size >= 1024) seen.clear();
      seen.set(raw, allowed);
    }
    return allowed;
  };
}
