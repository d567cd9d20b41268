// The stream pump (lib/gateway/stream.ts) writing to a client made of a Writable: read what
// it wrote chunk by chunk (as a client would) or all at once; cancel() goes away as a
// client closing its connection would.
import { Writable } from "node:stream";
import { relayStream, type RelayOptions } from "@/lib/gateway/stream";

export interface RelayClient {
  /** Everything written, once the stream has ended. */
  text(): Promise<string>;
  getReader(): { read(): Promise<{ value?: Uint8Array; done: boolean }>; cancel(): Promise<void> };
}

export function relayToClient(options: Omit<RelayOptions, "out">): RelayClient {
  const written: Buffer[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk);
      notify();
      callback();
    },
    final(callback) {
      ended = true;
      notify();
      callback();
    },
  });
  out.on("close", () => {
    ended = true;
    notify();
  });
  const done = relayStream({ ...options, out });
  let readAt = 0;
  return {
    text: async () => {
      await done;
      await new Promise<void>((resolve) => (ended ? resolve() : out.once("finish", () => resolve())));
      return Buffer.concat(written).toString("utf8");
    },
    getReader: () => ({
      read: async () => {
        while (readAt >= written.length && !ended) await new Promise<void>((resolve) => (wake = resolve));
        if (readAt < written.length) return { value: new Uint8Array(written[readAt++]), done: false };
        return { done: true };
      },
      cancel: async () => {
        out.destroy();
        await done;
      },
    }),
  };
}
