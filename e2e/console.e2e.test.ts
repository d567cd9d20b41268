// The console in a real Chromium against the production server: sign-in, keys, the
// dashboard, usage and logs on seeded data, language switch, sign-out. Every response the
// browser receives is kept and searched for key hashes and the provider key at the end.
// Screenshots of each page go to e2e/screenshots/ (git-ignored).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { hashSecret } from "@/lib/keys/format";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { waitFor } from "@/test/helpers/ports";
import { launchConsoleBrowser, type ConsoleBrowser } from "./console-browser";
import { fakeOpenAIKey } from "@/test/helpers/fake-secrets";

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, "..");
const SHOTS = join(ROOT, "e2e", "screenshots");
const EMAIL = "admin@example.com";
const PASSWORD = "correct-horse-battery-staple";
const PROVIDER_KEY = fakeOpenAIKey("E2EProviderKeyThatMustNeverReachTheBrowser01");

let server: AppServer;
let browser: ConsoleBrowser;
let page: Page;
let seeded: { keys: { id: string; name: string }[]; hashes: string[] };
let createdSecret = "";

async function shot(name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "akm-e2e-console-"));
  const seed = spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "e2e/console-seed.ts", EMAIL, PASSWORD], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    encoding: "utf8",
  });
  if (seed.status !== 0) throw new Error(`seeding failed: ${seed.stderr}${seed.stdout}`);
  seeded = JSON.parse(seed.stdout.trim().split("\n").at(-1)!);

  server = await startAppServer({ DATA_DIR: dataDir, OPENAI_API_KEY: PROVIDER_KEY });
  // A refused sign-in is a 401 the browser reports on its own; any other error is a bug (CSP included).
  browser = await launchConsoleBrowser(server.url, { ignoreConsole: /status of 401/ });
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("admin console in Chromium", () => {
  it("sends signed-out visitors to the sign-in page and refuses a wrong password", async () => {
    const response = await page.goto(`${server.url}/admin/keys`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/admin/keys");
    expect(response?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-/);
    expect(response?.headers()["x-frame-options"]).toBe("DENY");
    await shot("signin");

    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password").fill("not-my-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectText(page.locator("#signin-error"), "Wrong e-mail address or password.");
  });

  it("signs in and lands where it was going, with the seeded traffic on the dashboard", async () => {
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin/keys`);
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL(`${server.url}/admin`);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    // The browser's zone (Asia/Shanghai) reached the server.
    await expectText(page.getByText(/Times in Asia\/Shanghai/), "Asia/Shanghai");
    const last24h = page.locator("section", { has: page.getByRole("heading", { name: "Last 24 hours" }) });
    const requests = Number((await last24h.locator("dd").first().textContent())!.replace(/,/g, ""));
    expect(requests).toBeGreaterThan(100);
    await page.getByRole("heading", { name: "Top keys (24 h)" }).waitFor();
    await expectText(page.locator("section", { hasText: "Expiring within 7 days" }), "partner-acme");
    await page.locator("canvas").first().waitFor();
    await shot("dashboard");
  });

  it("creates a key, shows it once and copies it", async () => {
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await shot("keys");
    await page.getByRole("button", { name: "Create key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an API key" });
    await dialog.getByLabel("Name").fill("e2e-app");
    await dialog.getByLabel("Daily limit").fill("250");
    await dialog.getByLabel("IP allowlist").fill("not-an-address");
    await dialog.getByRole("button", { name: "Create key" }).click();
    await expectText(dialog.getByText(/is not an IP address/), '"not-an-address" is not an IP address or CIDR range.');
    // The rest of the form survived the error.
    expect(await dialog.getByLabel("Name").inputValue()).toBe("e2e-app");
    await dialog.getByLabel("IP allowlist").fill("127.0.0.1\n10.0.0.0/8");
    await dialog.getByRole("button", { name: "Create key" }).click();

    const secretField = dialog.getByLabel("The new key");
    await secretField.waitFor();
    createdSecret = await secretField.inputValue();
    expect(createdSecret).toMatch(/^sk-akm_[0-9A-Za-z]{46}$/);
    await dialog.getByRole("button", { name: "Copy the key" }).click();
    await expectText(dialog.getByRole("button", { name: "Copy the key" }), "Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(createdSecret);
    await shot("key-created");
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "hidden" });
    // The list was re-rendered by the action's answer, without a page load, and the secret is gone.
    await page.getByRole("link", { name: "e2e-app" }).waitFor();
    expect(await page.content()).not.toContain(createdSecret);
  });

  it("shows a key's page with its settings, today's usage and chart", async () => {
    await page.getByRole("link", { name: "mobile-app" }).click();
    await page.getByRole("heading", { name: "mobile-app" }).waitFor();
    await page.getByRole("progressbar", { name: "Requests today" }).waitFor();
    await page.getByRole("heading", { name: "Recent requests" }).waitFor();
    await page.locator("canvas").first().waitFor();
    await shot("key-detail");
    // Edit a limit: applied at once, and the form says so.
    await page.getByLabel("Daily limit").fill("6000");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expectText(page.getByRole("status").filter({ hasText: "Saved" }), "Saved. The gateway applies it to the next request.");
    await expectText(page.getByRole("progressbar", { name: "Requests today" }).locator(".."), "6,000");
  });

  it("disables the new key from the list", async () => {
    await page.goto(`${server.url}/admin/keys?q=e2e`);
    const toggle = page.getByRole("switch", { name: "Disable e2e-app" });
    await toggle.click();
    await page.getByRole("switch", { name: "Enable e2e-app" }).waitFor();
    await page.reload();
    await expectText(page.getByRole("row", { name: /e2e-app/ }), "Disabled");
    // e2e/console-flow.e2e.test.ts calls the gateway with a key made this way and sees it refused.
  });

  it("shows usage charts, the table and a CSV export for a filtered range", async () => {
    await page.goto(`${server.url}/admin/usage?range=7d`);
    await page.getByRole("heading", { name: "Usage statistics" }).waitFor();
    await waitFor("four charts", async () => expect(await page.locator("canvas").count()).toBe(4));
    expect(await page.getByRole("table", { name: /per period and provider/ }).locator("tbody tr").count()).toBeGreaterThan(10);
    await shot("usage");

    await page.getByLabel("Provider", { exact: true }).selectOption("anthropic");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/provider=anthropic/);
    const providers = await page.getByRole("table", { name: /per period and provider/ }).locator("tbody tr td:nth-child(2)").allTextContents();
    expect(new Set(providers)).toEqual(new Set(["anthropic"]));

    const csv = await page.request.get(`${server.url}/api/console/usage/export?range=7d&provider=anthropic`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("bucket_start,provider,requests,errors,prompt_tokens,completion_tokens,latency_avg_ms");
    expect(lines.length).toBe(providers.length + 1);
  });

  it("shows logs, with the failed sign-in from this test and secrets masked in the details", async () => {
    await page.goto(`${server.url}/admin/logs`);
    await page.getByRole("heading", { name: "System logs" }).waitFor();
    await shot("logs");
    await page.getByLabel("Type", { exact: true }).selectOption("security");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/kind=security/);
    const failed = page.getByRole("row", { name: /signin_failed/ }).first();
    await expectText(failed, "Failed sign-in for admin@example.com");
    await expectText(failed, "127.0.0.1");

    await page.goto(`${server.url}/admin/logs?kind=system`);
    await page.getByRole("row", { name: /upstream_error/ }).getByRole("link").first().click();
    await page.getByRole("heading", { name: /System #/ }).waitFor();
    const text = await page.locator("main").textContent();
    expect(text).toContain("Authorization: Bearer [REDACTED]");
    expect(text).not.toContain("LeakedProviderKey");
    await shot("log-detail");

    await page.goto(`${server.url}/admin/logs?kind=audit&q=e2e-app`);
    await expectText(page.getByRole("row", { name: /key\.disable/ }), `admin:${EMAIL}`);
  });

  it("switches to Chinese, remembers it, and formats for the locale", async () => {
    await page.goto(`${server.url}/admin/keys`);
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.getByRole("heading", { name: "API 密钥" }).waitFor();
    await page.goto(`${server.url}/admin`);
    await page.getByRole("heading", { name: "概览" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
    await shot("dashboard-zh");
    await page.goto(`${server.url}/admin/usage`);
    await page.getByRole("heading", { name: "用量统计" }).waitFor();
    await shot("usage-zh");
  });

  it("works on a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/admin/keys`);
    await page.getByRole("heading", { name: "API 密钥" }).waitFor();
    await shot("keys-mobile");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("signs out; the console is closed again", async () => {
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.waitForURL(/\/signin/);
    await page.goto(`${server.url}/admin`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    const csv = await page.request.get(`${server.url}/api/console/usage/export?range=7d`);
    expect(csv.status()).toBe(401);
    // A first visit (no language cookie) from a browser that prefers Chinese gets Chinese.
    await browser.context.clearCookies();
    const html = await (await page.request.get(`${server.url}/signin`, { headers: { "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5" } })).text();
    expect(html).toContain('<html lang="zh-CN"');
    expect(html).toContain("仅限本网关的管理员。");
  });

  it("never sent a key hash or a provider key to the browser, and the browser saw no errors", () => {
    const { bodies, errors: browserErrors } = browser;
    expect(bodies.filter((b) => b.type.includes("text/x-component") && b.text.length > 0).length).toBeGreaterThan(10);
    const secrets = [...seeded.hashes, hashSecret(createdSecret), PROVIDER_KEY];
    for (const { url, text } of bodies) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`${url} contains a secret (${secret.slice(0, 12)}…)`);
      }
    }
    expect(browserErrors).toEqual([]);
  });
});

async function expectText(locator: ReturnType<Page["locator"]>, expected: string) {
  await waitFor(`text "${expected}"`, async () => expect(await locator.textContent({ timeout: 1000 })).toContain(expected), 15_000);
}
