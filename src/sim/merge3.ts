import { diffArrays } from "diff";

/** One change of a side against the base: base lines [start, end) become `lines`. */
interface Hunk {
  start: number;
  end: number;
  lines: string[];
}

/** Lines with their line endings kept, so joining them gives the text back byte for byte. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function hunks(base: string[], side: string[]): Hunk[] {
  const out: Hunk[] = [];
  let at = 0;
  let open: Hunk | undefined;
  for (const part of diffArrays(base, side)) {
    if (!part.added && !part.removed) {
      if (open) out.push(open);
      open = undefined;
      at += part.count ?? part.value.length;
      continue;
    }
    open ??= { start: at, end: at, lines: [] };
    if (part.removed) {
      at += part.value.length;
      open.end = at;
    } else open.lines.push(...part.value);
  }
  if (open) out.push(open);
  return out;
}

const sameHunk = (a: Hunk, b: Hunk): boolean =>
  a.start === b.start && a.end === b.end && a.lines.join("") === b.lines.join("");

/** Overlapping or touching changes conflict, as in git (two inserts at one place too), unless they are identical. */
function clash(a: Hunk, b: Hunk): boolean {
  if (sameHunk(a, b)) return false;
  return a.start <= b.end && b.start <= a.end;
}

/**
 * A line-level three-way merge as git does it: changes of one side apply when the other side left those lines (and
 * their neighbours) alone. Returns the merged text, or undefined on a conflict.
 */
export function mergeText(base: string, ours: string, theirs: string): string | undefined {
  const lines = splitLines(base);
  const a = hunks(lines, splitLines(ours));
  const b = hunks(lines, splitLines(theirs));
  if (a.some((x) => b.some((y) => clash(x, y)))) return undefined;
  const all = [...a, ...b.filter((y) => !a.some((x) => sameHunk(x, y)))].sort((x, y) => x.start - y.start);
  const out: string[] = [];
  let at = 0;
  for (const h of all) {
    out.push(...lines.slice(at, h.start), ...h.lines);
    at = h.end;
  }
  out.push(...lines.slice(at));
  return out.join("");
}
