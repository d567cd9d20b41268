// The whole path an operator and an application take, on a fresh install: the production
// server (`node server.mjs`, embedded database) with the fake OpenAI upstream; the admin
// made by `npm run create-admin` while the server runs (the CLI goes through it); then in
// Chromium: sign in, create a key by keyboard and copy it, call /v1/chat/completions with
// it through the official openai client (JSON and a stream), find the calls on the
// dashboard, the usage page, the key's page; disable the key and see the next call
// refused and the refusal in the logs; switch to Chinese; sign out. Records are written
// by the server's usage recorder every ~500 ms, so pages are reloaded until they show
// them. Screenshots: e2e/screenshots/flow-*.png (git-ignored).
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import OpenAI from "openai";
import type { Locator, Page } from "playwright-core";
import { startFakeOpenAI, type FakeOpenAI } from "@/test/fakes/openai";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { runCli } from "@/test/helpers/cli";
import { waitFor } from "@/test/helpers/ports";
import { launchConsoleBrowser, type ConsoleBrowser } from "./console-browser";

jest.setTimeout(240_000);

const SHOTS = join(resolve(__dirname, ".."), "e2e", "screenshots");
const EMAIL = "ops@example.com";
const PASSWORD = "flow-test-password-42";

let fake: FakeOpenAI;
let server: AppServer;
let browser: ConsoleBrowser;
let page: Page;
let secret = "";

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `flow-${name}.png`), fullPage: true });
/** A link of the console's main navigation. */
const nav = (name: string) => page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true });
const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 20_000 });

/** Reloads until `check` passes: the page shows what the recorder has flushed by then. */
async function reloadUntil(what: string, check: () => Promise<void>) {
  await waitFor(what, async () => {
    await page.reload();
    await check();
  }, 30_000);
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent({ timeout: 2000 })) ?? "";
}

/** Marks the document; a full page load would lose the mark. */
async function markDocument() {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}
async function expectSameDocument() {
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fake = await startFakeOpenAI();
  server = await startAppServer({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl });
  browser = await launchConsoleBrowser(server.url);
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
});

