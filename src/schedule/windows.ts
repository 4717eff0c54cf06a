import { addDays, instantOf, isTimeZone, localTime } from "./zone.js";

/** A weekly range during which steps may open: `Mon-Thu 09:00-16:00 Europe/Berlin`; `22:00-02:00` runs overnight. */
export interface ChangeWindow {
  text: string;
  /** Index 0 = Monday: the days a range starts on. */
  days: boolean[];
  /** Minutes after local midnight; `end` may be 1440 (24:00), and is before `start` for an overnight range. */
  start: number;
  end: number;
  zone: string;
}

/** A date range during which nothing opens: [from, to) as instants. */
export interface DateFreeze {
  text: string;
  from: number;
  to: number;
  zone: string;
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const WINDOW_EXAMPLE = "Mon-Thu 09:00-16:00 Europe/Berlin";
export const FREEZE_EXAMPLE = "2026-12-21..2027-01-03 Europe/Berlin";

function dayIndex(text: string): number {
  return DAYS.indexOf(text.toLowerCase());
}

function parseDays(text: string): boolean[] | string {
  if (/^(daily|every day)$/i.test(text)) return Array(7).fill(true);
  const days: boolean[] = Array(7).fill(false);
  for (const part of text.split(",")) {
    const [from, to, extra] = part.split("-");
    const a = dayIndex(from ?? "");
    const b = to === undefined ? a : dayIndex(to);
    if (a < 0 || b < 0 || extra !== undefined)
      return `days ${JSON.stringify(text)}: expected Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges such as Mon-Thu, lists such as Mon,Wed,Fri, or daily`;
    // Fri-Mon wraps over the weekend.
    for (let d = a; ; d = (d + 1) % 7) {
      days[d] = true;
      if (d === b) break;
    }
  }
  return days;
}

function parseClock(text: string, allow24: boolean): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes < 1440 || (allow24 && minutes === 1440) ? minutes : undefined;
}

/** `DAYS HH:MM-HH:MM ZONE`, or the reason it is not one. */
export function parseWindow(text: string): ChangeWindow | string {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 3) return `expected "DAYS HH:MM-HH:MM TIMEZONE", e.g. "${WINDOW_EXAMPLE}"`;
  const [daysText, range, zone] = parts as [string, string, string];
  const days = parseDays(daysText);
  if (typeof days === "string") return days;
  const [startText, endText, extra] = range.split("-");
  const start = parseClock(startText ?? "", false);
  const end = parseClock(endText ?? "", true);
  if (start === undefined || end === undefined || extra !== undefined)
    return `time range ${JSON.stringify(range)}: expected HH:MM-HH:MM (24-hour clock, end up to 24:00), e.g. 09:00-16:00`;
  if (start === end)
    return `time range ${JSON.stringify(range)}: starts and ends at the same time (use 00:00-24:00 for a whole day)`;
  if (!isTimeZone(zone)) return `time zone ${JSON.stringify(zone)}: not an IANA time zone such as Europe/Berlin or UTC`;
  return { text: text.trim(), days, start, end: end === 0 ? 1440 : end, zone };
}

function parseDateTime(text: string): { y: number; m: number; d: number; minutes?: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}:\d{2}))?$/.exec(text);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  if (match[4] === undefined) return { y, m, d };
  const minutes = parseClock(match[4], false);
  return minutes === undefined ? undefined : { y, m, d, minutes };
}

/**
 * `FROM..TO ZONE`: whole days (`2026-12-21..2027-01-03`, both included) or times (`2026-12-24T18:00..2026-12-27T08:00`),
 * or the reason it is not one.
 */
export function parseFreeze(text: string): DateFreeze | string {
  const match = /^(\S+(?: \d{2}:\d{2})?)\.\.(\S+(?: \d{2}:\d{2})?) (\S+)$/.exec(text.trim());
  if (!match)
    return `expected "FROM..TO TIMEZONE" with dates (both days included) or date-times, e.g. "${FREEZE_EXAMPLE}" or "2026-12-24T18:00..2026-12-27T08:00 UTC"`;
  const [, fromText, toText, zone] = match as unknown as [string, string, string, string];
  const from = parseDateTime(fromText);
  const to = parseDateTime(toText);
  if (!from) return `from ${JSON.stringify(fromText)}: expected a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM`;
  if (!to) return `to ${JSON.stringify(toText)}: expected a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM`;
  if ((from.minutes === undefined) !== (to.minutes === undefined))
    return "from and to: give both as dates or both as date-times";
  if (!isTimeZone(zone)) return `time zone ${JSON.stringify(zone)}: not an IANA time zone such as Europe/Berlin or UTC`;
  const start = instantOf(from.y, from.m, from.d, from.minutes ?? 0, zone);
  // A date range includes its last day: it ends at the next local midnight.
  const [ty, tm, td] = to.minutes === undefined ? addDays(to.y, to.m, to.d, 1) : [to.y, to.m, to.d];
  const end = instantOf(ty, tm, td, to.minutes ?? 0, zone);
  if (end <= start) return `${fromText}..${toText}: ends before it starts`;
  return { text: text.trim(), from: start, to: end, zone };
}

/** Whether one window is open at an instant (wall-clock time in its zone). */
export function windowOpen(w: ChangeWindow, at: number): boolean {
  const t = localTime(at, w.zone);
  if (w.start < w.end) return Boolean(w.days[t.weekday]) && t.minutes >= w.start && t.minutes < w.end;
  return (
    (Boolean(w.days[t.weekday]) && t.minutes >= w.start) || (Boolean(w.days[(t.weekday + 6) % 7]) && t.minutes < w.end)
  );
}

/** The next time a window starts after `at` (within 8 days), as an instant. */
function nextStart(w: ChangeWindow, at: number): number | undefined {
  const today = localTime(at, w.zone);
  let best: number | undefined;
  for (let d = 0; d <= 8; d++) {
    const [y, m, day] = addDays(today.year, today.month, today.day, d);
    const weekday = (today.weekday + d) % 7;
    if (!w.days[weekday]) continue;
    const start = instantOf(y, m, day, w.start, w.zone);
    if (start > at && windowOpen(w, start) && (best === undefined || start < best)) best = start;
  }
  return best;
}

/** Whether steps may open at an instant: inside some window (or no windows set) and outside every date freeze. */
export function openAt(windows: readonly ChangeWindow[], freezes: readonly DateFreeze[], at: number): boolean {
  return (
    (windows.length === 0 || windows.some((w) => windowOpen(w, at))) && !freezes.some((f) => f.from <= at && at < f.to)
  );
}

/** The first instant at or after `at` when steps may open; undefined when there is none within a year. */
export function nextOpening(
  windows: readonly ChangeWindow[],
  freezes: readonly DateFreeze[],
  at: number,
): number | undefined {
  let t = at;
  const limit = at + 366 * 86_400_000;
  while (t <= limit) {
    const freeze = freezes.filter((f) => f.from <= t && t < f.to).sort((a, b) => b.to - a.to)[0];
    if (freeze) {
      t = freeze.to;
      continue;
    }
    if (windows.length === 0 || windows.some((w) => windowOpen(w, t))) return t;
    const starts = windows.map((w) => nextStart(w, t)).filter((s): s is number => s !== undefined);
    if (starts.length === 0) return undefined;
    t = Math.min(...starts);
  }
  return undefined;
}
