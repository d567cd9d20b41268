jest.mock("next/headers", () => jest.requireActual("@/test/console/request-context").nextHeaders);

import { createAdmin } from "@/lib/admins/service";
import { resetSigninGuardForTests } from "@/lib/auth/signin-guard";
import { useTestDb } from "@/test/helpers/db";
import { consoleRequest } from "@/test/console/request-context";
import { signIn } from "@/test/console/sign-in";
import { seedUsage } from "@/test/console/usage-seed";
import { GET } from "./route";

const db = useTestDb();
let session: string;

beforeAll(async () => {
  await seedUsage(db.prisma);
  resetSigninGuardForTests();
  await createAdmin({ email: "ops@example.com", password: "correct-horse-battery" }, { actor: "cli" });
  session = await signIn("ops@example.com", "correct-horse-battery");
});

const RANGE = "range=custom&from=2026-06-14T12:00&to=2026-06-15T12:00";

describe("GET /api/console/usage/export", () => {
  it("refuses without a console session", async () => {
    const anonymous = await GET(consoleRequest(`/api/console/usage/export?${RANGE}`));
    expect(anonymous.status).toBe(401);
    const forged = await GET(consoleRequest(`/api/console/usage/export?${RANGE}`, { cookie: "next-auth.session-token=abc.def.ghi.jkl.mno" }));
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain("bucket_start");
  });

  it("exports the usage table as CSV for the filters, in the admin's time zone", async () => {
    const res = await GET(consoleRequest(`/api/console/usage/export?${RANGE}&provider=openai`, { cookie: session }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="usage-2026-06-14.csv"');
    expect((await res.text()).split("\r\n")).toEqual([
      "bucket_start,provider,requests,errors,prompt_tokens,completion_tokens,latency_avg_ms",
      // A 24-hour range is bucketed by 15 minutes.
      "2026-06-15T10:00:00.000Z,openai,2,0,20,40,150",
      "2026-06-15T10:15:00.000Z,openai,3,0,30,60,400",
      "2026-06-15T10:30:00.000Z,openai,3,0,30,60,700",
      "2026-06-15T10:45:00.000Z,openai,2,0,20,40,950",
      "",
    ]);
    // The same wall-clock range in Shanghai is eight hours earlier, before any OpenAI call.
    const shanghai = await GET(consoleRequest(`/api/console/usage/export?${RANGE}&provider=openai`, { cookie: `${session}; akm-tz=Asia%2FShanghai` }));
    expect((await shanghai.text()).trim().split("\r\n")).toHaveLength(1);
  });

  it("answers 400 for a range that makes no sense", async () => {
    const res = await GET(consoleRequest("/api/console/usage/export?range=custom&from=2026-06-15T12:00&to=2026-06-14T12:00", { cookie: session }));
    expect(res.status).toBe(400);
  });
});
