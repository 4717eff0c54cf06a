// Reading, removing and appending sequence items by splicing the original text.
import { isAlias, isMap, isNode, isPair, isSeq, parseDocument } from "yaml";
import type { Document, Node, YAMLSeq } from "yaml";
import { createEdits, inPlaceOfItem, seqItemLines } from "./create.js";
import { blockPair, holdsComment, multiLine, readsSameInFlow, spliceFlowAppend, spliceFlowRemoval } from "./flow.js";
import { changeIn } from "./expected.js";
import { finish as finishWork } from "../spec/work.js";
import {
  EditError,
  afterColonProps,
  afterNodeLine,
  blockIndicator,
  insertionLine,
  colonAfterKey,
  contentEnd,
  dashOffsets,
  docValue,
  isKeepBlock,
  isNullNode,
  parseFile,
  parsingForEdits,
  pastBlankLines,
  propsStart,
  refuseAliasedChange,
  refuseRepointedAlias,
  resolve,
  showPath,
  standaloneValue,
  startOf,
  verifyEdit,
  type Parsed,
  type Resolution,
  type YamlPath,
} from "./locate.js";
import {
  applyEdits,
  attachedCommentsStart,
  column,
  dedentFrom,
  deleteLinesEdit,
  eolOf,
  insertLinesEdit,
  lineEnd,
  lineNumber,
  lineStart,
  mergeRanges,
  splitLines,
  startsLine,
  stripBom,
  trimBack,
  type TextEdit,
  BOM,
} from "./text.js";

export interface SeqItem {
  /** The item's source text; lines after the first are de-indented to the item's column. */
  raw: string;
  /** The item's parsed value. */
  value: unknown;
}

type Seq = YAMLSeq<unknown>;

interface Target {
  parsed: Parsed;
  res: Resolution;
  seq: Seq | undefined;
}

function locateSeq(text: string, path: YamlPath, doc: number): Target {
  const parsed = parseFile(text, doc, path);
  const res = resolve(parsed.doc, path);
  const found = res.depth === path.length;
  if (found && isSeq(res.node)) return { parsed, res, seq: res.node };
  if (!found || isNullNode(res.node)) return { parsed, res, seq: undefined };
  const kind = isMap(res.node) ? "a map" : isAlias(res.node) ? "an alias" : "a scalar";
  throw new EditError(`${showPath(path)} is ${kind}, not a sequence`);
}

/** A comment after the item on its last line, when the item spans lines (it is then always copied in block style). */
function trailingComment(text: string, start: number, end: number): number {
  if (!text.slice(start, end).includes("\n")) return end;
  const rest = /^[ \t]+#[^\r\n]*/.exec(text.slice(end));
  return rest ? end + rest[0].length : end;
}

/** True when node's text ends with a keep-chomped block scalar, whose trailing line breaks are its value. */
function endsInKeepBlock(node: unknown): boolean {
  if (isKeepBlock(node)) return true;
  if (isPair(node)) return endsInKeepBlock(node.value);
  if ((isMap(node) || isSeq(node)) && !node.flow) return endsInKeepBlock(node.items[node.items.length - 1]);
  return false;
}

function itemRaw(text: string, item: unknown): string {
  // `[key: value]`: a single-pair map item, written `key: value` so it reads the same in a block list.
  const implicit =
    isMap(item) && item.flow && (item.srcToken as { type?: string } | undefined)?.type !== "flow-collection";
  const pair = isPair(item) ? item : implicit ? item.items[0] : undefined;
  if (pair) return blockPair(text, pair);
  const start = propsStart(text, item);
  const cut = column(text, start);
  // (An indicator on a later line than the item's properties is rare enough to be copied as it stands.)
  const indicator = blockIndicator(item);
  const onFirstLine = indicator && lineStart(text, indicator.at) === lineStart(text, start) ? indicator : undefined;
  const dedented = (lines: string[]) =>
    (onFirstLine ? ownIndicator(text, start, lines, onFirstLine) : dedentFrom(lines, cut)).join("\n");
  if (endsInKeepBlock(item)) {
    const body = text.slice(start, lineEnd(text, contentEnd(text, item)));
    const lines = body.split(/\r?\n/);
    if (!/\n$/.test(body)) return dedented(lines);
    lines.pop();
    return `${dedented(lines)}\n`;
  }
  return dedented(splitLines(text.slice(start, trailingComment(text, start, contentEnd(text, item)))));
}

