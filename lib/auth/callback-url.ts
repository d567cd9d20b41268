/** Where to go after signing in: a path on this site under /admin, never another origin. */
export function safeCallbackPath(value: string | null | undefined, fallback = "/admin"): string {
  if (!value) return fallback;
  let path = value;
  if (!path.startsWith("/")) {
    // An absolute URL back to this site arrives from next-auth; keep only its path.
    try {
      const url = new URL(path);
      path = url.pathname + url.search;
    } catch {
      return fallback;
    }
  }
  // "//host" and "/\host" are protocol-relative in browsers.
  if (path.startsWith("//") || path.startsWith("/\\")) return fallback;
  return path === "/admin" || path.startsWith("/admin/") || path.startsWith("/admin?") ? path : fallback;
}
