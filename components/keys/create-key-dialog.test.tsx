/** @jest-environment jsdom */
jest.mock("next/navigation", () => ({ ...jest.requireActual("next/navigation"), usePathname: () => "/admin/keys" }));
import "@testing-library/jest-dom";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { actionFailure, fieldErrorsFromIssues, type ActionResult } from "@/lib/console/errors";
import { createKeyForm, type CreateKeyFormInput } from "@/lib/console/key-forms";
import type { KeyWithSecret } from "@/lib/console/key-views";
import { createTranslator, messagesFor } from "@/lib/i18n/translate";
import { renderConsole } from "@/test/console/render";
import { CreateKeyDialog } from "./create-key-dialog";

const SECRET = "sk-akm_TestSecretShownOnce0123456789abcdefghijAbCdEf";
const defaults = { maxDays: 365, dailyLimit: 1000, rateLimit: 60, window: 60 };
const t = createTranslator(messagesFor("en"));

/**
 * Stands in for the server action: the same form schema and error mapping as the real
 * action (lib/console/action.ts), without the database. Records what it was sent.
 */
function validatingAction() {
  const calls: CreateKeyFormInput[] = [];
  const action = async (input: CreateKeyFormInput): Promise<ActionResult<KeyWithSecret>> => {
    calls.push(input);
    const parsed = createKeyForm(defaults.maxDays).safeParse(input);
    if (!parsed.success) return actionFailure("invalid_input", t, fieldErrorsFromIssues(parsed.error.issues, t));
    const now = new Date().toISOString();
    return {
      ok: true,
      data: {
        secret: SECRET,
        key: { id: "k1", name: parsed.data.name, prefix: SECRET.slice(0, 13), enabled: true, status: "active", expiresAt: now, dailyLimit: 1000, rateLimit: 60, allowedIps: [], allowedModels: [], lastUsedAt: null, rotatedAt: null, createdAt: now, createdBy: "admin:a@b.c" },
      },
    };
  };
  return { action, calls };
}

describe("create key dialog", () => {
  it("shows each field's problem next to it and keeps what was typed", async () => {
    const user = userEvent.setup();
    const { action, calls } = validatingAction();
    renderConsole(<CreateKeyDialog action={action} defaults={defaults} />);
    await user.click(screen.getByRole("button", { name: "Create key" }));
    const dialog = screen.getByRole("dialog", { name: "Create an API key" });

    await user.type(within(dialog).getByLabelText("Expires in (days)"), "400");
    await user.type(within(dialog).getByLabelText("Rate limit"), "ten");
    await user.type(within(dialog).getByLabelText("IP allowlist"), "10.0.0.0/8{enter}not-an-ip");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Some fields need attention.");
    expect(within(dialog).getByLabelText("Name")).toHaveAccessibleDescription("Required.");
    expect(within(dialog).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(within(dialog).getByLabelText("Expires in (days)")).toHaveAccessibleDescription(/Must be at most 365\./);
    expect(within(dialog).getByLabelText("Rate limit")).toHaveAccessibleDescription(/Enter a whole number\./);
    expect(within(dialog).getByLabelText("IP allowlist")).toHaveAccessibleDescription(/"not-an-ip" is not an IP address or CIDR range\./);
    // Nothing typed is lost.
    expect(within(dialog).getByLabelText("Rate limit")).toHaveValue("ten");
    expect(within(dialog).getByLabelText("IP allowlist")).toHaveValue("10.0.0.0/8\nnot-an-ip");
    expect(calls).toHaveLength(1);
  });

  it("shows the new key once with a copy button, and forgets it when closed", async () => {
    const user = userEvent.setup();
    const { action, calls } = validatingAction();
    renderConsole(<CreateKeyDialog action={action} defaults={defaults} />);
    await user.click(screen.getByRole("button", { name: "Create key" }));
    let dialog = screen.getByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "ci-bot");
    await user.type(within(dialog).getByLabelText("Allowed models"), "gpt-4o-mini");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));

    expect(await within(dialog).findByText('Key "ci-bot" created.')).toBeInTheDocument();
    expect(calls[0]).toMatchObject({ name: "ci-bot", allowedModels: "gpt-4o-mini", dailyLimit: "" });
    expect(within(dialog).getByLabelText("The new key")).toHaveValue(SECRET);
    expect(within(dialog).getByRole("alert")).toHaveTextContent("It is shown only once");

    await user.click(within(dialog).getByRole("button", { name: "Copy the key" }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(within(dialog).getByRole("button", { name: "Copy the key" })).toHaveTextContent("Copied");

    await user.click(within(dialog).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Create key" }));
    dialog = screen.getByRole("dialog");
    expect(within(dialog).getByLabelText("Name")).toHaveValue("");
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
  });

  it("says so when the session has ended, links to sign in and back, and keeps what was typed", async () => {
    const user = userEvent.setup();
    const signedOut = async (): Promise<ActionResult<KeyWithSecret>> => actionFailure("unauthorized", t);
    renderConsole(<CreateKeyDialog action={signedOut} defaults={defaults} />);
    await user.click(screen.getByRole("button", { name: "Create key" }));
    const dialog = screen.getByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "late-night-key");
    await user.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Your session has ended. Sign in again to continue.");
    expect(within(dialog).getByRole("link", { name: "Sign in again" })).toHaveAttribute("href", "/signin?callbackUrl=%2Fadmin%2Fkeys");
    expect(within(dialog).getByLabelText("Name")).toHaveValue("late-night-key");
  });

  it("closes on Escape", async () => {
    const user = userEvent.setup();
    renderConsole(<CreateKeyDialog action={validatingAction().action} defaults={defaults} />);
    await user.click(screen.getByRole("button", { name: "Create key" }));
    await user.type(screen.getByLabelText("Name"), "x");
    await user.keyboard("{Escape}");
    expect(screen.queryByLabelText("Name")).not.toBeInTheDocument();
  });

  it("speaks Chinese when the console does", async () => {
    const user = userEvent.setup();
    renderConsole(<CreateKeyDialog action={validatingAction().action} defaults={defaults} />, "zh-CN");
    await user.click(screen.getByRole("button", { name: "创建密钥" }));
    expect(screen.getByRole("dialog", { name: "创建 API 密钥" })).toBeInTheDocument();
    expect(screen.getByLabelText("IP 白名单")).toBeInTheDocument();
  });
});
