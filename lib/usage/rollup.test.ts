import { useTestDb } from "@/test/helpers/db";
import { describeUsageRollup } from "@/test/console/usage-rollup.shared";

const db = useTestDb();

describeUsageRollup(() => db.prisma);

describe("usage_hourly on TRUNCATE", () => {
  it("empties with the log", async () => {
    await db.prisma.$executeRaw`TRUNCATE request_logs`;
    expect(await db.prisma.usageHourly.count()).toBe(0);
  });
});
