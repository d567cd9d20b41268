// The console's queries and the hourly rollup on a real PostgreSQL (the production
// database), same data and expectations as the embedded-database suites.
import type { PrismaClient } from "@/generated/prisma/client";
import { createPrisma, setDb } from "@/lib/db/client";
import { describeConsoleQueries } from "@/test/console/usage-queries.shared";
import { describeUsageRollup } from "@/test/console/usage-rollup.shared";
import { startPostgres, type PostgresServer } from "@/test/helpers/postgres";

let server: PostgresServer;
let prisma: PrismaClient;

beforeAll(async () => {
  server = await startPostgres();
  await server.migrate();
  prisma = createPrisma(server.url);
  setDb(prisma);
}, 60_000);

afterAll(async () => {
  setDb(undefined);
  await prisma?.$disconnect();
  await server?.stop();
});

describeConsoleQueries(() => prisma);
describeUsageRollup(() => prisma);
