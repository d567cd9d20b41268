import { useTestDb } from "@/test/helpers/db";
import { describeRecordLists } from "./record-lists.shared";

const db = useTestDb();

describeRecordLists(() => db.prisma);
