import { useTestDb } from "@/test/helpers/db";
import { describeRetention } from "@/test/usage/retention.shared";

const db = useTestDb();

describeRetention(() => db.prisma);
