// The console's queries and the hourly rollup on a real PostgreSQL (the production
// database), same data and expectations as the embedded-database suites.
import { useTestPostgres } from "@/test/helpers/postgres";
import { describeConsoleQueries } from "@/test/console/usage-queries.shared";
import { describeUsageRollup } from "@/test/console/usage-rollup.shared";

const db = useTestPostgres();

describeConsoleQueries(() => db.prisma);
describeUsageRollup(() => db.prisma);
