// The record lists on a real PostgreSQL (the production database), same data and
// expectations as on the embedded database.
import { useTestPostgres } from "@/test/helpers/postgres";
import { describeRecordLists } from "./record-lists.shared";

const db = useTestPostgres();

describeRecordLists(() => db.prisma);
