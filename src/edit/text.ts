// Line-level helpers over raw file text. Offsets are UTF-16 indices into the whole file.

/** The file's dominant line ending: CRLF when most of its lines end so, LF otherwise (and for one-line files). */
export function eolOf(text: string): string {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    if (text[i - 1] === "\r") crlf++;
    else lf++;
  }
  return crlf > lf ? "\r\n" : "\n";
}

export const BOM = "\uFEFF";

/**
 * Run an edit on the text without its byte order mark (which would count as a column of the first line) and
 * put the mark back on the result.
 */
export function withoutBom(text: string, edit: (text: string) => string): string {
  return text.startsWith(BOM) ? BOM + edit(text.slice(1)) : edit(text);
}

/** The text without a leading byte order mark, for reads. */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** 1-based line number of pos, for messages. */
export function lineNumber(text: string, pos: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Offset of the first character of the line holding pos. */
export function lineStart(text: string, pos: number): number {
  return pos <= 0 ? 0 : text.lastIndexOf("\n", pos - 1) + 1;
}

/** Offset just past the line terminator of the line holding pos (or the end of the text). */
export function lineEnd(text: string, pos: number): number {
  const i = text.indexOf("\n", pos);
  return i < 0 ? text.length : i + 1;
}

/** Column of pos within its line. */
export function column(text: string, pos: number): number {
  return pos - lineStart(text, pos);
}

/** True when only spaces/tabs stand between the start of pos's line and pos. */
export function startsLine(text: string, pos: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, pos), pos));
}

/** Move end back over whitespace and line breaks, not before min. */
export function trimBack(text: string, end: number, min: number): number {
  let e = end;
  while (e > min && /\s/.test(text[e - 1] ?? "")) e--;
  return e;
}

/** Split raw text into lines without terminators; one trailing line break is ignored. */
export function splitLines(raw: string): string[] {
  const lines = raw.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Number of leading spaces (a tab is never indentation in YAML). */
export function indentOf(line: string): number {
  return /^ */.exec(line)?.[0].length ?? 0;
}

/** Remove the common leading indentation of the lines that hold more than spaces. */
export function dedent(lines: readonly string[]): string[] {
  const blank = (l: string) => /^ *$/.test(l);
  const widths = lines.filter((l) => !blank(l)).map(indentOf);
  const cut = widths.length ? Math.min(...widths) : 0;
  return lines.map((l) => (blank(l) ? "" : l.slice(cut)));
}

/** Lines after the first lose up to cut leading spaces (the first starts at the cut column already). */
export function dedentFrom(lines: readonly string[], cut: number): string[] {
  return lines.map((l, i) => (i === 0 ? l : l.slice(Math.min(cut, indentOf(l)))));
}

/** Prefix every non-blank line (blank lines stay empty so no trailing spaces appear). */
export function indentLines(lines: readonly string[], prefix: string): string[] {
  return lines.map((l) => (l === "" ? "" : prefix + l));
}

export interface TextEdit {
  start: number;
  end: number;
  insert: string;
}

/** Apply non-overlapping edits (any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, e.start) + e.insert + out.slice(e.end);
  }
  return out;
}

/**
 * Delete whole lines [start, end) (start a line start, end a line end). When the range runs to
 * the end of a file without a final newline, the preceding line break goes instead, so the
 * file still ends without one; unless the preceding line is blank, which would go with it.
 */
export function deleteLinesEdit(text: string, start: number, end: number): TextEdit {
  const blankBefore = /^\r?\n$/.test(text.slice(lineStart(text, start - 1), start));
  if (end === text.length && !text.endsWith("\n") && start > 0 && !blankBefore) {
    const back = text[start - 2] === "\r" ? 2 : 1;
    return { start: start - back, end, insert: "" };
  }
  return { start, end, insert: "" };
}

/** Insert whole lines at a line start; at the end of a file without a final newline, keep it so. */
export function insertLinesEdit(text: string, at: number, lines: readonly string[], eol: string): TextEdit {
  if (at === text.length && text.length > 0 && !text.endsWith("\n")) {
    return { start: at, end: at, insert: eol + lines.join(eol) };
  }
  return { start: at, end: at, insert: lines.map((l) => l + eol).join("") };
}

/** Merge [start, end) ranges that touch or overlap. */
export function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Start of the comment lines at column indent directly above the line at lineAt (no blank line between). */
export function attachedCommentsStart(text: string, lineAt: number, indent: number): number {
  let start = lineAt;
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    const line = text.slice(prev, start).replace(/\r?\n$/, "");
    const trimmed = line.trimStart();
    if (!trimmed.startsWith("#") || line.length - trimmed.length !== indent) break;
    start = prev;
  }
  return start;
}
