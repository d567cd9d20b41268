// The request target as Next will route it. Next resolves dot segments, percent-encoded
// dots ("%2e%2e") and backslashes the way the WHATWG URL parser does, so a raw target
// such as "/v1/%2e%2e/signin" is the console's /signin, not a /v1 path. Every decision
// about a request (which host check, which shape of answer) is made on this form, and
// Next is handed this form, so the two cannot disagree.

export interface RequestTarget {
  /** Normalised path, still percent-encoded ("/signin", "/v1/models"). */
  path: string;
  /** "?…" or "". */
  search: string;
  /** The host of an absolute-form target ("http://host/path"), which HTTP/1.1 says replaces Host. */
  authority: string | null;
}

// Any fixed origin: it only anchors the parse, so "//other/x" stays a path, not a host.
const ANCHOR = "http://target.invalid";

/** origin-form ("/a/../b?q") or absolute-form ("http://host/b"); null for "*", "host:443", another scheme. */
export function parseRequestTarget(raw: string): RequestTarget | null {
  try {
    if (raw.startsWith("/")) {
      const url = new URL(ANCHOR + raw);
      return { path: url.pathname, search: url.search, authority: null };
    }
    if (/^https?:\/\//i.test(raw)) {
      const url = new URL(raw);
      return { path: url.pathname, search: url.search, authority: url.host };
    }
  } catch {
    // not a URL at all
  }
  return null;
}

/** /v1 itself and everything under it: the gateway's, answered in OpenAI's shape. */
export function isV1Path(path: string): boolean {
  return path === "/v1" || path.startsWith("/v1/");
}
