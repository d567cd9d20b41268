// The client's address. Route handlers cannot see the socket, and Next fills in
// X-Forwarded-For only when the client did not send one, so a client could claim any
// address. Our server (lib/server/start.ts) therefore overwrites PEER_HEADER with the
// socket's address on every request, and X-Forwarded-For is believed only when that peer
// is a trusted proxy (TRUSTED_PROXIES).
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { getEnv } from "@/lib/config/env";
import { compileAllowlist, normalizeIp, type IpMatcher } from "@/lib/keys/ip";

export const PEER_HEADER = "x-akm-peer";

let peerHeaderSet = false;
let trusted: IpMatcher | undefined;

/** Called by our server once it strips and sets PEER_HEADER on every request. */
export function markPeerHeaderTrusted(): void {
  peerHeaderSet = true;
}

function trustedProxies(): IpMatcher {
  if (!trusted) {
    const rules = getEnv().TRUSTED_PROXIES;
    trusted = rules.length ? compileAllowlist(rules) : () => false;
  }
  return trusted;
}

/** The client address, or null when it cannot be known (not served by our server). */
export function clientIp(headers: Headers): string | null {
  return resolveClientIp(headers.get(PEER_HEADER), headers.get("x-forwarded-for"));
}

/** The same, from node:http's headers (the gateway, which our server calls directly). */
export function clientIpOf(headers: IncomingHttpHeaders): string | null {
  const forwarded = headers["x-forwarded-for"];
  return resolveClientIp(headers[PEER_HEADER] as string | undefined, Array.isArray(forwarded) ? forwarded.join(",") : forwarded);
}

function resolveClientIp(peer: string | null | undefined, forwardedFor: string | null | undefined): string | null {
  if (!peerHeaderSet || !peer) return null;
  const trusted = trustedProxies();
  let address = normalizeIp(peer);
  if (!trusted(address)) return address;
  // Walk X-Forwarded-For from the nearest hop back, past every trusted proxy.
  const hops = (forwardedFor ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]);
    if (!isIP(hop)) break; // garbage from the client: keep the last address we can vouch for
    address = hop;
    if (!trusted(address)) return address;
  }
  return address;
}

/**
 * The socket's own address as our server saw it, never X-Forwarded-For; null when the
 * request did not come through our server (PEER_HEADER could then be the client's own).
 */
export function socketPeer(headers: Headers): string | null {
  if (!peerHeaderSet) return null;
  const peer = headers.get(PEER_HEADER);
  return peer ? normalizeIp(peer) : null;
}

/** True when the request reached us through a trusted proxy, whose X-Forwarded-* headers we may believe. */
export function fromTrustedProxy(headers: Headers): boolean {
  if (!peerHeaderSet) return false;
  return isTrustedProxy(headers.get(PEER_HEADER));
}

/** True when this socket address is in TRUSTED_PROXIES. */
export function isTrustedProxy(address: string | null | undefined): boolean {
  return address ? trustedProxies()(normalizeIp(address)) : false;
}

/** For tests: forget the compiled proxy list after the environment changed. */
export function resetClientIpForTests(): void {
  trusted = undefined;
}
