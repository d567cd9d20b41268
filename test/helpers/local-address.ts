// An address of this machine that is not loopback, for tests that must call the server
// from "somewhere else" without a second machine: a connection to one of our own
// addresses comes from that address. The machine's own interface address when it has
// one; otherwise (a CI container with no network) a TEST-NET-2 address added to `lo` for
// the test, which needs root (CAP_NET_ADMIN).
import { execFileSync } from "node:child_process";
import { networkInterfaces } from "node:os";

export interface LocalAddress {
  address: string;
  /** Removes the address again if the test added it. */
  release(): void;
}

const ADDED = "198.51.100.77";

export function nonLoopbackAddress(): LocalAddress {
  for (const entries of Object.values(networkInterfaces())) {
    const own = entries?.find((e) => e.family === "IPv4" && !e.internal);
    if (own) return { address: own.address, release: () => undefined };
  }
  try {
    execFileSync("ip", ["addr", "add", `${ADDED}/32`, "dev", "lo"], { stdio: "pipe" });
  } catch (error) {
    throw new Error(
      `this machine has no non-loopback IPv4 address and one cannot be added (run as root, or give the machine a network interface): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { address: ADDED, release: () => execFileSync("ip", ["addr", "del", `${ADDED}/32`, "dev", "lo"], { stdio: "pipe" }) };
}
