import { formatTimestamp, parseTimestamp } from "../../src/audit/audit-time";

describe("audit timestamps", () => {
  it("format as RFC 3339 UTC with nine fraction digits", () => {
    expect(formatTimestamp(1_700_000_000_123_456_789n)).toBe("2023-11-14T22:13:20.123456789Z");
    expect(formatTimestamp(0n)).toBe("1970-01-01T00:00:00.000000000Z");
    expect(formatTimestamp(-1n)).toBe("1969-12-31T23:59:59.999999999Z");
  });

  it("parse any offset and precision back to nanoseconds", () => {
    expect(parseTimestamp("2023-11-14T22:13:20.123456789Z")).toBe(1_700_000_000_123_456_789n);
    expect(parseTimestamp("2023-11-14T23:13:20.5+01:00")).toBe(1_700_000_000_500_000_000n);
    expect(parseTimestamp("2023-11-14T22:13:20Z")).toBe(1_700_000_000_000_000_000n);
  });

  it("refuse malformed or out-of-range times", () => {
    for (const bad of ["2023-11-14", "2023-02-30T00:00:00Z", "2023-11-14T25:00:00Z", "yesterday", "2023-11-14T22:13:20.1234567890Z"]) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });
});
