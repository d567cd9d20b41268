// Console sessions against the production server, from outside: a session cookie copied
// before sign-out must be refused after it by pages, server actions and the management
// API (sign-out ends the admin's sessions on the server, other devices included); and the
// key form refuses control characters with a form error instead of failing on the
// database.
import type { Page, Request as BrowserRequest } from "playwright-core";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { runCli, runCliJson } from "@/test/helpers/cli";
import { waitFor } from "@/test/helpers/ports";
import { launchConsoleBrowser, type ConsoleBrowser } from "./console-browser";

jest.setTimeout(180_000);

const EMAIL = "admin@example.com";
const PASSWORD = "correct-horse-battery-staple";

let server: AppServer;
let browser: ConsoleBrowser;
let page: Page;
let apiToken: string;

beforeAll(async () => {
  server = await startAppServer();
  const env = { DATA_DIR: server.dataDir };
  const admin = await runCli(["create-admin", "--email", EMAIL, "--password-stdin"], { env, input: PASSWORD });
  if (admin.code !== 0) throw new Error(`create-admin failed: ${admin.stderr}`);
  apiToken = (await runCliJson<{ token: string }>(["tokens", "create", "--name", "e2e-observer"], { env })).token;
  browser = await launchConsoleBrowser(server.url);
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A request as another machine would send it: only the headers given, cookies included. */
function replay(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { redirect: "manual", ...init });
}

/** Signs in over HTTP as the sign-in form does; returns the Cookie header of the session. */
async function signInOverHttp(): Promise<string> {
  const csrf = await replay("/api/auth/csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const answer = await replay("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie, origin: server.url },
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD, csrfToken, callbackUrl: "/admin", json: "true" }),
  });
  const session = answer.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in over HTTP failed: ${answer.status}`);
  return session.split(";")[0];
}

/**
 * Where the keys page sends a visitor with this cookie: the page itself, or sign-in. The
 * page streams, so a refusal arrives as Next's redirect inside a 200, with no data.
 */
async function pageFor(cookie: string): Promise<string> {
  const answer = await fetch(`${server.url}/admin/keys`, { headers: { cookie } });
  const html = await answer.text();
  const redirect = /<meta id="__next-page-redirect" http-equiv="refresh" content="\d+;url=([^"]+)"/.exec(html);
  if (!redirect) return new URL(answer.url).pathname;
  expect(html).not.toContain("replayed");
  expect(html).not.toContain(EMAIL);
  return new URL(redirect[1].replace(/&amp;/g, "&"), server.url).pathname;
}

async function keysNamed(name: string): Promise<number> {
  const answer = await replay(`/api/admin/keys?search=${name}`, { headers: { authorization: `Bearer ${apiToken}` } });
  return ((await answer.json()) as { total: number }).total;
}

interface CapturedAction {
  headers: Record<string, string>;
  body: string;
}

/** Sends a server action the browser sent, again, with another cookie; returns the action's answer. */
async function replayAction(action: CapturedAction, cookie: string): Promise<string> {
  const headers = Object.fromEntries(Object.entries(action.headers).filter(([name]) => !["cookie", "content-length", "host"].includes(name)));
  const answer = await replay("/admin/keys", { method: "POST", headers: { ...headers, cookie }, body: action.body });
  return answer.text();
}

describe("sign-out", () => {
  let browserCookie: string;
  let otherDevice: string;
  let createKey: CapturedAction;

  it("signs in, and a copied cookie works from elsewhere while the session lasts", async () => {
    await page.goto(`${server.url}/admin/keys`);
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin/keys`);

    // A server action as the browser sends it, to replay later.
    const sent = new Promise<BrowserRequest>((resolve) => page.on("request", (r) => r.headers()["next-action"] && resolve(r)));
    await page.getByRole("button", { name: "Create key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an API key" });
    await dialog.getByLabel("Name").fill("replayed");
    await dialog.getByRole("button", { name: "Create key" }).click();
    await dialog.getByLabel("The new key").waitFor();
    const request = await sent;
    createKey = { headers: await request.allHeaders(), body: request.postData() ?? "" };
    await dialog.getByRole("button", { name: "Done" }).click();

    const cookies = await browser.context.cookies(server.url);
    browserCookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    expect(browserCookie).toContain("next-auth.session-token=");
    otherDevice = await signInOverHttp();

    // The copies work while the session lasts: this is what sign-out has to end.
    expect(await pageFor(browserCookie)).toBe("/admin/keys");
    expect(await replayAction(createKey, browserCookie)).toContain('"ok":true');
    expect(await keysNamed("replayed")).toBe(2);
    expect((await replay("/api/admin/keys", { headers: { cookie: browserCookie } })).status).toBe(200);
    expect(await pageFor(otherDevice)).toBe("/admin/keys");
  });

  it("ends the session on the server: the copied cookie is refused by pages, server actions and the API", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin/);

    expect(await pageFor(browserCookie)).toBe("/signin");
    const action = await replayAction(createKey, browserCookie);
    expect(action).toContain('"code":"unauthorized"');
    expect(action).not.toContain('"ok":true');
    expect(await keysNamed("replayed")).toBe(2);
    const api = await replay("/api/admin/keys", { headers: { cookie: browserCookie } });
    expect(api.status).toBe(401);
    // next-auth's own session endpoint neither reports nor renews it.
    const session = await replay("/api/auth/session", { headers: { cookie: browserCookie } });
    expect(await session.json()).toEqual({});
  });

  it("ends the admin's sessions on other devices too", async () => {
    expect(await pageFor(otherDevice)).toBe("/signin");
    expect((await replay("/api/admin/keys", { headers: { cookie: otherDevice } })).status).toBe(401);
  });

  it("lets the admin sign in again at once", async () => {
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin`);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  });
});

describe("the key form", () => {
  it("refuses a name with control characters with a form error, and keeps what was typed", async () => {
    await page.goto(`${server.url}/admin/keys`);
    await page.getByRole("button", { name: "Create key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an API key" });
    await dialog.getByLabel("Name").fill("bell\u0007name");
    await dialog.getByRole("button", { name: "Create key" }).click();
    await waitFor("the form error", async () => expect(await dialog.getByText(/control characters/).textContent({ timeout: 1000 })).toBeTruthy(), 15_000);
    expect(await dialog.getByLabel("Name").inputValue()).toBe("bell\u0007name");
    expect(await keysNamed("bell")).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});
