// What `GET /api/admin/events` and `cli events list` accept and return. Query values
// arrive as strings (a URL's query, or the CLI's flags turned into the same object).
import { isIP } from "node:net";
import { z } from "zod";
import { normalizeIp } from "@/lib/keys/ip";
import { checkRange, exactText, pageQueryFields } from "@/lib/pagination";
import type { EventCategory, EventLevel } from "./record";

export const EVENT_CATEGORIES = ["system", "security"] as const satisfies readonly EventCategory[];
export const EVENT_LEVELS = ["info", "warn", "error"] as const satisfies readonly EventLevel[];

export const listEventsQuery = z
  .object({
    ...pageQueryFields,
    category: z.enum(EVENT_CATEGORIES, { error: `must be one of ${EVENT_CATEGORIES.join(", ")}` }).optional(),
    level: z.enum(EVENT_LEVELS, { error: `must be one of ${EVENT_LEVELS.join(", ")}` }).optional(),
    type: exactText.optional(),
    keyId: exactText.optional(),
    // Stored as the gateway saw it: IPv4-mapped IPv6 addresses unwrapped.
    clientIp: z
      .string()
      .trim()
      .transform((value, ctx) => {
        const address = normalizeIp(value).toLowerCase();
        if (!isIP(address)) {
          ctx.addIssue({ code: "custom", message: `must be an IP address, got "${value.slice(0, 60)}"` });
          return z.NEVER;
        }
        return address;
      })
      .optional(),
  })
  .strict()
  .superRefine(checkRange);
export type ListEventsQuery = z.input<typeof listEventsQuery>;

/** One system or security event; message and details with anything shaped like a secret masked. */
export interface EventListItem {
  id: string;
  createdAt: string;
  category: EventCategory;
  level: EventLevel;
  type: string;
  message: string;
  keyId: string | null;
  clientIp: string | null;
  requestId: string | null;
  details: unknown;
}
