// Retention on a real PostgreSQL: the same expectations as on the embedded database.
import type { PrismaClient } from "@/generated/prisma/client";
import { createPrisma } from "@/lib/db/client";
import { describeRetention } from "@/test/usage/retention.shared";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";

let server: PostgresServer;
let prisma: PrismaClient;

beforeAll(async () => {
  server = await startPostgres();
  await server.migrate();
  prisma = createPrisma(server.url);
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await server?.stop();
});

describeRetention(() => prisma);
