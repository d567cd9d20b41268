// What `GET /api/admin/requests` and `cli requests list` accept and return. Query values
// arrive as strings (a URL's query, or the CLI's flags turned into the same object).
import { z } from "zod";
import { checkRange, exactText, pageQueryFields } from "@/lib/pagination";

export const listRequestsQuery = z
  .object({
    ...pageQueryFields,
    keyId: exactText.optional(),
    model: exactText.optional(),
    provider: exactText.optional(),
    status: z
      .string()
      .regex(/^[1-5]\d\d$/, "must be an HTTP status code (100–599)")
      .transform(Number)
      .optional(),
    requestId: exactText.optional(),
  })
  .strict()
  .superRefine(checkRange);
export type ListRequestsQuery = z.input<typeof listRequestsQuery>;

/** One recorded /v1 request. Never the key's hash or secret: keyPrefix is its display prefix. */
export interface RequestListItem {
  requestId: string;
  createdAt: string;
  keyId: string | null;
  keyPrefix: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  latencyMs: number;
  ttfbMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  clientIp: string | null;
  stream: boolean;
}
