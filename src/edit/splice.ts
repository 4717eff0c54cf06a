// A block sequence edited many times in a row (a plan moving backends one group at a time) without re-parsing the file
// at every edit: parsed once, then each removal or append is a splice whose offsets are kept up to date.
import { isAlias, isCollection, isMap, isScalar, visit, type Document, type Node, type YAMLSeq } from "yaml";
import {
  afterNodeLine,
  contentEnd,
  dashOffsets,
  isNullNode,
  parseFile,
  parsingForEdits,
  pastBlankLines,
  propsStart,
  resolve,
  startOf,
  type YamlPath,
} from "./locate.js";
import { seqItemLines } from "./create.js";
import { formatScalar, styleOf, type QuoteStyle } from "./scalar.js";
import { rawValue } from "./sequence.js";
import { applyEdits, deleteLinesEdit, insertLinesEdit, lineEnd, lineStart, startsLine, type TextEdit } from "./text.js";
import { finish } from "../spec/work.js";
import { simpleList } from "../spec/yaml.js";

/** Start of an item's line and the end of it (past its line break). */
interface Line {
  start: number;
  end: number;
}

/** Whether a node under `root` (itself included) passes `test`. */
function holds(root: Node | Document.Parsed, test: (node: unknown) => boolean): boolean {
  let found = false;
  visit(root, (_key, node) => {
    if (!test(node)) return undefined;
    found = true;
    return visit.BREAK;
  });
  return found;
}

function hasAnchorsOrAliases(doc: Document.Parsed): boolean {
  return holds(doc, (node) => isAlias(node) || Boolean((node as { anchor?: string } | null)?.anchor));
}

/** A one-line item that is a plain or quoted scalar or a flow collection, standing alone on its line. */
function oneLine(text: string, item: unknown, dash: number): Line | undefined {
  const node = item as Node;
  const flowScalar = isScalar(node) && node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED";
  if (!(flowScalar || (isCollection(node) && node.flow)) || !startsLine(text, dash)) return undefined;
  const end = contentEnd(text, node);
  if (
    lineStart(text, end) !== lineStart(text, dash) ||
    lineStart(text, propsStart(text, node)) !== lineStart(text, dash)
  )
    return undefined;
  return { start: lineStart(text, dash), end: lineEnd(text, end) };
}

/** Whether a block scalar (`|`, `>`) is anywhere in node: its lines and their chomping are not whole-line business. */
function holdsBlockScalar(node: Node): boolean {
  return holds(node, (n) => isScalar(n) && (n.type === "BLOCK_LITERAL" || n.type === "BLOCK_FOLDED"));
}

/**
 * A block map item over whole lines of its own (an http-era endpoint: `- url: ...` and its other keys below), with no
 * block scalar in it: its lines are its dash's line to the line where its content ends, as removeSeqItems takes them.
 */
function blockMapLines(text: string, item: unknown, dash: number): Line | undefined {
  const node = item as Node;
  if (!isMap(node) || node.flow || !startsLine(text, dash)) return undefined;
  if (lineStart(text, propsStart(text, node)) !== lineStart(text, dash) || holdsBlockScalar(node)) return undefined;
  return { start: lineStart(text, dash), end: lineEnd(text, contentEnd(text, node)) };
}

/** Items read between two yields of LineList.reading. */
const ITEMS_PER_PIECE = 100;

/**
 * The block sequence at `path` of a one-document file whose items each fill whole lines of their own (a one-line
 * scalar or flow collection, or a block map without block scalars), with no anchors or aliases anywhere: the shape
 * where removing or appending items is exactly removing or inserting lines, which is what `removeSeqItems` and
 * `appendSeqItems` then do (proved by their verification on such files). Any other shape, or an edit outside it,
 * answers undefined and the caller uses those (verified) functions instead.
 */
export class LineList {
  /** The edits of the last removal or append, against the text before it: the change without a second copy. */
  lastEdits: readonly TextEdit[] = [];

  private constructor(
    /** The file's text as this list last left it. */
    public text: string,
    /** Each item's line, and its value. */
    private readonly starts: number[],
    private readonly ends: number[],
    private readonly values: unknown[],
    /** Where appended lines go, the indentation of the dashes and the spaces after them. */
    private appendAt: number,
    private readonly indent: string,
    private readonly gap: number,
    /** The text's line breaks by kind, kept up to date by each edit: its dominant line ending without a scan. */
    private readonly breaks: { crlf: number; lf: number },
  ) {}

  /** The list at path, when the file and the list have the simple shape; undefined otherwise. */
  static of(text: string, path: YamlPath): LineList | undefined {
    return finish(LineList.reading(text, path));
  }

