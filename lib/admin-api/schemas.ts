// Query strings of the management API that the domain services do not define themselves.
import { z } from "zod";

export const listTokensQuery = z
  .object({
    includeRevoked: z
      .enum(["true", "false"], { error: "must be true or false" })
      .optional()
      .transform((v) => v === "true"),
  })
  .strict();
