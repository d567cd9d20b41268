// The database's own check, for whoever must know whether it answers without querying a
// table: the health route (lib/runtime/health.ts) and the usage recorder, which tells an
// outage from a row the database refuses.
import { getDb, type Db } from "./client";

/** Whether the database (the process's, or `db`) answers a query now. */
export async function databaseAnswers(db?: Db): Promise<boolean> {
  try {
    await (db ?? getDb()).$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
