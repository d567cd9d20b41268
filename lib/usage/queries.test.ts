import { useTestDb } from "@/test/helpers/db";
import { describeConsoleQueries } from "@/test/console/usage-queries.shared";

const db = useTestDb();

describeConsoleQueries(() => db.prisma);
