/** Wall-clock time in an IANA time zone through Intl (DST included), and back to an instant. */
import { LruCache } from "../spec/lru.js";

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** 0 = Monday ... 6 = Sunday */
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
}

/** One formatter per time zone (a few hundred zones exist; handover.yml names a few). */
const formats = new LruCache<string, Intl.DateTimeFormat>(500);

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formats.set(zone, f);
  }
  return f;
}

/** Whether Intl knows this IANA zone name (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    format(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at an instant in a zone (to the minute). */
export function localTime(at: number, zone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of format(zone).formatToParts(new Date(at))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return { year, month, day, weekday, minutes: (parts.hour ?? 0) * 60 + (parts.minute ?? 0) };
}

/** The wall-clock reading as if it were UTC: comparable numbers for local times. */
function wall(t: LocalTime): number {
  return Date.UTC(t.year, t.month - 1, t.day) + t.minutes * 60_000;
}

/**
 * The first instant whose wall-clock time in `zone` is at or after this local date and time.
 * An ambiguous time (the hour repeated when DST ends) gives its first occurrence; a time that does not
 * exist (skipped when DST starts) gives the instant the clocks jump, the first wall time after it.
 */
export function instantOf(year: number, month: number, day: number, minutes: number, zone: string): number {
  const wanted = Date.UTC(year, month - 1, day) + minutes * 60_000;
  const offsetAt = (at: number): number => wall(localTime(at, zone)) - Math.floor(at / 60_000) * 60_000;
  // Candidates from the offsets in force a day before and after: the earliest that reads the wanted time wins.
  const candidates = [wanted - offsetAt(wanted - 86_400_000), wanted - offsetAt(wanted + 86_400_000)].sort(
    (a, b) => a - b,
  );
  for (const c of candidates) if (wall(localTime(c, zone)) === wanted) return c;
  // In the gap: the clocks jump between the two candidates; find the first minute that reads later than wanted.
  let [lo, hi] = candidates as [number, number];
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
    if (wall(localTime(mid, zone)) >= wanted) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The local date `days` after (y, m, d). */
export function addDays(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** `Mon 2026-03-30 09:00 Europe/Berlin (07:00 UTC)`: an instant as the people of a zone read it. */
export function describeInstant(at: number, zone: string): string {
  const t = localTime(at, zone);
  const two = (n: number): string => String(n).padStart(2, "0");
  const local = `${WEEKDAYS[t.weekday]} ${t.year}-${two(t.month)}-${two(t.day)} ${two(Math.floor(t.minutes / 60))}:${two(t.minutes % 60)}`;
  const utc = new Date(at).toISOString();
  return zone === "UTC"
    ? `${local} UTC`
    : `${local} ${zone} (${utc.slice(11, 16)} UTC${utc.slice(0, 10) === `${t.year}-${two(t.month)}-${two(t.day)}` ? "" : ` ${utc.slice(0, 10)}`})`;
}