/**
 * The lines of a block scalar item with an indentation indicator (`- |2-`), as a value of its own: the indicator
 * counts from the item's dash, the raw's from its own first column, so the digit becomes where the content stands
 * right of the raw's first column (content left of it, as in `- |1`, moves right to column 1 of the raw).
 */
function ownIndicator(
  text: string,
  start: number,
  lines: readonly string[],
  indicator: { at: number; digit: number; from: number },
): string[] {
  const content = indicator.from + indicator.digit;
  const own = Math.min(9, Math.max(1, content - column(text, start)));
  const at = indicator.at - start;
  return lines.map((l, i) => {
    if (i === 0) return `${l.slice(0, at)}${own}${l.slice(at + 1)}`;
    if (/^ *$/.test(l) && l.length <= content) return "";
    return " ".repeat(own) + l.slice(content);
  });
}

function itemValue(item: unknown, doc: Document.Parsed): unknown {
  const js = (node: unknown) => (isNode(node) ? node.toJS(doc) : node);
  // A `[key: value]` flow item is a single-pair map.
  if (isPair(item)) return { [String(js(item.key))]: js(item.value) };
  return js(item);
}

function currentValues(seq: Seq | undefined, doc: Document.Parsed): unknown[] {
  return seq ? seq.items.map((i) => itemValue(i, doc)) : [];
}

function readSeqItemsWithin(text: string, path: YamlPath, doc = 0): SeqItem[] {
  const { parsed, seq } = locateSeq(text, path, doc);
  return (seq?.items ?? []).map((item) => ({ raw: itemRaw(text, item), value: itemValue(item, parsed.doc) }));
}

/** Items read between two yields of readingSeqItems. */
const ITEMS_PER_PIECE = 100;
/** Raw items parsed between two yields of appendingSeqItems (each parsed as a document of its own). */
const RAWS_PER_PIECE = 20;

/**
 * readSeqItems as work that yields: the file parsed in pieces, then its items read a hundred at a time (a Core config
 * listing thousands of backends takes tens of milliseconds).
 */
export function* readingSeqItems(text: string, path: YamlPath, doc = 0): Generator<void, SeqItem[]> {
  const bare = stripBom(text);
  yield* parsingForEdits(bare);
  const { parsed, seq } = locateSeq(bare, path, doc);
  const items: SeqItem[] = [];
  for (const item of seq?.items ?? []) {
    items.push({ raw: itemRaw(bare, item), value: itemValue(item, parsed.doc) });
    if (items.length % ITEMS_PER_PIECE === 0) yield;
  }
  return items;
}

function finish(text: string, after: string, target: Target, path: YamlPath, values: unknown[]): string {
  refuseAliasedChange(text, target.parsed.doc, path, target.res.depth);
  const expected = changeIn(docValue(target.parsed.doc), path, () => values);
  return verifyEdit(after, target.parsed, expected, path);
}

/**
 * Start and end of each block item's whole lines. Only the first item may share its line with its parent's `- ` or
 * `? ` (`- - a`); then its "lines" are that whole line, which the caller must not delete.
 */
function blockItemLines(text: string, seq: Seq, path: YamlPath): [number, number][] {
  return dashOffsets(seq).map((dash, i) => {
    if (i > 0 && !startsLine(text, dash))
      throw new EditError(`${showPath(path)}: item ${i} does not start its own line`);
    return [lineStart(text, dash), afterNodeLine(text, seq.items[i])];
  });
}

/**
 * Edits removing some, not all, items of a block sequence: their whole lines. A first item sharing its line with
 * its parent's `- ` (`- - a`) goes from its dash up to the next kept item's dash, which moves onto that line.
 */
