import { handleHealth } from "@akm/core/server/health";

export const GET = handleHealth;
