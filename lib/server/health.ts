import { getDb } from "@/lib/db/client";

/** Liveness and database reachability, for load balancers and compose health checks. */
export async function handleHealth(): Promise<Response> {
  try {
    await getDb().$queryRaw`SELECT 1`;
    return Response.json({ status: "ok" });
  } catch {
    return Response.json({ status: "unavailable", database: "unreachable" }, { status: 503 });
  }
}
