import { describe, expect, it } from "vitest";
import {
  instantOf,
  nextOpening,
  openAt,
  parseFreeze,
  parseWindow,
  type ChangeWindow,
  type DateFreeze,
} from "../../../src/schedule/index.js";

function window(text: string): ChangeWindow {
  const w = parseWindow(text);
  if (typeof w === "string") throw new Error(`test set-up: ${text}: ${w}`);
  return w;
}

function freeze(text: string): DateFreeze {
  const f = parseFreeze(text);
  if (typeof f === "string") throw new Error(`test set-up: ${text}: ${f}`);
  return f;
}

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

describe("local time to instant through Intl, on DST days", () => {
  it.each([
    // Europe/Berlin: CET (+1) -> CEST (+2) on 2026-03-29 at 02:00 local; back on 2026-10-25 at 03:00 local.
    ["2026-03-28 09:00 Europe/Berlin", [2026, 3, 28, 540, "Europe/Berlin"], "2026-03-28T08:00:00.000Z"],
    ["2026-03-29 09:00 Europe/Berlin", [2026, 3, 29, 540, "Europe/Berlin"], "2026-03-29T07:00:00.000Z"],
    [
      "2026-03-29 02:30 Europe/Berlin (skipped: the jump)",
      [2026, 3, 29, 150, "Europe/Berlin"],
      "2026-03-29T01:00:00.000Z",
    ],
    [
      "2026-10-25 02:30 Europe/Berlin (twice: the first)",
      [2026, 10, 25, 150, "Europe/Berlin"],
      "2026-10-25T00:30:00.000Z",
    ],
    ["2026-10-25 03:00 Europe/Berlin", [2026, 10, 25, 180, "Europe/Berlin"], "2026-10-25T02:00:00.000Z"],
    ["2026-03-08 02:15 America/New_York (skipped)", [2026, 3, 8, 135, "America/New_York"], "2026-03-08T07:00:00.000Z"],
    ["2026-11-01 01:30 America/New_York (twice)", [2026, 11, 1, 90, "America/New_York"], "2026-11-01T05:30:00.000Z"],
    ["2026-06-01 09:00 Asia/Kolkata (+5:30)", [2026, 6, 1, 540, "Asia/Kolkata"], "2026-06-01T03:30:00.000Z"],
  ] as [string, [number, number, number, number, string], string][])("%s", (_, [y, m, d, minutes, zone], expected) => {
    expect(iso(instantOf(y, m, d, minutes, zone))).toBe(expected);
  });
});

describe("change windows", () => {
  const business = window("Mon-Thu 09:00-16:00 Europe/Berlin");

  it.each([
    ["Thu 2026-03-26 15:59 CET", "2026-03-26T14:59:00Z", true],
    ["Thu 2026-03-26 16:00 CET (the end is outside)", "2026-03-26T15:00:00Z", false],
    ["Mon 2026-03-30 08:59 CEST", "2026-03-30T06:59:00Z", false],
    ["Mon 2026-03-30 09:00 CEST", "2026-03-30T07:00:00Z", true],
    ["Fri 2026-03-27 10:00 CET", "2026-03-27T09:00:00Z", false],
  ])("Mon-Thu 09:00-16:00 Europe/Berlin at %s: %s", (_, when, open) => {
    expect(openAt([business], [], at(when))).toBe(open);
  });

  it.each([
    [
      "Friday afternoon: Monday 09:00, after the clocks went forward (07:00Z, not 08:00Z)",
      "2026-03-27T15:00:00Z",
      "2026-03-30T07:00:00.000Z",
    ],
    [
      "Friday afternoon before the clocks go back: Monday 09:00 CET",
      "2026-10-23T15:00:00Z",
      "2026-10-26T08:00:00.000Z",
    ],
    ["Monday 08:00 CET: the same morning", "2026-03-23T07:00:00Z", "2026-03-23T08:00:00.000Z"],
    ["inside: now", "2026-03-24T10:00:00Z", "2026-03-24T10:00:00.000Z"],
    ["Thursday 16:00: next Monday", "2026-03-26T15:00:00Z", "2026-03-30T07:00:00.000Z"],
  ])("next opening, %s", (_, from, expected) => {
    expect(iso(nextOpening([business], [], at(from)))).toBe(expected);
  });

  it("an overnight range runs into the next day, on the days it starts", () => {
    const night = window("Fri-Sat 22:00-06:00 UTC");
    expect(openAt([night], [], at("2026-05-01T21:59:00Z"))).toBe(false); // Fri
    expect(openAt([night], [], at("2026-05-01T22:00:00Z"))).toBe(true);
    expect(openAt([night], [], at("2026-05-02T05:59:00Z"))).toBe(true); // Sat morning: Friday's night
    expect(openAt([night], [], at("2026-05-03T03:00:00Z"))).toBe(true); // Sun morning: Saturday's night
    expect(openAt([night], [], at("2026-05-03T06:00:00Z"))).toBe(false);
    expect(openAt([night], [], at("2026-05-03T23:00:00Z"))).toBe(false); // Sun night: not listed
    expect(iso(nextOpening([night], [], at("2026-05-03T06:00:00Z")))).toBe("2026-05-08T22:00:00.000Z");
  });

  it("a night range across the spring DST jump opens at 01:00 local and is 1 hour shorter", () => {
    const night = window("Sat 23:00-04:00 Europe/Berlin");
    expect(iso(nextOpening([night], [], at("2026-03-28T12:00:00Z")))).toBe("2026-03-28T22:00:00.000Z");
    expect(openAt([night], [], at("2026-03-29T01:30:00Z"))).toBe(true); // 03:30 CEST
    expect(openAt([night], [], at("2026-03-29T02:00:00Z"))).toBe(false); // 04:00 CEST
  });

  it("a window starting in the skipped hour opens when the clocks jump", () => {
    const w = window("Sun 02:30-05:00 Europe/Berlin");
    expect(iso(nextOpening([w], [], at("2026-03-28T12:00:00Z")))).toBe("2026-03-29T01:00:00.000Z");
  });

  it("the repeated hour when DST ends is inside a window both times", () => {
    const w = window("Sun 02:00-03:00 Europe/Berlin");
    expect(iso(nextOpening([w], [], at("2026-10-24T12:00:00Z")))).toBe("2026-10-25T00:00:00.000Z");
    expect(openAt([w], [], at("2026-10-25T00:30:00Z"))).toBe(true); // 02:30 CEST
    expect(openAt([w], [], at("2026-10-25T01:30:00Z"))).toBe(true); // 02:30 CET
    expect(openAt([w], [], at("2026-10-25T02:00:00Z"))).toBe(false); // 03:00 CET
  });

  it("several windows: the earliest opening of any; other zones compare as instants", () => {
    const windows = [window("Mon-Fri 09:00-17:00 America/New_York"), window("Mon-Fri 09:00-17:00 Europe/Berlin")];
    expect(iso(nextOpening(windows, [], at("2026-06-06T12:00:00Z")))).toBe("2026-06-08T07:00:00.000Z");
    expect(openAt(windows, [], at("2026-06-08T20:00:00Z"))).toBe(true); // 16:00 in New York
  });

  it("no windows: any time", () => {
    expect(openAt([], [], at("2026-06-06T03:00:00Z"))).toBe(true);
  });
});

