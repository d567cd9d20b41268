// Debian's Chromium for the console's end-to-end suites, with every answer the browser
// gets from the server kept for the security checks (no key hash, provider key or second
// showing of a secret may reach the browser). Answers are taken through route.fetch: the
// browser's own response events lose the bodies of streamed React Server Component
// answers, server actions' included, which are exactly the ones to check.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export interface CapturedBody {
  method: string;
  url: string;
  status: number;
  type: string;
  text: string;
}

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Every answer from `origin`, in order. */
  bodies: CapturedBody[];
  /** Uncaught page errors and console errors (CSP violations included). */
  errors: string[];
  close(): Promise<void>;
}

export async function launchConsoleBrowser(origin: string, options: { ignoreConsole?: RegExp } = {}): Promise<ConsoleBrowser> {
  const profileDir = mkdtempSync(join(tmpdir(), "akm-chromium-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 860 },
    locale: "en-US",
    timezoneId: "Asia/Shanghai",
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  const bodies: CapturedBody[] = [];
  await context.route(
    (url) => url.origin === origin,
    async (route) => {
      // Redirects go back to the browser as they are, so it follows them itself.
      const response = await route.fetch({ maxRedirects: 0 }).catch(() => null);
      if (!response) return route.abort().catch(() => undefined);
      const body = await response.body();
      const type = response.headers()["content-type"] ?? "";
      bodies.push({ method: route.request().method(), url: route.request().url(), status: response.status(), type, text: /^(image|font)\//.test(type) ? "" : body.toString("utf8") });
      await route.fulfill({ response, body }).catch(() => undefined);
    },
  );
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !options.ignoreConsole?.test(message.text())) errors.push(message.text());
  });
  return {
    context,
    page,
    bodies,
    errors,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}
