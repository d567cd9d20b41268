// Runs Next entry points (route handlers, server actions) in a test the way Next would for
// one request: `next/headers` answers from the Request the test is handling. Test files
// opt in with
//   jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);
// Nothing else is replaced: next-auth, the session code and the actions run for real.
import { NextRequest } from "next/server";
import { markPeerHeaderTrusted, PEER_HEADER } from "@/lib/http/client-ip";

let current: Request | null = null;

function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

export const nextHeaders = {
  headers: async () => new Headers(current?.headers),
  cookies: async () => {
    const jar = parseCookies(current?.headers.get("cookie") ?? null);
    return {
      get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      has: (name: string) => jar.has(name),
    };
  },
};

/** Makes `request` the one next/headers describes while `fn` runs. */
export async function withRequest<T>(request: Request, fn: () => Promise<T>): Promise<T> {
  const previous = current;
  current = request;
  try {
    return await fn();
  } finally {
    current = previous;
  }
}

export const ORIGIN = "http://console.test";

/** A request as our server hands it to Next: the socket's address in PEER_HEADER. */
export function consoleRequest(path: string, init: { method?: string; cookie?: string; ip?: string; headers?: Record<string, string>; body?: string } = {}): NextRequest {
  markPeerHeaderTrusted();
  const headers = new Headers(init.headers);
  headers.set("host", new URL(ORIGIN).host);
  headers.set(PEER_HEADER, init.ip ?? "192.0.2.1");
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded");
  return new NextRequest(new URL(path, ORIGIN), { method: init.method ?? "GET", headers, body: init.body });
}

/** name=value pairs of a response's Set-Cookie headers, for the next request's Cookie header. */
export function cookiesFrom(response: Response, previous = ""): string {
  const jar = parseCookies(previous);
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, decodeURIComponent(value));
  }
  return [...jar].map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join("; ");
}