function blockRemoval(text: string, seq: Seq, drop: readonly boolean[], path: YamlPath): TextEdit[] {
  const lines = blockItemLines(text, seq, path);
  const dashes = dashOffsets(seq);
  const first = dashes[0] ?? 0;
  if (!drop[0] || startsLine(text, first)) {
    return mergeRanges(lines.filter((_, i) => drop[i])).map(([s, e]) => deleteLinesEdit(text, s, e));
  }
  const kept = drop.indexOf(false);
  const next = dashes[kept] ?? first;
  if (/(^|[ \t])#/m.test(text.slice(first, next))) {
    throw new EditError(
      `cannot remove ${showPath([...path, 0])} (line ${lineNumber(text, first)}): it shares its line with its parent's indicator, and the comment between it and the next item kept would go with it`,
    );
  }
  const after = mergeRanges(lines.filter((_, i) => drop[i] && i > kept));
  return [{ start: first, end: next, insert: "" }, ...after.map(([s, e]) => deleteLinesEdit(text, s, e))];
}

/**
 * Edits removing every item of a block sequence: each item's lines with the comment lines that introduce it, and
 * `key: []` (or `[]` in place of the first item, when the sequence is not a map value) so the value stays a list.
 */
function emptyEdits(text: string, seq: Seq, res: Resolution, path: YamlPath): TextEdit[] {
  // At the document root, the comments above the first item are the file's header: they stay.
  const firstDash = dashOffsets(seq)[0];
  // The first item on its parent's line (`- - a`, `: - a`): that line becomes `- []`, the comments above are the
  // parent's.
  const own = firstDash !== undefined && startsLine(text, firstDash);
  const lines = blockItemLines(text, seq, path).map(([s, e], i): [number, number] => [
    i === 0 && (path.length === 0 || !own) ? s : attachedCommentsStart(text, s, column(text, firstDash ?? s)),
    e,
  ]);
  const ranges = mergeRanges(lines);
  if (res.pair && !res.inFlow && own) {
    const at = afterColonProps(text, res.pair);
    return [...ranges.map(([s, e]) => deleteLinesEdit(text, s, e)), { start: at, end: at, insert: " []" }];
  }
  const [first, ...rest] = ranges;
  if (!first) throw new EditError(`internal: ${showPath(path)} has no items`);
  const dash = dashOffsets(seq)[0] ?? 0;
  const removed = text.slice(first[0], first[1]);
  const marker = `${text.slice(lineStart(text, dash), dash)}[]${/\n$/.test(removed) ? eolOf(text) : ""}`;
  return [{ start: first[0], end: first[1], insert: marker }, ...rest.map(([s, e]) => deleteLinesEdit(text, s, e))];
}

function* removingSeqItemsWithin(
  text: string,
  path: YamlPath,
  remove: (value: unknown, index: number) => boolean,
  doc = 0,
): Generator<void, string> {
  yield* parsingForEdits(text);
  const target = locateSeq(text, path, doc);
  const { seq, res } = target;
  if (!seq) return text;
  const values = currentValues(seq, target.parsed.doc);
  const drop = values.map((v, i) => remove(v, i));
  if (!drop.includes(true)) return text;
  const kept = values.filter((_, i) => !drop[i]);
  yield;
  refuseRepointedAlias(
    text,
    target.parsed.doc,
    path,
    seq.items.filter((_, i) => drop[i]),
  );
  yield;
  let edits: TextEdit[];
  if (seq.flow && multiLine(text, seq)) edits = spliceFlowRemoval(text, seq, drop);
  else if (seq.flow) {
    const raws = seq.items.filter((_, i) => !drop[i]).map((item) => itemRaw(text, item));
    edits = [{ start: startOf(seq), end: contentEnd(text, seq), insert: `[${raws.join(", ")}]` }];
  } else if (kept.length === 0) edits = emptyEdits(text, seq, res, path);
  else edits = blockRemoval(text, seq, drop, path);
  yield;
  const after = applyEdits(text, edits);
  // The text the edit made, parsed in pieces: its verification then reads it from the memo.
  yield* parsingForEdits(after);
  return finish(text, after, target, path, kept);
}