  /** LineList.of as work that yields: the file parsed in pieces, then its items read a hundred at a time. */
  static *reading(text: string, path: YamlPath): Generator<void, LineList | undefined> {
    if (text.startsWith("\uFEFF")) return undefined;
    yield* parsingForEdits(text);
    let doc: Document.Parsed;
    try {
      const parsed = parseFile(text, 0, path);
      if (parsed.docs.length !== 1 || parsed.doc.warnings.length > 0) return undefined;
      doc = parsed.doc;
    } catch {
      return undefined;
    }
    if (hasAnchorsOrAliases(doc)) return undefined;
    const res = resolve(doc, path);
    const seq = res.depth === path.length ? (res.node as YAMLSeq<unknown> | null) : null;
    if (!seq || !("items" in seq) || seq.flow || seq.items.length === 0 || res.inFlow) return undefined;
    const dashes = dashOffsets(seq);
    const starts: number[] = [];
    const ends: number[] = [];
    const values: unknown[] = [];
    for (const [i, item] of seq.items.entries()) {
      const line = oneLine(text, item, dashes[i] ?? 0) ?? blockMapLines(text, item, dashes[i] ?? 0);
      if (!line) return undefined;
      starts.push(line.start);
      ends.push(line.end);
      values.push((item as Node).toJS(doc));
      if (i % ITEMS_PER_PIECE === ITEMS_PER_PIECE - 1) yield;
    }
    const lastDash = dashes[dashes.length - 1] ?? 0;
    const sameLine = seq.items
      .map((item, i) => ({ item: item as Node, dash: dashes[i] ?? 0 }))
      .filter(({ item, dash }) => !isNullNode(item) && lineStart(text, startOf(item)) === lineStart(text, dash));
    const sample = sameLine[sameLine.length - 1];
    const gap = sample ? propsStart(text, sample.item) - sample.dash - 1 : 1;
    const indent = text.slice(lineStart(text, lastDash), lastDash);
    return new LineList(
      text,
      starts,
      ends,
      values,
      afterNodeLine(text, seq),
      indent,
      gap,
      lineBreaks(text, 0, text.length),
    );
  }

  /** What eolOf says of the text, from the counts. */
  private get eol(): string {
    return this.breaks.crlf > this.breaks.lf ? "\r\n" : "\n";
  }

  /** The number of items. */
  get length(): number {
    return this.values.length;
  }

  /** The value of item i. */
  value(i: number): unknown {
    return this.values[i];
  }

  /** The text without the items `drop` marks; undefined when that would not be a plain removal of lines. */
  remove(drop: readonly boolean[]): string | undefined {
    const n = this.values.length;
    if (drop.length !== n || drop.every((d) => d) || !drop.includes(true)) return undefined;
    const text = this.text;
    const edits: { start: number; end: number; insert: string }[] = [];
    for (let i = 0; i < n; i++) {
      if (!drop[i]) continue;
      const end = this.ends[i] ?? 0;
      // At the end of a file without a final line break, removeSeqItems takes the break before instead.
      if (end >= text.length) return undefined;
      edits.push(deleteLinesEdit(text, this.starts[i] ?? 0, end));
    }
    // Whole lines go (each ends before the text does): the breaks they end with go with them, no other break changes.
    for (const edit of edits) {
      const gone = lineBreaks(text, edit.start, edit.end);
      this.breaks.crlf -= gone.crlf;
      this.breaks.lf -= gone.lf;
    }
    const after = applyEdits(text, edits);
    this.lastEdits = edits;
    let shift = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const start = this.starts[i] ?? 0;
      const end = this.ends[i] ?? 0;
      if (drop[i]) {
        shift += end - start;
        continue;
      }
      this.starts[kept] = start - shift;
      this.ends[kept] = end - shift;
      this.values[kept] = this.values[i];
      kept++;
    }
    this.starts.length = kept;
    this.ends.length = kept;
    this.values.length = kept;
    this.appendAt -= shift;
    this.text = after;
    return after;
  }

  /**
   * The text with raw items appended: one-line scalars, or block maps of plain or quoted scalars (an http-era
   * endpoint as readSeqItems gives it); undefined for any other raw item.
   */
  append(raws: readonly string[]): string | undefined {
    const text = this.text;
    if (raws.length === 0 || (this.appendAt === text.length && !text.endsWith("\n"))) return undefined;
    const values: unknown[] = [];
    for (const raw of raws) {
      const value = rawItemValue(raw);
      if (value === undefined) return undefined;
      values.push(value);
    }
    const eol = this.eol;
    const each = raws.map((raw) => seqItemLines([raw], this.indent, this.gap));
    const lines = each.flat();
    // As appendSeqItems: past the lines of only spaces after the list (they stay above the next items appended).
    let at = pastBlankLines(text, this.appendAt, lines);
    if (at === text.length && !text.endsWith("\n")) return undefined;
    const edit = insertLinesEdit(text, at, lines, eol);
    const after = applyEdits(text, [edit]);
    this.lastEdits = [edit];
    for (const [i, itemLines] of each.entries()) {
      const length = itemLines.reduce((sum, line) => sum + line.length + eol.length, 0);
      this.starts.push(at);
      this.ends.push(at + length);
      this.values.push(values[i]);
      at += length;
    }
    this.appendAt = at;
    this.text = after;
    // Every line appended ends with eol; the line before them already ended with a break of its own.
    if (eol === "\n") this.breaks.lf += lines.length;
    else this.breaks.crlf += lines.length;
    return after;
  }
}

