// In-process cache of verified keys, keyed by hash, so the gateway's hot path does no
// database query for a known key. Three things keep it honest:
//  - this process evicts a key as soon as it changes it (lib/keys/service.ts);
//  - on PostgreSQL, where other instances may change keys, a poller asks every
//    POLL_MS which keys changed (updated_at is set by a trigger with the database's
//    clock) and evicts them, so a change reaches every instance within a second;
//  - entries expire after TTL_MS anyway.
// Unknown hashes are cached as misses: secrets are random, so a hash that matched no key
// can only start matching if that key is created, which evicts it.
import type { KeyStatus } from "@/generated/prisma/client";
import { compileAllowlist, type IpMatcher } from "./ip";

export interface CachedKey {
  id: string;
  name: string;
  prefix: string;
  enabled: boolean;
  status: KeyStatus;
  expiresAt: number;
  dailyLimit: number;
  rateLimit: number;
  allowedModels: ReadonlySet<string> | null;
  ipAllowed: IpMatcher;
  hasIpRules: boolean;
}

export interface KeyRow {
  id: string;
  hash: string;
  name: string;
  prefix: string;
  enabled: boolean;
  status: KeyStatus;
  expiresAt: Date;
  dailyLimit: number;
  rateLimit: number;
  allowedIps: string[];
  allowedModels: string[];
  deletedAt: Date | null;
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  key: CachedKey | null;
  hash: string;
  storedAt: number;
}

export function toCachedKey(row: KeyRow): CachedKey | null {
  if (row.deletedAt) return null;
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    enabled: row.enabled,
    status: row.status,
    expiresAt: row.expiresAt.getTime(),
    dailyLimit: row.dailyLimit,
    rateLimit: row.rateLimit,
    allowedModels: row.allowedModels.length ? new Set(row.allowedModels) : null,
    ipAllowed: compileAllowlist(row.allowedIps),
    hasIpRules: row.allowedIps.length > 0,
  };
}

export class KeyCache {
  private readonly byHash = new Map<string, Entry>();
  private readonly hashById = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The cached verdict for a hash: a key, null for a known miss, undefined when not cached. */
  get(hash: string): CachedKey | null | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt > TTL_MS) {
      this.drop(entry);
      return undefined;
    }
    return entry.key;
  }

  set(hash: string, key: CachedKey | null): void {
    if (this.byHash.size >= MAX_ENTRIES) this.clear(); // crude bound against hash spraying
    const previous = this.byHash.get(hash);
    if (previous) this.drop(previous);
    this.byHash.set(hash, { key, hash, storedAt: this.now() });
    if (key) this.hashById.set(key.id, hash);
  }

  evict(id: string): void {
    const hash = this.hashById.get(id);
    const entry = hash === undefined ? undefined : this.byHash.get(hash);
    if (entry) this.drop(entry);
  }

  /** Forgets cached misses for a hash that has just become a key (create, rotate). */
  evictHash(hash: string): void {
    const entry = this.byHash.get(hash);
    if (entry) this.drop(entry);
  }

  clear(): void {
    this.byHash.clear();
    this.hashById.clear();
  }

  get size(): number {
    return this.byHash.size;
  }

  private drop(entry: Entry): void {
    this.byHash.delete(entry.hash);
    if (entry.key && this.hashById.get(entry.key.id) === entry.hash) this.hashById.delete(entry.key.id);
  }
}

/** The process's cache: the gateway reads it, key changes evict from it. */
export const keyCache = new KeyCache();
