// The gateway's key check: format and checksum (no I/O), then hash → cache → database.
// Refusal reasons are returned, not thrown: the gateway maps them to OpenAI errors and
// security events in one place.
import { getEnv } from "@/lib/config/env";
import { keyCache, toCachedKey, type CachedKey } from "./cache";
import { parseSecret } from "./format";
import { findKeyByHash, findKeyIdsChangedSince, readDatabaseClock } from "./repository";
import { log } from "@/lib/log";

export type KeyRefusal = "missing" | "malformed" | "unknown" | "disabled" | "expired";

/** A refusal names the key when the secret was a real one (disabled or expired), so its logs can show it. */
export type KeyLookup = { ok: true; key: CachedKey } | { ok: false; reason: KeyRefusal; prefix?: string; keyId?: string };

const inflight = new Map<string, Promise<CachedKey | null>>();

async function loadByHash(hash: string): Promise<CachedKey | null> {
  const row = await findKeyByHash(hash);
  return row ? toCachedKey(row) : null;
}

/** Resolves a bearer secret to an admissible key, or says why not. */
export async function lookupKey(secret: string | null, now = Date.now()): Promise<KeyLookup> {
  if (!secret) return { ok: false, reason: "missing" };
  const parsed = parseSecret("apiKey", secret);
  if (!parsed.ok) return { ok: false, reason: "malformed" };
  startChangePoller();
  let key = keyCache.get(parsed.hash);
  if (key === undefined) {
    let pending = inflight.get(parsed.hash);
    if (!pending) {
      // One query per hash however many requests arrive with it at once.
      pending = loadByHash(parsed.hash).finally(() => inflight.delete(parsed.hash));
      inflight.set(parsed.hash, pending);
    }
    key = await pending;
    keyCache.set(parsed.hash, key);
  }
  if (!key) return { ok: false, reason: "unknown", prefix: parsed.prefix };
  if (key.expiresAt <= now) return { ok: false, reason: "expired", prefix: key.prefix, keyId: key.id };
  if (!key.enabled) return { ok: false, reason: "disabled", prefix: key.prefix, keyId: key.id };
  return { ok: true, key };
}

export function isModelAllowed(key: CachedKey, model: string): boolean {
  if (!key.allowedModels) return true;
  if (key.allowedModels.has(model)) return true;
  // "provider/model" and the bare model name mean the same model.
  const slash = model.indexOf("/");
  return slash > 0 && key.allowedModels.has(model.slice(slash + 1));
}

const POLL_MS = 500;
const OVERLAP_MS = 5_000;
let poller: { timer: NodeJS.Timeout; since: Date | null } | undefined;

// Other instances change keys only when they share a PostgreSQL server; the embedded
// database has one process, which evicts what it changes itself.
export function startChangePoller(): void {
  if (poller || getEnv().database !== "postgres") return;
  const state: { timer: NodeJS.Timeout; since: Date | null } = { timer: undefined as unknown as NodeJS.Timeout, since: null };
  let running = false;
  // While the database is away the poll fails twice a second: say so once a minute, and
  // when it answers again (the next poll then catches up on what changed meanwhile).
  let failures = 0;
  state.timer = setInterval(() => {
    if (running) return;
    running = true;
    pollChangedKeys(state)
      .then(() => {
        if (failures > 0) log.warn(`[keys] change poll works again after ${failures} failed attempt(s)`);
        failures = 0;
      })
      .catch((error) => {
        if (failures++ % 120 === 0) log.warn(`[keys] change poll failed (attempt ${failures}): ${(error as Error).message}`);
      })
      .finally(() => (running = false));
  }, POLL_MS);
  state.timer.unref();
  poller = state;
}

async function pollChangedKeys(state: { since: Date | null }): Promise<void> {
  const now = await readDatabaseClock();
  if (state.since) {
    // The overlap covers transactions that committed after the previous poll with an earlier timestamp.
    for (const id of await findKeyIdsChangedSince(new Date(state.since.getTime() - OVERLAP_MS))) keyCache.evict(id);
  } else {
    keyCache.clear(); // anything cached before the first poll may predate a change
  }
  state.since = now;
}

export function stopChangePoller(): void {
  if (poller) clearInterval(poller.timer);
  poller = undefined;
}
