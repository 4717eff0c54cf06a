import { describe, expect, it } from "vitest";
import { formatClock, formatDateTime, formatDuration, formatElapsed } from "../../../src/health/index.js";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [-5_000, "0s"],
    [1, "1s"],
    [999, "1s"],
    [1_000, "1s"],
    [59_000, "59s"],
    [60_000, "1m"],
    [61_000, "1m 1s"],
    [600_000, "10m"],
    [3_600_000, "1h"],
    [3_601_000, "1h 1s"],
    [3_723_000, "1h 2m 3s"],
    [3_722_001, "1h 2m 3s"],
    [90_000_000, "25h"],
  ])("%d ms -> %s", (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });
});

describe("formatClock", () => {
  it("prints UTC wall-clock time", () => {
    expect(formatClock(Date.parse("2024-05-01T12:03:10.900Z"))).toBe("12:03:10 UTC");
  });
});

describe("formatDateTime and formatElapsed", () => {
  it("an instant with its date, truncated to the second, in UTC", () => {
    expect(formatDateTime(Date.parse("2024-05-01T12:03:10.900Z"))).toBe("2024-05-01 12:03:10 UTC");
  });

  it.each([
    [0, "00:00:00"],
    [59, "00:00:59"],
    [3_723, "01:02:03"],
    [100 * 3600, "100:00:00"],
  ])("%i seconds elapsed -> %s", (seconds, text) => {
    expect(formatElapsed(seconds)).toBe(text);
  });
});
