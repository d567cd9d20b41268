// System and security events (table `events`): refused keys, IPs and rate limits,
// failed sign-ins, upstream failures. Writing one never fails or delays the caller.
import type { Prisma } from "@/generated/prisma/client";
import { log } from "@/lib/log";
import { getUsageRecorder } from "@/lib/usage/recorder";
import { insertEvent } from "./repository";

export type EventCategory = "system" | "security";
export type EventLevel = "info" | "warn" | "error";

export interface EventInput {
  category: EventCategory;
  level: EventLevel;
  /** Machine-readable kind: invalid_api_key, ip_not_allowed, rate_limited, signin_failed, upstream_error … */
  type: string;
  /** Human-readable, with no secret in it. */
  message: string;
  keyId?: string | null;
  clientIp?: string | null;
  requestId?: string | null;
  details?: Prisma.InputJsonValue;
  createdAt?: Date;
}

/**
 * Writes one event now. The gateway batches its own (lib/usage); this is for rarer ones.
 * When the database does not take it, the usage recorder's journal keeps it until it does.
 */
export async function recordEvent(e: EventInput): Promise<void> {
  try {
    await insertEvent(e);
  } catch (error) {
    log.warn(`[events] could not record ${e.type} now; journaled for later: ${(error as Error).message}`);
    getUsageRecorder().event(e);
  }
}
