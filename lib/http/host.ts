// ALLOWED_HOSTS: a request whose Host header names another host is refused, which stops
// DNS rebinding and stray virtual hosts. Entries are host names ("api.example.com"),
// host:port, or ".example.com" for the domain and its subdomains; case does not matter.
// Loopback names are always accepted: a browser tricked by DNS rebinding sends the
// attacker's host name, never these, and the CLI and health checks on the machine itself
// use them.
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isHostAllowed(hostHeader: string | null, allowed: readonly string[]): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.trim().toLowerCase();
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
  if (LOOPBACK.has(name)) return true;
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    if (e.startsWith(".")) return name === e.slice(1) || name.endsWith(e);
    return e === host || e === name;
  });
}
