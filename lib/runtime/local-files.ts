// Files in DATA_DIR through which the CLI finds a server that holds the embedded database
// (which no second process may open) and authenticates to it. Kept free of heavy imports:
// the CLI reads them before deciding whether to load the database client at all.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** {pid, url} of the running server; written once it is ready, removed when it stops. */
export const SERVER_INFO_FILE = "server.json";
/** The CLI's management token, issued afresh at every server start (mode 0600). */
export const LOCAL_TOKEN_FILE = "cli-token";

export interface ServerInfo {
  pid: number;
  url: string;
}

export function serverInfoPath(dataDir: string): string {
  return join(dataDir, SERVER_INFO_FILE);
}

export function localTokenPath(dataDir: string): string {
  return join(dataDir, LOCAL_TOKEN_FILE);
}

/** The running server's details, or null when the file is missing or unreadable. */
export function readServerInfo(dataDir: string): ServerInfo | null {
  try {
    const info = JSON.parse(readFileSync(/*turbopackIgnore: true*/ serverInfoPath(dataDir), "utf8")) as Partial<ServerInfo>;
    return Number.isInteger(info.pid) && typeof info.url === "string" ? { pid: info.pid!, url: info.url } : null;
  } catch {
    return null;
  }
}
