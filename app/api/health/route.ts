import { handleHealth } from "@akm/core/runtime/health";

export const GET = handleHealth;
