import { usageCsv } from "./usage-csv";

describe("usage CSV", () => {
  it("writes one line per bucket and provider, quoting and defusing spreadsheet formulas", () => {
    const csv = usageCsv({
      bucket: "1 hour",
      buckets: ["2026-06-15T10:00:00.000Z"],
      rows: [
        { bucket: "2026-06-15T10:00:00.000Z", provider: "openai", requests: 3, errors: 1, promptTokens: 30, completionTokens: 60, avgLatencyMs: 120.4 },
        { bucket: "2026-06-15T10:00:00.000Z", provider: "=HYPERLINK(\"x\")", requests: 1, errors: 0, promptTokens: 0, completionTokens: 0, avgLatencyMs: 1 },
        { bucket: "2026-06-15T10:00:00.000Z", provider: null, requests: 2, errors: 0, promptTokens: 0, completionTokens: 0, avgLatencyMs: 1 },
      ],
    });
    expect(csv.split("\r\n")).toEqual([
      "bucket_start,provider,requests,errors,prompt_tokens,completion_tokens,latency_avg_ms",
      "2026-06-15T10:00:00.000Z,openai,3,1,30,60,120",
      `2026-06-15T10:00:00.000Z,"'=HYPERLINK(""x"")",1,0,0,0,1`,
      "2026-06-15T10:00:00.000Z,,2,0,0,0,1",
      "",
    ]);
  });
});
