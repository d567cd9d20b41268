"use client";
import { useRouter } from "next/navigation";
import type { ClientKey } from "@/lib/console/key-views";
import { DeleteKeyButton, EnabledSwitch, RotateKeyButton, type KeyActions } from "./key-actions";

export function KeyHeaderActions({ keyView, actions }: { keyView: ClientKey; actions: KeyActions }) {
  const router = useRouter();
  return (
    <div className="flex items-center gap-3">
      <EnabledSwitch keyView={keyView} action={actions.setEnabled} />
      <RotateKeyButton keyView={keyView} action={actions.rotate} />
      <DeleteKeyButton keyView={keyView} action={actions.remove} onDeleted={() => router.push("/admin/keys")} />
    </div>
  );
}