describe("from a fresh install to a refused key, in Chromium", () => {
  it("creates the first admin with `npm run create-admin` while the server runs", async () => {
    const result = await runCli(["--email", EMAIL, "--password-stdin"], { npmScript: "create-admin", input: `${PASSWORD}\n`, env: { DATA_DIR: server.dataDir } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created admin ${EMAIL}. Sign in to the console with this e-mail.`);
  });

  it("signs in and finds an empty console that says so", async () => {
    await page.goto(`${server.url}/admin`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    await shot("signin");
    await page.getByLabel("E-mail").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Password").press("Enter");
    await page.waitForURL(`${server.url}/admin`);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByText("No traffic in the last 24 hours.").count()).toBe(2);
    expect(await page.getByText("No requests in this range.").count()).toBeGreaterThan(0);
    await shot("dashboard-empty");

    // A key that does not exist: said so inside the console, not a bare error page.
    await page.goto(`${server.url}/admin/keys/no-such-key`);
    await page.getByRole("heading", { name: "Not found" }).waitFor();

    await nav("API keys").click();
    await page.getByText("No API keys yet").waitFor();
    await shot("keys-empty");
  });

  it("creates a key with the keyboard alone and copies it, without a page load", async () => {
    await markDocument();
    await page.getByRole("button", { name: "Create key" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Create an API key" });
    await dialog.waitFor();
    // The dialog takes the focus: its first field.
    await page.keyboard.type("flow-app");
    expect(await dialog.getByLabel("Name").inputValue()).toBe("flow-app");
    await dialog.getByLabel("Daily limit").focus();
    await page.keyboard.type("50");
    await page.keyboard.press("Enter");
    const field = dialog.getByLabel("The new key");
    await field.waitFor();
    secret = await field.inputValue();
    expect(secret).toMatch(/^sk-akm_[0-9A-Za-z]{46}$/);
    await dialog.getByRole("button", { name: "Copy the key" }).focus();
    await page.keyboard.press("Enter");
    await waitFor("the copy to finish", async () => expect(await textOf(dialog.getByRole("button", { name: "Copy the key" }))).toBe("Copied"));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await shot("key-created");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("link", { name: "flow-app" }).waitFor();
    await expectSameDocument();
    expect(await page.content()).not.toContain(secret);
  });

  it("calls /v1/chat/completions with the copied key through the openai client, JSON and streamed", async () => {
    const openai = client(secret);
    const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }] });
    expect(completion.choices[0].message.content).toBe("word0 word1 word2 ");
    expect(completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: 3 });

    const stream = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Count to three" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("word0 word1 word2 ");
    expect(usage?.completion_tokens).toBe(3);
    expect(fake.requests.filter((r) => r.authorized && r.path === "/v1/chat/completions")).toHaveLength(2);
  });

  it("shows the two calls on the dashboard", async () => {
    await nav("Dashboard").click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const today = page.locator("section", { has: page.getByRole("heading", { name: "Today", exact: true }) });
    await reloadUntil("the dashboard to count the calls", async () => {
      expect(await textOf(today.locator("dd").first())).toBe("2");
    });
    // Requests, then the success rate.
    expect(await textOf(today.locator("dd").nth(1))).toBe("100%");
    expect(await textOf(page.locator("section", { has: page.getByRole("heading", { name: "Top keys (24 h)" }) }).locator("table"))).toContain("flow-app");
    const models = await textOf(page.locator("section", { has: page.getByRole("heading", { name: "Top models (24 h)" }) }).locator("table"));
    expect(models).toContain("gpt-4o-mini");
    expect(models).toContain("gpt-4o");
    await page.locator("canvas").first().waitFor();
    await shot("dashboard");
  });

  it("shows them in the usage chart and table, by provider", async () => {
    await page.goto(`${server.url}/admin/usage?range=1h`);
    await page.getByRole("heading", { name: "Usage statistics" }).waitFor();
    const table = page.getByRole("table", { name: /per period and provider/ });
    await reloadUntil("the usage table to list the calls", async () => {
      const rows = await table.locator("tbody tr").allTextContents();
      expect(rows.join("\n")).toContain("openai");
    });
    const requests = (await table.locator("tbody tr td:nth-child(3)").allTextContents()).reduce((n, t) => n + Number(t.replace(/,/g, "")), 0);
    expect(requests).toBe(2);
    expect(await page.locator("canvas").count()).toBe(4);
    await shot("usage");
  });

  it("shows the calls on the key's page against its daily limit", async () => {
    await nav("API keys").click();
    await page.getByRole("link", { name: "flow-app" }).click();
    await page.getByRole("heading", { name: "flow-app" }).waitFor();
    const bar = page.getByRole("progressbar", { name: "Requests today" });
    await reloadUntil("the key page to count today's calls", async () => {
      expect(await bar.getAttribute("aria-valuenow")).toBe("2");
    });
    expect(await bar.getAttribute("aria-valuemax")).toBe("50");
    expect(await textOf(bar.locator(".."))).toContain("2 of 50");
    const recent = page.locator("section", { has: page.getByRole("heading", { name: "Recent requests" }) }).locator("tbody tr");
    expect(await recent.count()).toBe(2);
    expect((await recent.allTextContents()).join(" ")).toContain("gpt-4o-mini");
    await shot("key-detail");
  });

  it("disables the key from the keyboard; the next call is refused with a 401", async () => {
    await nav("API keys").click();
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await markDocument();
    await page.getByRole("switch", { name: "Disable flow-app" }).focus();
    await page.keyboard.press("Space");
    await page.getByRole("switch", { name: "Enable flow-app" }).waitFor();
    expect(await textOf(page.getByRole("row", { name: /flow-app/ }))).toContain("Disabled");
    await expectSameDocument();
    await shot("key-disabled");

    const refused = await client(secret)
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Still there?" }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused).toMatchObject({ status: 401, code: "api_key_disabled" });
    expect(fake.requests.filter((r) => r.path === "/v1/chat/completions")).toHaveLength(2);
  });

  it("shows the refusal in the logs as a security event of the key, labelled, with its detail", async () => {
    await nav("Logs").click();
    await page.getByRole("heading", { name: "System logs" }).waitFor();
    await page.getByLabel("Type", { exact: true }).selectOption("security");
    await page.getByLabel("Event", { exact: true }).selectOption({ label: "Disabled key used" });
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/type=key_disabled/);
    const row = page.getByRole("row", { name: /Disabled key used/ });
    await reloadUntil("the refusal to reach the logs", async () => {
      expect(await row.count()).toBe(1);
    });
    expect(await textOf(row)).toContain("flow-app");
    expect(await textOf(row)).toContain("This API key has been disabled.");
    expect(await textOf(row)).toContain("127.0.0.1");
    await shot("logs-refusal");
    await row.getByRole("link").first().click();
    await page.getByRole("heading", { name: /Security #/ }).waitFor();
    const detail = await textOf(page.locator("main"));
    expect(detail).toContain("Disabled key used");
    expect(detail).toContain("key_disabled");
    expect(detail).toContain("flow-app");
    await shot("log-detail");

    // The audit log has the console's own changes, by this admin.
    await page.goto(`${server.url}/admin/logs?kind=audit`);
    await page.getByRole("row", { name: /Key disabled/ }).waitFor();
    expect(await textOf(page.getByRole("row", { name: /Key disabled/ }))).toContain(`admin:${EMAIL}`);
  });

  it("switches to Chinese and keeps it, with the logs' labels translated", async () => {
    await page.goto(`${server.url}/admin/logs?type=key_disabled`);
    await page.getByLabel("Language").selectOption("zh-CN");
    await page.getByRole("heading", { name: "系统日志" }).waitFor();
    await page.getByRole("row", { name: /使用了已停用的密钥/ }).first().waitFor();
    await shot("logs-zh");
    await page.goto(`${server.url}/admin`);
    await page.getByRole("heading", { name: "概览" }).waitFor();
    await shot("dashboard-zh");
  });

  it("signs out; the console and its routes are closed", async () => {
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.waitForURL(/\/signin/);
    await page.goto(`${server.url}/admin/keys`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect((await page.request.get(`${server.url}/api/console/usage/export?range=1h`)).status()).toBe(401);
    expect((await page.request.get(`${server.url}/api/admin/keys`)).status()).toBe(401);
  });

  it("showed the key's secret once, and never a provider key; the browser saw no errors", () => {
    const { bodies, errors } = browser;
    expect(bodies.filter((b) => b.type.includes("text/x-component")).length).toBeGreaterThan(10);
    // The create action's answer, and nothing before or after it.
    expect(bodies.filter((b) => b.text.includes(secret)).map((b) => `${b.method} ${new URL(b.url).pathname}`)).toEqual(["POST /admin/keys"]);
    for (const { url, text } of bodies) {
      if (text.includes(fake.apiKey)) throw new Error(`${url} contains the provider key`);
    }
    expect(errors).toEqual([]);
  });
});
