// Headers in which a proxy describes the original request: the client's address, the host
// and scheme it asked for. From anyone but a trusted proxy (TRUSTED_PROXIES) they are lies
// waiting to be believed: Next compares a server action's Origin with X-Forwarded-Host, so
// a forged one passes its cross-site check. Our server removes them from untrusted peers
// before anything reads them.
const FORWARDING_HEADERS = new Set([
  "forwarded",
  "x-real-ip",
  "x-client-ip",
  "true-client-ip",
  "cf-connecting-ip",
  "fastly-client-ip",
  "x-cluster-client-ip",
  "x-original-host",
  "x-host",
]);

export function isForwardingHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith("x-forwarded-") || FORWARDING_HEADERS.has(lower);
}

/** The same header list without the forwarding headers (Node's flat [name, value, …] form). */
export function withoutForwardingHeaders(rawHeaders: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!isForwardingHeader(rawHeaders[i])) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
}
