/** @jest-environment jsdom */
import "@testing-library/jest-dom";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ActionResult } from "@/lib/console/errors";
import type { ClientKey, KeyWithSecret } from "@/lib/console/key-views";
import { renderConsole } from "@/test/console/render";
import type { KeyActions } from "./key-actions";
import { KeyTable } from "./key-table";

function key(overrides: Partial<ClientKey>): ClientKey {
  return {
    id: "k",
    name: "key",
    prefix: "sk-akm_AbC123",
    enabled: true,
    status: "active",
    expiresAt: "2027-03-01T00:00:00.000Z",
    dailyLimit: 1000,
    rateLimit: 60,
    allowedIps: [],
    allowedModels: [],
    lastUsedAt: null,
    rotatedAt: null,
    createdAt: "2026-06-01T00:00:00.000Z",
    createdBy: "cli",
    ...overrides,
  };
}

const KEYS = [
  key({ id: "a", name: "mobile-app", dailyLimit: 25000, lastUsedAt: "2026-06-15T10:00:00.000Z" }),
  key({ id: "b", name: "batch-jobs", enabled: false, status: "disabled", prefix: "sk-akm_ZyX987" }),
  key({ id: "c", name: "old-demo", status: "expired", expiresAt: "2026-01-01T00:00:00.000Z" }),
];

/** Records calls and answers as the real actions would for a key that exists. */
function recordingActions(answer?: Partial<{ setEnabled: ActionResult<{ key: ClientKey }> }>) {
  const calls: string[] = [];
  const actions: KeyActions = {
    setEnabled: async ({ id, enabled }) => {
      calls.push(`setEnabled ${id} ${enabled}`);
      return answer?.setEnabled ?? { ok: true, data: { key: key({ id, enabled }) } };
    },
    rotate: async ({ id }): Promise<ActionResult<KeyWithSecret>> => {
      calls.push(`rotate ${id}`);
      return { ok: true, data: { key: key({ id }), secret: "sk-akm_RotatedSecret000000000000000000000000000AbCdEf" } };
    },
    remove: async ({ id }) => {
      calls.push(`remove ${id}`);
      return { ok: true, data: { id } };
    },
  };
  return { actions, calls };
}

describe("key table", () => {
  it("lists keys with status, limits and dates formatted for the admin", () => {
    renderConsole(<KeyTable keys={KEYS} actions={recordingActions().actions} filtered={false} />, "en", "Asia/Shanghai");
    const rows = within(screen.getByRole("table", { name: "API keys" })).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getByRole("link").textContent)).toEqual(["mobile-app", "batch-jobs", "old-demo"]);
    expect(within(rows[1]).getByText("sk-akm_ZyX987…")).toBeInTheDocument();
    expect(within(rows[0]).getByText("Active")).toBeInTheDocument();
    expect(within(rows[1]).getByText("Disabled")).toBeInTheDocument();
    expect(within(rows[2]).getByText("Expired")).toBeInTheDocument();
    expect(within(rows[0]).getByText("25,000")).toBeInTheDocument();
    expect(within(rows[0]).getByText("Jun 15, 2026, 6:00:00 PM")).toBeInTheDocument();
    expect(within(rows[1]).getByText("Never")).toBeInTheDocument();
    expect(within(rows[0]).getByRole("link", { name: "mobile-app" })).toHaveAttribute("href", "/admin/keys/a");
    // An expired key cannot simply be switched back on.
    expect(within(rows[2]).getByRole("switch")).toBeDisabled();
  });

  it("says why it is empty", () => {
    const first = renderConsole(<KeyTable keys={[]} actions={recordingActions().actions} filtered={false} />);
    expect(screen.getByText("No API keys yet")).toBeInTheDocument();
    first.unmount();
    renderConsole(<KeyTable keys={[]} actions={recordingActions().actions} filtered />);
    expect(screen.getByText("No key matches")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("switches a key off and on from its row", async () => {
    const user = userEvent.setup();
    const { actions, calls } = recordingActions();
    renderConsole(<KeyTable keys={KEYS} actions={actions} filtered={false} />);
    const on = screen.getByRole("switch", { name: "Disable mobile-app" });
    expect(on).toHaveAttribute("aria-checked", "true");
    await user.click(on);
    await user.click(screen.getByRole("switch", { name: "Enable batch-jobs" }));
    expect(calls).toEqual(["setEnabled a false", "setEnabled b true"]);
  });

  it("shows why a switch did not work", async () => {
    const user = userEvent.setup();
    const { actions } = recordingActions({ setEnabled: { ok: false, code: "not_found", error: "It no longer exists." } });
    renderConsole(<KeyTable keys={KEYS} actions={actions} filtered={false} />);
    await user.click(screen.getByRole("switch", { name: "Disable mobile-app" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("It no longer exists.");
  });

  it("deletes only after confirmation", async () => {
    const user = userEvent.setup();
    const { actions, calls } = recordingActions();
    renderConsole(<KeyTable keys={KEYS} actions={actions} filtered={false} />);
    await user.click(screen.getByRole("button", { name: "Delete batch-jobs" }));
    const dialog = screen.getByRole("dialog", { name: 'Delete "batch-jobs"?' });
    expect(dialog).toHaveAccessibleDescription(/cannot be undone/);
    // Focus starts on the harmless choice.
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(calls).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Delete batch-jobs" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete key" }));
    expect(calls).toEqual(["remove b"]);
  });

  it("rotates after confirmation and shows the new secret once", async () => {
    const user = userEvent.setup();
    const { actions, calls } = recordingActions();
    renderConsole(<KeyTable keys={KEYS} actions={actions} filtered={false} />);
    await user.click(screen.getByRole("button", { name: "Rotate mobile-app" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Rotate now" }));
    expect(calls).toEqual(["rotate a"]);
    const secret = await screen.findByLabelText("The new key");
    expect(secret).toHaveValue("sk-akm_RotatedSecret000000000000000000000000000AbCdEf");
    await user.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByLabelText("The new key")).not.toBeInTheDocument();
  });
});