describe("freezes", () => {
  const holidays = freeze("2026-12-21..2027-01-03 Europe/Berlin");

  it("a date range covers its whole days in its zone", () => {
    expect([iso(holidays.from), iso(holidays.to)]).toEqual(["2026-12-20T23:00:00.000Z", "2027-01-03T23:00:00.000Z"]);
    expect(openAt([], [holidays], at("2026-12-20T22:59:00Z"))).toBe(true);
    expect(openAt([], [holidays], at("2026-12-20T23:00:00Z"))).toBe(false);
    expect(openAt([], [holidays], at("2027-01-03T23:00:00Z"))).toBe(true);
  });

  it("nothing opens during a freeze, even inside a window: the next opening is the first window after it", () => {
    const business = window("Mon-Thu 09:00-16:00 Europe/Berlin");
    expect(iso(nextOpening([business], [holidays], at("2026-12-22T10:00:00Z")))).toBe("2027-01-04T08:00:00.000Z");
  });

  it("date-times, and freezes that overlap", () => {
    const a = freeze("2026-12-24T18:00..2026-12-27T08:00 UTC");
    const b = freeze("2026-12-27 06:00..2026-12-28 12:00 UTC");
    expect(iso(nextOpening([], [a, b], at("2026-12-25T00:00:00Z")))).toBe("2026-12-28T12:00:00.000Z");
  });
});

describe("bad windows and freezes say what is wrong", () => {
  it.each([
    [
      "Mon-Thu 9-16 Europe/Berlin",
      'time range "9-16": expected HH:MM-HH:MM (24-hour clock, end up to 24:00), e.g. 09:00-16:00',
    ],
    ["Mon-Thu 09:00-16:00", 'expected "DAYS HH:MM-HH:MM TIMEZONE", e.g. "Mon-Thu 09:00-16:00 Europe/Berlin"'],
    [
      "Mon-Thu 09:00-16:00 Europe/Berlinn",
      'time zone "Europe/Berlinn": not an IANA time zone such as Europe/Berlin or UTC',
    ],
    [
      "Monday 09:00-16:00 UTC",
      'days "Monday": expected Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges such as Mon-Thu, lists such as Mon,Wed,Fri, or daily',
    ],
    [
      "Mon 09:00-09:00 UTC",
      'time range "09:00-09:00": starts and ends at the same time (use 00:00-24:00 for a whole day)',
    ],
    [
      "Mon 24:00-02:00 UTC",
      'time range "24:00-02:00": expected HH:MM-HH:MM (24-hour clock, end up to 24:00), e.g. 09:00-16:00',
    ],
  ])("window %j", (text, message) => {
    expect(parseWindow(text)).toBe(message);
  });

  it.each([
    [
      "2026-12-21 Europe/Berlin",
      'expected "FROM..TO TIMEZONE" with dates (both days included) or date-times, e.g. "2026-12-21..2027-01-03 Europe/Berlin" or "2026-12-24T18:00..2026-12-27T08:00 UTC"',
    ],
    ["2026-02-30..2026-03-02 UTC", 'from "2026-02-30": expected a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM'],
    ["2026-03-02..2026-02-27 UTC", "2026-03-02..2026-02-27: ends before it starts"],
    ["2026-03-02..2026-03-04T10:00 UTC", "from and to: give both as dates or both as date-times"],
    [
      "2026-03-02..2026-03-04 Mars/Olympus",
      'time zone "Mars/Olympus": not an IANA time zone such as Europe/Berlin or UTC',
    ],
  ])("freeze %j", (text, message) => {
    expect(parseFreeze(text)).toBe(message);
  });

  it("accepts the forms the docs show", () => {
    expect(window("Mon,Wed,Fri 22:00-02:00 UTC")).toMatchObject({ start: 1320, end: 120 });
    expect(window("Fri-Mon 00:00-24:00 UTC").days).toEqual([true, false, false, false, true, true, true]);
    expect(window("daily 06:00-22:00 Asia/Tokyo").days).toEqual(Array(7).fill(true));
  });
});
