// GET /api/health: the process is up and its database answers. For load balancers and
// compose health checks; it says nothing about the providers.
import { databaseAnswers } from "@/lib/db/health";

/** Liveness and database reachability, for load balancers and compose health checks. */
export async function handleHealth(): Promise<Response> {
  return (await databaseAnswers())
    ? Response.json({ status: "ok" })
    : Response.json({ status: "unavailable", database: "unreachable" }, { status: 503 });
}
