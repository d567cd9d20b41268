// Signs in through the real next-auth route handler (app/api/auth/[...nextauth]/route.ts),
// as the console's sign-in form does.
import { GET, POST } from "@/app/api/auth/[...nextauth]/route";
import { consoleRequest, cookiesFrom, withRequest } from "./request-context";

const context = (...segments: string[]) => ({ params: Promise.resolve({ nextauth: segments }) });

/** The raw Set-Cookie lines of the last sign-in answer (to check their attributes). */
export let lastSetCookies: string[] = [];

export interface SignInAttempt {
  status: number;
  /** The `error` next-auth reports (CredentialsSignin, RateLimited), or null. */
  error: string | null;
  url: string | null;
  /** Cookie header to send next (includes the session cookie on success). */
  cookie: string;
}

export async function attemptSignIn(email: string, password: string, ip = "192.0.2.1", headers: Record<string, string> = {}): Promise<SignInAttempt> {
  const csrfRequest = consoleRequest("/api/auth/csrf", { ip, headers });
  const csrfResponse = await withRequest(csrfRequest, () => GET(csrfRequest, context("csrf")));
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  let cookie = cookiesFrom(csrfResponse);
  const body = new URLSearchParams({ email, password, csrfToken, callbackUrl: "/admin/keys", json: "true" }).toString();
  const request = consoleRequest("/api/auth/callback/credentials", { method: "POST", ip, cookie, body, headers: { ...headers, origin: "http://console.test" } });
  const response = await withRequest(request, () => POST(request, context("callback", "credentials")));
  cookie = cookiesFrom(response, cookie);
  const { url } = (await response.json()) as { url?: string };
  lastSetCookies = response.headers.getSetCookie();
  const error = url ? new URL(url, "http://console.test").searchParams.get("error") : null;
  return { status: response.status, error, url: url ?? null, cookie };
}

/** Signs in and returns the Cookie header of the session; throws when refused. */
export async function signIn(email: string, password: string, ip?: string): Promise<string> {
  const attempt = await attemptSignIn(email, password, ip);
  if (attempt.status !== 200 || attempt.error) throw new Error(`sign-in refused: ${attempt.status} ${attempt.error}`);
  return attempt.cookie;
}

export interface SignOutAttempt {
  status: number;
  /** The Cookie header after the answer (the session cookie gone when next-auth cleared it). */
  cookie: string;
}

/** Signs out through next-auth's route handler, as the console's sign-out button does. */
export async function signOut(cookie: string, ip = "192.0.2.1"): Promise<SignOutAttempt> {
  const csrfRequest = consoleRequest("/api/auth/csrf", { ip, cookie });
  const csrfResponse = await withRequest(csrfRequest, () => GET(csrfRequest, context("csrf")));
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const withCsrf = cookiesFrom(csrfResponse, cookie);
  const body = new URLSearchParams({ csrfToken, callbackUrl: "/signin", json: "true" }).toString();
  const request = consoleRequest("/api/auth/signout", { method: "POST", ip, cookie: withCsrf, body, headers: { origin: "http://console.test" } });
  const response = await withRequest(request, () => POST(request, context("signout")));
  return { status: response.status, cookie: cookiesFrom(response, withCsrf) };
}

/** GET /api/auth/session, next-auth's own session endpoint (it renews the cookie). */
export async function fetchSession(cookie: string): Promise<{ body: Record<string, unknown>; setCookies: string[] }> {
  const request = consoleRequest("/api/auth/session", { cookie });
  const response = await withRequest(request, () => GET(request, context("session")));
  return { body: (await response.json()) as Record<string, unknown>, setCookies: response.headers.getSetCookie() };
}