/** The line breaks in text[start, end), by kind (a `\n` after a `\r` is a CRLF, as eolOf counts them). */
function lineBreaks(text: string, start: number, end: number): { crlf: number; lf: number } {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf("\n", start); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) {
    if (text[i - 1] === "\r") crlf++;
    else lf++;
  }
  return { crlf, lf };
}

/**
 * The value of a raw item this list appends as it stands: a one-line scalar, or a block map over one line or several
 * whose values are plain or quoted scalars or such maps (comments kept on its lines after the first); undefined for
 * anything else (a flow collection, a block scalar, an anchor, alias or tag), which the caller appends with
 * appendSeqItems.
 */
function rawItemValue(raw: string): unknown {
  if (/[\r&*!|>]/.test(raw) || raw.trim() !== raw || raw === "") return undefined;
  const line = !raw.includes("\n");
  if (line && raw.includes("#")) return undefined;
  const known = line ? pathValue(raw) : undefined;
  if (known !== undefined) return known;
  // A map of `key: value` lines (an http-era endpoint), read as an item of a discovery file is: without a parse.
  const map = simpleList(`- ${raw.replaceAll("\n", "\n  ")}\n`)?.[0];
  if (map !== undefined) return map;
  // A `[` or `{` may open a flow collection: only a one-line scalar holding one is taken.
  const flow = /[[{]/.test(raw);
  if (flow && !line) return undefined;
  const parsed = rawValue(raw, []);
  const value = parsed.value;
  if (value !== null && typeof value === "object") return Array.isArray(value) || flow ? undefined : value;
  return line && !parsed.block ? value : undefined;
}

/** A single-quoted scalar of printable ASCII, or a plain one naming a path: the value of such an item. */
const QUOTED_PATH = /^'((?:[\x20-\x26\x28-\x7e]|'')*)'$/;
/** A plain scalar with a `/` and only these characters is a string in YAML 1.2 (no null, bool or number has one). */
const PLAIN_PATH = /^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;

/**
 * The value of a raw item in one of the two shapes lists of files are written in, read without a parse (appending
 * a thousand backends parsed a thousand small documents); undefined for any other shape (the caller parses it).
 */
function pathValue(raw: string): string | undefined {
  const quoted = QUOTED_PATH.exec(raw);
  if (quoted) return (quoted[1] ?? "").replaceAll("''", "'");
  return PLAIN_PATH.test(raw) && raw.includes("/") ? raw : undefined;
}

/**
 * An existing one-line scalar set again and again (a restart annotation bumped by every step): parsed once, then each
 * value replaces the scalar's characters in its own quote style, which is what `setScalar` does to such a scalar.
 * Any other shape answers undefined, and the caller uses `setScalar`.
 */
export class ScalarSlot {
  /** The edit of the last `set`, against the text before it (none when the value was already there). */
  lastEdits: readonly TextEdit[] = [];

  private constructor(
    /** The file's text as this slot last left it. */
    public text: string,
    private readonly start: number,
    private end: number,
    private readonly style: QuoteStyle,
    private readonly inFlow: boolean,
    private value: string,
  ) {}

  static of(text: string, path: YamlPath, doc: number): ScalarSlot | undefined {
    if (text.startsWith("\uFEFF") || path.length === 0) return undefined;
    try {
      const parsed = parseFile(text, doc, path);
      if (parsed.docs.some((d) => d.warnings.length > 0 || hasAnchorsOrAliases(d))) return undefined;
      const res = resolve(parsed.doc, path);
      const node = res.node;
      if (res.depth < path.length || !isScalar(node) || typeof node.value !== "string" || node.tag) return undefined;
      if (node.type !== "PLAIN" && node.type !== "QUOTE_SINGLE" && node.type !== "QUOTE_DOUBLE") return undefined;
      const [start] = node.range ?? [0];
      const end = contentEnd(text, node);
      if (text.slice(start, end).includes("\n")) return undefined;
      return new ScalarSlot(text, start, end, styleOf(node.type), res.inFlow, node.value);
    } catch {
      return undefined;
    }
  }

  /** The text with the scalar set to value. */
  set(value: string): string {
    if (value === this.value) {
      this.lastEdits = [];
      return this.text;
    }
    const insert = formatScalar(value, this.style, this.inFlow);
    this.lastEdits = [{ start: this.start, end: this.end, insert }];
    this.text = this.text.slice(0, this.start) + insert + this.text.slice(this.end);
    this.end = this.start + insert.length;
    this.value = value;
    return this.text;
  }
}
