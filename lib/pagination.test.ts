import { decodeCursor, encodeCursor, parseTimestamp } from "./pagination";

describe("cursors", () => {
  it("round-trip a position to the millisecond and the full bigint range", () => {
    for (const position of [
      { createdAt: new Date("2026-12-06T22:50:52.123Z"), id: 1n },
      { createdAt: new Date(0), id: 9_223_372_036_854_775_807n },
    ]) {
      const cursor = encodeCursor(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toEqual(position);
    }
  });

  it("refuse anything else: garbage, other base64, ids past bigint, unknown versions", () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    for (const bad of ["", "garbled!", "%%%", b64("v1.12.x"), b64("v2.1.1"), b64("v1.1.9223372036854775808"), b64("v1.99999999999999999.1"), "a".repeat(200)]) {
      expect({ bad, position: decodeCursor(bad) }).toEqual({ bad, position: null });
    }
  });
});

describe("parseTimestamp", () => {
  it("reads ISO 8601 instants with a zone, and dates as UTC midnight", () => {
    expect(parseTimestamp("2026-12-01T09:30:00Z")?.toISOString()).toBe("2026-12-01T09:30:00.000Z");
    expect(parseTimestamp("2026-12-01t09:30z")?.toISOString()).toBe("2026-12-01T09:30:00.000Z");
    expect(parseTimestamp("2026-12-01T10:30:00.5+01:00")?.toISOString()).toBe("2026-12-01T09:30:00.500Z");
    expect(parseTimestamp(" 2026-12-01 ")?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("refuses times without a zone, impossible dates and other formats", () => {
    for (const bad of ["2026-12-01T09:30:00", "2026-02-30", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T09:60Z", "1700000000", "yesterday", "Tue, 01 Dec 2026 09:30:00 GMT"]) {
      expect({ bad, date: parseTimestamp(bad) }).toEqual({ bad, date: null });
    }
  });
});