/** Parsed value of a raw item; a raw item that is not valid YAML is an EditError. */
export function rawValue(
  raw: string,
  path: YamlPath,
  tags: Record<string, string> = {},
): { value: unknown; block: boolean } {
  // An empty raw item is a null item (`- `), as readSeqItems reads one.
  if (raw.trim() === "") return { value: null, block: false };
  // Tag handles the document's `%TAG` directives define (`!e!foo`) mean there what they mean in the raw copied from it.
  const directives = Object.entries(tags)
    .filter(([handle]) => handle !== "!" && handle !== "!!")
    .map(([handle, prefix]) => `%TAG ${handle} ${prefix}\n`)
    .join("");
  const d = parseDocument(directives ? `${directives}---\n${raw}` : raw) as Document.Parsed;
  const err = d.errors[0];
  if (err) {
    throw new EditError(
      `cannot append ${JSON.stringify(raw)} to ${showPath(path)}: not a YAML value (${(err.message.split("\n")[0] ?? "").replace(/:$/, "")})`,
    );
  }
  const c = d.contents;
  const block = /[\r\n]/.test(raw.trim()) || ((isMap(c) || isSeq(c)) && !c.flow);
  return { value: standaloneValue(d), block };
}

function appendBlock(text: string, seq: Seq, rawItems: readonly string[]): TextEdit[] {
  const dashes = dashOffsets(seq);
  const lastDash = dashes[dashes.length - 1] ?? 0;
  // A last item on its parent's line (`- - a`): the new ones go on lines of their own at its dash's column.
  const indent = startsLine(text, lastDash)
    ? text.slice(lineStart(text, lastDash), lastDash)
    : " ".repeat(column(text, lastDash));
  const sameLine = seq.items
    .map((item, i) => ({ item: item as Node, dash: dashes[i] ?? 0 }))
    .filter(({ item, dash }) => !isNullNode(item) && lineStart(text, startOf(item)) === lineStart(text, dash));
  const sample = sameLine[sameLine.length - 1];
  const gap = sample ? propsStart(text, sample.item) - sample.dash - 1 : 1;
  const lines = seqItemLines(rawItems, indent, gap);
  return [insertLinesEdit(text, insertionLine(text, seq, lines), lines, eolOf(text))];
}

/** How far the dashes of the block sequences under res's sibling keys stand right of their key (2 when none). */
function siblingDashOffset(text: string, res: Resolution): number {
  const offsets = (isMap(res.parent) ? res.parent.items : []).flatMap((p) => {
    const value = p.value;
    if (!isSeq(value) || value.flow || value.items.length === 0) return [];
    return [column(text, dashOffsets(value)[0] ?? 0) - column(text, propsStart(text, p))];
  });
  return offsets.find((o) => o >= 0) ?? 2;
}

/**
 * A flow sequence that must hold block items (or the first items of `[]`) becomes a block sequence under its key, or
 * in place when it is an item of a block list (`- [a]` becomes `- - a`).
 */
function flowToBlock(text: string, seq: Seq, res: Resolution, rawItems: readonly string[], path: YamlPath): TextEdit[] {
  const item =
    !res.pair && !res.inFlow && isSeq(res.parent) && !res.parent.flow && !holdsComment(seq)
      ? inPlaceOfItem(
          text,
          seq,
          seqItemLines([...seq.items.map((i) => itemRaw(text, i)), ...rawItems], "", 1),
          eolOf(text),
        )
      : undefined;
  if (item) return item;
  if (!res.pair || res.inFlow) {
    throw new EditError(
      `cannot append multi-line items to ${showPath(path)} (line ${lineNumber(text, startOf(seq))}): it is a flow sequence not under a block map key`,
    );
  }
  if (holdsComment(seq)) {
    throw new EditError(
      `cannot append multi-line items to ${showPath(path)} (line ${lineNumber(text, startOf(seq))}): it is a flow sequence with comments inside, which a block sequence could not keep in place`,
    );
  }
  // An `&anchor` or `!tag` of the list stays on the key's line, before the block list.
  const open = startOf(seq);
  const props = propsStart(text, seq);
  const start = props < open ? trimBack(text, open, props) : colonAfterKey(text, res.pair) + 1;
  const end = contentEnd(text, seq);
  const indent = " ".repeat(column(text, propsStart(text, res.pair)) + siblingDashOffset(text, res));
  const lines = seqItemLines([...seq.items.map((item) => itemRaw(text, item)), ...rawItems], indent, 1);
  return [
    { start, end, insert: "" },
    insertLinesEdit(text, pastBlankLines(text, lineEnd(text, end), lines), lines, eolOf(text)),
  ];
}

