// The record lists on a real PostgreSQL (the production database), same data and
// expectations as on the embedded database.
import pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { createPrisma, setDb } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";
import { describeRecordLists } from "./record-lists.shared";

let server: PostgresServer;
let prisma: PrismaClient;

beforeAll(async () => {
  server = await startPostgres();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const runner = { exec: (sql: string) => client.query(sql), query: (sql: string, params?: unknown[]) => client.query(sql, params) };
  await applyMigrations(runner);
  await client.end();
  prisma = createPrisma(server.url);
  setDb(prisma);
}, 60_000);

afterAll(async () => {
  setDb(undefined);
  await prisma?.$disconnect();
  await server?.stop();
});

describeRecordLists(() => prisma);
