// Browser side of sign-in and sign-out against next-auth's endpoints (/api/auth/*).
// next-auth/react is not used: it builds absolute URLs from NEXTAUTH_URL at build time,
// and we want the console to work under whatever host name it is reached by.
const BASE = "/api/auth";

export type SignInOutcome = { ok: true; url: string } | { ok: false; reason: "invalid" | "rate_limited" | "unavailable" };

async function csrfToken(): Promise<string> {
  const res = await fetch(`${BASE}/csrf`, { credentials: "same-origin", cache: "no-store" });
  if (!res.ok) throw new Error(`csrf ${res.status}`);
  const body = (await res.json()) as { csrfToken?: string };
  if (!body.csrfToken) throw new Error("no csrf token");
  return body.csrfToken;
}

async function post(path: string, fields: Record<string, string>): Promise<{ status: number; url: string | null }> {
  const res = await fetch(`${BASE}/${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...fields, csrfToken: await csrfToken(), json: "true" }),
  });
  const body = (await res.json().catch(() => ({}))) as { url?: string };
  return { status: res.status, url: body.url ?? null };
}

export async function signInWithPassword(email: string, password: string, callbackUrl: string): Promise<SignInOutcome> {
  try {
    const { status, url } = await post("callback/credentials", { email, password, callbackUrl });
    // next-auth answers with a URL; an `error` query means no.
    const target = url ? new URL(url, window.location.origin) : null;
    const error = target?.searchParams.get("error");
    if (status < 400 && target && !error) return { ok: true, url: target.pathname + target.search };
    if (error === "RateLimited") return { ok: false, reason: "rate_limited" };
    if (error === "CredentialsSignin" || status === 401) return { ok: false, reason: "invalid" };
    return { ok: false, reason: "unavailable" };
  } catch {
    return { ok: false, reason: "unavailable" };
  }
}

/** True once the server has ended the session; false when it could not (try again). */
export async function signOut(): Promise<boolean> {
  try {
    const { status, url } = await post("signout", { callbackUrl: "/signin" });
    // A refused CSRF token is a 200 too, pointing back with `csrf=true`; nothing was ended.
    return status < 400 && !(url && new URL(url, window.location.origin).searchParams.has("csrf"));
  } catch {
    return false;
  }
}