function appendFlow(
  text: string,
  seq: Seq,
  res: Resolution,
  rawItems: readonly string[],
  block: boolean,
  path: YamlPath,
): TextEdit[] {
  const last = seq.items[seq.items.length - 1];
  // `key: []` getting its first items becomes a block list: later appends then add lines, not a longer line.
  const firstUnderKey = last === undefined && res.pair && !res.inFlow && !holdsComment(seq);
  // An empty raw item (a null item) is written `~` inside brackets, where nothing between commas is no item.
  const raws = rawItems.map((r) => r.trim() || "~");
  // (Whether every item reads the same inside brackets is a parse of each: asked only when it decides.)
  if (block || firstUnderKey || !raws.every((r) => readsSameInFlow(r, "seq")))
    return flowToBlock(text, seq, res, rawItems, path);
  if (last === undefined) return [{ start: startOf(seq), end: contentEnd(text, seq), insert: `[${raws.join(", ")}]` }];
  const spliced = spliceFlowAppend(text, seq, raws);
  if (spliced) return spliced;
  const end = contentEnd(text, last);
  return [{ start: end, end, insert: `, ${raws.join(", ")}` }];
}

function* appendingSeqItemsWithin(
  text: string,
  path: YamlPath,
  rawItems: readonly string[],
  doc = 0,
): Generator<void, string> {
  yield* parsingForEdits(text);
  const target = locateSeq(text, path, doc);
  if (rawItems.length === 0) return text;
  const { seq, res } = target;
  const parsedItems: { value: unknown; block: boolean }[] = [];
  for (const [i, raw] of rawItems.entries()) {
    if (i % RAWS_PER_PIECE === RAWS_PER_PIECE - 1) yield;
    parsedItems.push(rawValue(raw, path, target.parsed.doc.directives?.tags));
  }
  const block = parsedItems.some((p) => p.block);
  let edits: TextEdit[];
  if (!seq) edits = createEdits(text, res, path, { kind: "seq", items: rawItems });
  else if (seq.flow) edits = appendFlow(text, seq, res, rawItems, block, path);
  else edits = appendBlock(text, seq, rawItems);
  const values = [...currentValues(seq, target.parsed.doc), ...parsedItems.map((p) => p.value)];
  yield;
  const after = applyEdits(text, edits);
  yield* parsingForEdits(after);
  return finish(text, after, target, path, values);
}

/** Items of the sequence at path with their source text and value; missing or null gives []. */
export function readSeqItems(text: string, path: YamlPath, doc = 0): SeqItem[] {
  return readSeqItemsWithin(stripBom(text), path, doc);
}

/** Remove every item for which remove(value, index) is true. */
export function removeSeqItems(
  text: string,
  path: YamlPath,
  remove: (value: unknown, index: number) => boolean,
  doc = 0,
): string {
  return finishWork(removingSeqItems(text, path, remove, doc));
}

/**
 * removeSeqItems as work that yields between its parts (each goes over every item: a Core config may list
 * thousands), the file parsed in pieces first.
 */
export function* removingSeqItems(
  text: string,
  path: YamlPath,
  remove: (value: unknown, index: number) => boolean,
  doc = 0,
): Generator<void, string> {
  if (!text.startsWith(BOM)) return yield* removingSeqItemsWithin(text, path, remove, doc);
  return BOM + (yield* removingSeqItemsWithin(text.slice(BOM.length), path, remove, doc));
}

/** Append items given as raw YAML source to the sequence at path (created when missing or null). */
export function appendSeqItems(text: string, path: YamlPath, rawItems: readonly string[], doc = 0): string {
  return finishWork(appendingSeqItems(text, path, rawItems, doc));
}

/**
 * appendSeqItems as work that yields: the file, then the text the edit made, parsed in pieces (a Core config may list
 * thousands of backends, and an adopt may append thousands).
 */
export function* appendingSeqItems(
  text: string,
  path: YamlPath,
  rawItems: readonly string[],
  doc = 0,
): Generator<void, string> {
  if (!text.startsWith(BOM)) return yield* appendingSeqItemsWithin(text, path, rawItems, doc);
  return BOM + (yield* appendingSeqItemsWithin(text.slice(BOM.length), path, rawItems, doc));
}
