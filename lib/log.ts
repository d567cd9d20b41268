// The app's log lines, filtered by LOG_LEVEL, one line each: "[area] message". The
// server's own start and stop lines (lib/server/start.ts) always print. Nothing logged
// may carry a key, a provider key or a password: callers pass messages, not requests.
import { getEnv } from "@/lib/config/env";

const ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof ORDER, "silent">;

function threshold(): number {
  try {
    return ORDER[getEnv().LOG_LEVEL];
  } catch {
    return ORDER.info; // a bad configuration is being reported; say it
  }
}

function emit(level: Level, message: string, detail?: unknown): void {
  if (ORDER[level] < threshold()) return;
  const write = level === "error" ? console.error : level === "warn" ? console.warn : console.log;
  if (detail === undefined) write(message);
  else write(message, detail);
}

export const log = {
  enabled: (level: Level) => ORDER[level] >= threshold(),
  debug: (message: string) => emit("debug", message),
  info: (message: string) => emit("info", message),
  warn: (message: string) => emit("warn", message),
  /** `detail` (e.g. an Error, for its stack) is printed after the message. */
  error: (message: string, detail?: unknown) => emit("error", message, detail),
};
