import { handleHealth } from "@/lib/server/health";

export const GET = handleHealth;
