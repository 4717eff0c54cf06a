const UNITS: [suffix: string, ms: number][] = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

/** "1h 2m 3s" style; zero units are left out, "0s" for nothing; rounds up to whole seconds. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.ceil(ms / 1000)) * 1000;
  const parts: string[] = [];
  for (const [suffix, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${suffix}`);
  }
  return parts.length > 0 ? parts.join(" ") : "0s";
}

/** "12:03:10 UTC": the wall-clock time of an epoch-ms instant, for one-line reasons. */
export function formatClock(at: number): string {
  return `${new Date(at).toISOString().slice(11, 19)} UTC`;
}

/** "2026-05-04 12:03:10 UTC": an epoch-ms instant with its date, for the dashboard's table and audit log. */
export function formatDateTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "01:02:03": elapsed whole seconds as hours, minutes and seconds (simulated time in rehearsal reports). */
export function formatElapsed(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}
