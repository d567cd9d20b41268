import { defineConfig } from "prisma/config";

// Only the Prisma CLI reads this file. The app picks its driver in lib/db/client.ts and
// applies migrations with lib/db/migrate.ts, so a datasource is set only when an
// operator points the CLI at a PostgreSQL server (for example `prisma studio`).
const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  ...(url && /^postgres(ql)?:\/\//.test(url) ? { datasource: { url } } : {}),
});
