import { chooseBucket, formatZonedDateTime, parseZonedDateTime, resolveRange, startOfZonedDay } from "./time";

const NOW = new Date("2026-06-15T12:00:00Z");

describe("console time ranges", () => {
  it("reads wall-clock times in the admin's zone, across DST", () => {
    expect(parseZonedDateTime("2026-06-15T09:30", "Asia/Shanghai")?.toISOString()).toBe("2026-06-15T01:30:00.000Z");
    expect(parseZonedDateTime("2026-06-15T09:30", "UTC")?.toISOString()).toBe("2026-06-15T09:30:00.000Z");
    expect(parseZonedDateTime("2026-01-15T09:30", "Europe/Berlin")?.toISOString()).toBe("2026-01-15T08:30:00.000Z");
    expect(parseZonedDateTime("2026-07-15T09:30", "Europe/Berlin")?.toISOString()).toBe("2026-07-15T07:30:00.000Z");
    expect(parseZonedDateTime("2026-06-15", "Asia/Shanghai")?.toISOString()).toBe("2026-06-14T16:00:00.000Z");
    expect(parseZonedDateTime("yesterday", "UTC")).toBeNull();
    expect(formatZonedDateTime(new Date("2026-06-15T01:30:00Z"), "Asia/Shanghai")).toBe("2026-06-15T09:30");
    expect(startOfZonedDay(new Date("2026-06-14T23:30:00Z"), "Asia/Shanghai").toISOString()).toBe("2026-06-14T16:00:00.000Z");
  });

  it("picks the smallest bucket that keeps a chart under 200 bars", () => {
    const span = (ms: number) => chooseBucket(new Date(NOW.getTime() - ms), NOW);
    expect(span(3_600_000)).toBe("1 minute");
    expect(span(6 * 3_600_000)).toBe("5 minutes");
    expect(span(24 * 3_600_000)).toBe("15 minutes");
    expect(span(7 * 86_400_000)).toBe("1 hour");
    expect(span(30 * 86_400_000)).toBe("1 day");
    expect(span(365 * 86_400_000)).toBe("1 week");
  });

  it("resolves presets and custom ranges, and falls back with a reason when a custom one is wrong", () => {
    expect(resolveRange({ range: "7d" }, "UTC", NOW).range).toEqual({ from: new Date("2026-06-08T12:00:00Z"), to: NOW, preset: "7d" });
    expect(resolveRange({ range: "bogus" }, "UTC", NOW).range.preset).toBe("24h");
    expect(resolveRange({ range: "custom", from: "2026-06-01T00:00", to: "2026-06-02T00:00" }, "Asia/Shanghai", NOW).range).toEqual({
      from: new Date("2026-05-31T16:00:00Z"),
      to: new Date("2026-06-01T16:00:00Z"),
      preset: "custom",
    });
    expect(resolveRange({ range: "custom", from: "2026-06-02T00:00", to: "2026-06-01T00:00" }, "UTC", NOW).problem).toBe("validation.rangeOrder");
    expect(resolveRange({ range: "custom", from: "nonsense" }, "UTC", NOW).problem).toBe("validation.dateTime");
    expect(resolveRange({ range: "custom", from: "2024-01-01T00:00" }, "UTC", NOW).problem).toBe("validation.rangeTooLong");
  });
});
