// Retention on a real PostgreSQL: the same expectations as on the embedded database.
import { useTestPostgres } from "@/test/helpers/postgres";
import { describeRetention } from "@/test/usage/retention.shared";

const db = useTestPostgres();

describeRetention(() => db.prisma);
