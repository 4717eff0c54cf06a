// Finding nodes in the original text: parse with the `yaml` package only to learn offsets,
// and re-parse edited text to prove the edit did exactly what was intended.
import { isDeepStrictEqual } from "node:util";
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit } from "yaml";
import type { CST, Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { parsingDocuments, sourceDocuments } from "../spec/yaml.js";
import { column, lineEnd, lineNumber, lineStart, trimBack } from "./text.js";

/** An edit that cannot be made safely; the message names the path and what was wrong. */
export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EditError";
  }
}

/** Keys (map) and indices (sequence) from the document root; a key with dots is one key. */
export type YamlPath = readonly (string | number)[];

export type Collection = YAMLMap<unknown, unknown> | YAMLSeq<unknown>;
type AnyPair = Pair<unknown, unknown>;

/** Human form of a path: discovery.backends.files, a."b.c"[0]. */
export function showPath(path: YamlPath): string {
  if (path.length === 0) return "(document root)";
  return path
    .map((seg, i) => {
      if (typeof seg === "number") return `[${seg}]`;
      const key = /^[A-Za-z0-9_-]+$/.test(seg) ? seg : JSON.stringify(seg);
      return i === 0 ? key : `.${key}`;
    })
    .join("");
}

export interface Parsed {
  docs: Document.Parsed[];
  doc: Document.Parsed;
  index: number;
}

/** Parse every document of the file; malformed YAML or a missing document is an EditError. */
/**
 * Parses by text, kept for the last few texts (see sourceDocuments): a chain of edits parses each result to verify it,
 * and the next edit of the same file parses that same text again. The edit code only reads documents (it splices
 * text), so sharing is safe.
 */
function parseAll(text: string): Document.Parsed[] {
  const hit = sourceDocuments.get(text);
  if (hit) return hit;
  const docs = [...parseAllDocuments(text, { keepSourceTokens: true })] as Document.Parsed[];
  sourceDocuments.set(text, docs);
  return docs;
}

/** Parse a long text into the memo in pieces (see parsingDocuments): the next read or edit of it answers at once. */
export function* parsingForEdits(text: string): Generator<void, void> {
  if (sourceDocuments.get(text)) return;
  const docs = yield* parsingDocuments(text, { keepSourceTokens: true });
  if (docs) sourceDocuments.set(text, docs);
}

export function parseFile(text: string, docIndex: number, path: YamlPath): Parsed {
  const docs = parseAll(text);
  for (const d of docs) {
    const err = d.errors[0];
    if (err)
      throw new EditError(`cannot edit ${showPath(path)}: the file is not valid YAML: ${firstLine(err.message)}`);
    const alias = unresolvedAlias(d, text);
    if (alias) {
      throw new EditError(
        `cannot edit ${showPath(path)}: the alias *${alias.name} on line ${lineNumber(text, alias.offset)} has no anchor before it`,
      );
    }
  }
  const doc = docs[docIndex];
  if (!doc) {
    throw new EditError(
      `cannot edit ${showPath(path)}: document ${docIndex} does not exist (the file has ${docs.length})`,
    );
  }
  return { docs, doc, index: docIndex };
}

/** Where a path leads: the deepest existing node and how many segments reached it. */
export interface Resolution {
  /** Number of path segments that exist; path.length when the target exists. */
  depth: number;
  /** Node at path.slice(0, depth); null for an empty document or a pair without value. */
  node: Node | null;
  /** The map pair whose value is node, when node is a map value. */
  pair: AnyPair | undefined;
  /** The collection holding node. */
  parent: Collection | undefined;
  /** True when node sits inside a flow collection. */
  inFlow: boolean;
}

export function isNullNode(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

function kindOf(node: Node): string {
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a sequence";
  if (isAlias(node)) return "an alias";
  return "a scalar";
}

/** Follow path from the root; a scalar or sequence where a map key is needed is an EditError. */
export function resolve(doc: Document.Parsed, path: YamlPath): Resolution {
  let res: Resolution = { depth: 0, node: doc.contents, pair: undefined, parent: undefined, inFlow: false };
  for (const [i, seg] of path.entries()) {
    const node = res.node;
    if (isNullNode(node)) return res;
    const inFlow = res.inFlow || Boolean((node as Collection).flow);
    if (isMap(node) && typeof seg === "string") {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return res;
      res = { depth: i + 1, node: (pair.value as Node | null) ?? null, pair, parent: node, inFlow };
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) return res;
      res = { depth: i + 1, node: item as Node, pair: undefined, parent: node, inFlow };
    } else {
      const want = typeof seg === "number" ? `a sequence (index ${seg})` : `a map (key "${seg}")`;
      const at = showPath(path.slice(0, i));
      throw new EditError(`cannot reach ${showPath(path)}: ${at} is ${kindOf(node as Node)}, not ${want}`);
    }
  }
  return res;
}

/**
 * The first alias of doc whose anchor is not defined before it (an alias refers back, never forward). `text`, the
 * source doc was parsed from: without a `*` in it there is no alias, and no walk over the document.
 */
export function unresolvedAlias(doc: Document.Parsed, text?: string): { name: string; offset: number } | undefined {
  if (text !== undefined && !text.includes("*")) return undefined;
  const anchors = new Set<string>();
  let found: { name: string; offset: number } | undefined;
  visit(doc, (_key, node) => {
    if (isAlias(node) && !anchors.has(node.source)) {
      found = { name: node.source, offset: node.range?.[0] ?? 0 };
      return visit.BREAK;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchors.add(anchor);
    return undefined;
  });
  return found;
}

/** For each node an alias repeats, the first alias that does (an alias repeats the last node anchored so before it). */
function aliasedNodes(doc: Document.Parsed, text: string): Map<unknown, number> {
  // An alias is written `*name`: a text without a `*` repeats nothing.
  if (!text.includes("*")) return new Map();
  const anchored = new Map<string, unknown>();
  const repeated = new Map<unknown, number>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      const target = anchored.get(node.source);
      if (target !== undefined && !repeated.has(target)) repeated.set(target, node.range?.[0] ?? 0);
      return undefined;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchored.set(anchor, node);
    return undefined;
  });
  return repeated;
}

function anchorLine(text: string, node: unknown): number {
  return lineNumber(text, text.lastIndexOf(`&${(node as { anchor: string }).anchor}`, startOf(node)));
}

/**
 * Refuse removing nodes that hold an anchor an alias repeats while an earlier node has the same anchor: the alias
 * would repeat that one instead. (With no earlier one the alias would dangle, which the result's check names.)
 */
export function refuseRepointedAlias(text: string, doc: Document.Parsed, path: YamlPath, removed: unknown[]): void {
  const repeated = aliasedNodes(doc, text);
  if (repeated.size === 0) return;
  const firstAnchored = new Map<string, number>();
  visit(doc, (_key, node) => {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor && !firstAnchored.has(anchor)) firstAnchored.set(anchor, startOf(node));
  });
  for (const top of removed) {
    visit(top as Node, (_key, node) => {
      const alias = repeated.get(node);
      const name = (node as { anchor?: string } | null)?.anchor;
      if (alias === undefined || !name || (firstAnchored.get(name) ?? 0) >= startOf(node)) return undefined;
      throw new EditError(
        `cannot remove ${showPath(path)}: the alias *${name} on line ${lineNumber(text, alias)} repeats the anchor &${name} on line ${anchorLine(text, node)}, and would repeat another node anchored &${name} without it`,
      );
    });
  }
}

/**
 * Refuse an edit inside a node that an alias repeats (the first `depth` segments of path lead through it): the
 * alias would change with it, and keeping its old value would mean rewriting the alias's line.
 */
export function refuseAliasedChange(text: string, doc: Document.Parsed, path: YamlPath, depth: number): void {
  const repeated = aliasedNodes(doc, text);
  if (repeated.size === 0) return;
  let node: unknown = doc.contents;
  for (let i = 0; i <= depth; i++) {
    const alias = repeated.get(node);
    if (alias !== undefined) {
      const name = (node as { anchor: string }).anchor;
      const what = i === path.length ? "it holds" : "a node holding it has";
      throw new EditError(
        `cannot edit ${showPath(path)}: ${what} the anchor &${name} (line ${anchorLine(text, node)}) that the alias *${name} on line ${lineNumber(text, alias)} repeats, so the alias would change too`,
      );
    }
    const seg = path[i];
    if (i === depth || seg === undefined) break;
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg))?.value;
    else if (isSeq(node) && typeof seg === "number") node = node.items[seg];
    else break;
  }
}

/** True for a block scalar with keep chomping (`|+`, `>+`): its trailing blank lines are part of its value. */
export function isKeepBlock(node: unknown): node is Scalar {
  if (!isScalar(node) || (node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED")) return false;
  const token = node.srcToken as CST.BlockScalar | undefined;
  const header = token?.props?.find((t): t is CST.SourceToken => t.type === "block-scalar-header")?.source ?? "";
  return header.includes("+");
}

/**
 * A block scalar's indentation indicator (`|2-`, `>1+`): where its digit stands, the digit, and the column it
 * counts from (the indentation of the node holding the scalar: a list item's dash, a map's keys; 0 at the root).
 */
export function blockIndicator(node: unknown): { at: number; digit: number; from: number } | undefined {
  if (!isScalar(node) || (node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED")) return undefined;
  const token = node.srcToken as CST.BlockScalar | undefined;
  const header = token?.props?.find((t): t is CST.SourceToken => t.type === "block-scalar-header");
  const digit = header ? /[1-9]/.exec(header.source) : null;
  if (!token || !header || !digit) return undefined;
  return { at: header.offset + digit.index, digit: Number(digit[0]), from: Math.max(0, token.indent) };
}

/** A single-pair map written without braces inside a flow sequence (`[a: b]`, `[? a : b]`, `[: b]`). */
export function isBracelessPair(node: unknown): boolean {
  return (
    isMap(node) && Boolean(node.flow) && (node.srcToken as { type?: string } | undefined)?.type !== "flow-collection"
  );
}

/** Edits adding entry to a braceless pair: it gets its braces, `[{a: b, entry}]`. */
export function bracelessPairAppend(text: string, map: YAMLMap<unknown, unknown>, entry: string) {
  const start = propsStart(text, map);
  const end = contentEnd(text, map);
  return [
    { start, end: start, insert: "{" },
    { start: end, end, insert: `, ${entry}}` },
  ];
}

/**
 * Offset where node's properties (`&anchor`, `!tag`) start when they stand on the same line just before it,
 * else where the node itself starts.
 */
export function propsStart(text: string, node: unknown): number {
  const first = isBracelessPair(node) ? (node as YAMLMap<unknown, unknown>).items[0] : undefined;
  if (first) return propsStart(text, first);
  // An explicit key's `? ` belongs to its entry (the source token knows where it is, also when the key is a map).
  const explicitKey = isPair(node)
    ? (node as { srcToken?: { start?: CST.SourceToken[] } }).srcToken?.start?.find((t) => t.type === "explicit-key-ind")
    : undefined;
  if (explicitKey) return explicitKey.offset;
  const start = startOf(node);
  const n = isPair(node) ? node.key : node;
  if (!n || typeof n !== "object" || !("range" in n)) return start;
  const { anchor, tag } = n as { anchor?: string; tag?: string };
  let at = start;
  for (let i = 0; i < 2 && (anchor || tag); i++) {
    const m = /(?:^|(?<=[\s\-?:,[{]))[&!]\S*[ \t]*$/.exec(text.slice(lineStart(text, at), at));
    if (!m) break;
    at -= m[0].length;
  }
  // An explicit key's `? ` belongs to its entry.
  const explicit = isPair(node) ? /(?:^|(?<=[\s[{,]))\?[ \t]+$/.exec(text.slice(lineStart(text, at), at)) : null;
  return explicit ? at - explicit[0].length : at;
}

/**
 * End of a clipped or stripped block scalar's last content line: trailing lines of no more spaces than its
 * indentation are not content, but a line of more spaces, or holding a tab, is.
 */
function blockScalarEnd(text: string, node: Scalar): number {
  const [start, valueEnd] = node.range ?? [0, 0];
  const body = text.slice(lineEnd(text, start), valueEnd).split(/\r?\n/);
  const indent = Math.min(...body.filter((l) => !/^ *$/.test(l)).map((l) => /^ */.exec(l)?.[0].length ?? 0));
  let end = valueEnd;
  for (;;) {
    const lineBreak = text[end - 1] === "\n" ? (text[end - 2] === "\r" ? 2 : 1) : 0;
    const lineAt = lineStart(text, end - lineBreak);
    const line = text.slice(lineAt, end - lineBreak);
    if (lineBreak === 0 || lineAt <= start || !/^ *$/.test(line) || line.length > indent) return end - lineBreak;
    end = lineAt;
  }
}

/** Offset just past the last character of node's own content (trailing comments excluded). */
export function contentEnd(text: string, node: unknown): number {
  if (isPair(node)) return Math.max(contentEnd(text, node.key), contentEnd(text, node.value));
  if (isKeepBlock(node)) {
    // Trailing blank lines are its value: end on the last of them.
    let end = node.range?.[1] ?? 0;
    if (text[end - 1] === "\n") end--;
    if (text[end - 1] === "\r") end--;
    return end;
  }
  if (isScalar(node) && (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED")) {
    return blockScalarEnd(text, node);
  }
  if (isScalar(node) || isAlias(node)) {
    const [start, valueEnd] = node.range ?? [0, 0];
    return trimBack(text, valueEnd, start);
  }
  if (isMap(node) || isSeq(node)) {
    const [start, end] = node.range ?? [0, 0];
    if (node.flow) return end;
    return Math.max(start, ...node.items.map((item) => contentEnd(text, item)));
  }
  return 0;
}

/** Offset of the line start after the line where node's content ends. */
export function afterNodeLine(text: string, node: unknown): number {
  return lineEnd(text, contentEnd(text, node));
}

/**
 * Where lines added after node go: after its last line and the lines of only spaces or tabs that follow it, which
 * would otherwise read as content of a block scalar ending the added lines. When the added lines may end in a block
 * scalar, also after the comment lines that follow (blank lines between them included) that it would take in: those
 * indented deeper than the added lines (they would read as its content) and those starting with a tab (no line may
 * start with one right after a block scalar's content).
 */
export function insertionLine(text: string, node: unknown, added: readonly string[] = []): number {
  return pastBlankLines(text, afterNodeLine(text, node), added);
}

/** The line start at or after at where added lines go (see insertionLine). */
export function pastBlankLines(text: string, at: number, added: readonly string[]): number {
  const blockScalar = added.some((l) => /(^|[ \t])[|>][1-9+-]{0,2}([ \t]+#.*)?$/.test(l));
  const indent = /^ */.exec(added[0] ?? "")?.[0].length ?? 0;
  let next = at;
  for (let pos = at; pos < text.length; ) {
    const m = /^([ \t]*)(#[^\r\n]*)?(\r?\n|$)/.exec(text.slice(pos));
    if (!m) break;
    const [line = "", lead = "", comment] = m;
    const taken = comment ? blockScalar && (lead.includes("\t") || lead.length > indent) : lead !== "";
    if (!taken && (comment || !blockScalar)) break;
    pos += line.length;
    if (taken) next = pos;
  }
  return next;
}

export function startOf(node: unknown): number {
  if (isPair(node)) return startOf(node.key);
  return (node as Node).range?.[0] ?? 0;
}

/** Offset of the `:` after a block map key. */
export function colonAfterKey(text: string, pair: AnyPair): number {
  // The source token knows where the `:` is, also for an explicit `? key` whose `:` starts a later line.
  const sep = (pair as { srcToken?: { sep?: CST.SourceToken[] } }).srcToken?.sep;
  const indicator = sep?.find((t) => t.type === "map-value-ind");
  if (indicator) return indicator.offset;
  const keyEnd = (pair.key as Node).range?.[1] ?? 0;
  const m = /^[ \t]*:/.exec(text.slice(keyEnd));
  if (!m) throw new EditError(`unsupported key syntax near "${text.slice(startOf(pair), keyEnd + 10)}"`);
  return keyEnd + m[0].length - 1;
}

/**
 * Offset after the `:` of a block map key and the `&anchor` / `!tag` of its value, also when they stand on lines of
 * their own before it (`key:\n  &a\n  - x`): what is put in place of the value goes right after them.
 */
export function afterColonProps(text: string, pair: AnyPair): number {
  const colon = colonAfterKey(text, pair) + 1;
  const value = pair.value as Node | null;
  // A block collection starts on its own line; what stands before it on that line is its first entry's.
  const valueStart = value?.range?.[0] ?? colon;
  const block = (isMap(value) || isSeq(value)) && !value.flow;
  const limit = Math.max(colon, block ? lineStart(text, valueStart) : valueStart);
  let at = colon;
  for (let m = /^[ \t]+[&!][^\s]*/.exec(text.slice(at)); m; m = /^[ \t]+[&!][^\s]*/.exec(text.slice(at))) {
    at += m[0].length;
  }
  // Props on later lines, between comments, up to where the value starts.
  for (const m of text.slice(colon, limit).matchAll(/#[^\n]*|[&!][^\s]*/g)) {
    if (m[0][0] !== "#") at = Math.max(at, colon + m.index + m[0].length);
  }
  return at;
}

/**
 * Refuse adding lines after the entry pair when a comment line between its key and value starts with a tab
 * (`key:\n\t# note\n  value`): the yaml package then reads the value and the key that follows as one key.
 */
export function refuseAfterTabComment(text: string, pair: AnyPair | undefined, path: YamlPath): void {
  const value = pair?.value as Node | null | undefined;
  if (!pair || !value?.range) return;
  const from = contentEnd(text, pair.key);
  const m = /\n\t[ \t]*#/.exec(text.slice(from, value.range[0]));
  if (m) {
    throw new EditError(
      `cannot insert into ${showPath(path)} after the entry on line ${lineNumber(text, startOf(pair))}: the comment on line ${lineNumber(text, from + m.index + 1)} starts with a tab, after which the yaml package reads the entry's value and the next key as one key`,
    );
  }
}

/** Offset of the `-` of each item of a block sequence (CST items holding only comments are skipped). */
export function dashOffsets(seq: YAMLSeq<unknown>): number[] {
  const token = seq.srcToken as CST.BlockSequence | undefined;
  if (token?.type !== "block-seq") throw new EditError("internal: block sequence without source tokens");
  const dashes = token.items.flatMap((item) =>
    item.start.filter((t) => t.type === "seq-item-ind").map((t) => t.offset),
  );
  if (dashes.length !== seq.items.length) throw new EditError("internal: sequence items and dashes do not match");
  return dashes;
}

/** Column at which the keys of a block map start. */
export function mapIndent(text: string, map: YAMLMap<unknown, unknown>): number {
  return column(text, propsStart(text, map.items[0]));
}

/** Plain JS value of one document (null for an empty one); unresolved aliases were refused before. */
export function docValue(doc: Document.Parsed): unknown {
  return doc.toJS({ maxAliasCount: -1 }) ?? null;
}

/**
 * Re-parse the edited text and require: every other document unchanged, and the edited
 * document equal to `expected` (the old value with the intended change applied).
 */
export function verifyEdit(after: string, before: Parsed, expected: unknown, path: YamlPath): string {
  const docs = parseAll(after);
  const err = docs.flatMap((d) => d.errors)[0];
  if (err) throw new EditError(`editing ${showPath(path)} would produce invalid YAML: ${firstLine(err.message)}`);
  if (docs.length !== before.docs.length) {
    throw new EditError(`editing ${showPath(path)} would change the number of documents`);
  }
  for (const d of docs) {
    const alias = unresolvedAlias(d as Document.Parsed, after);
    if (alias) {
      throw new EditError(
        `cannot edit ${showPath(path)}: the alias *${alias.name} would stand on line ${lineNumber(after, alias.offset)} of the result with no anchor &${alias.name} before it (an alias refers back to an anchor)`,
      );
    }
  }
  docs.forEach((d, i) => {
    // A warning the document already had elsewhere (a custom tag the yaml package cannot resolve) is no news.
    const known = new Set(before.docs[i]?.warnings.map((w) => firstLine(w.message).replace(/ at line \d+.*$/, "")));
    const warning = d.warnings.find((w) => !known.has(firstLine(w.message).replace(/ at line \d+.*$/, "")));
    if (warning) {
      throw new EditError(`editing ${showPath(path)} would produce doubtful YAML: ${firstLine(warning.message)}`);
    }
  });
  docs.forEach((d, i) => {
    const want = i === before.index ? expected : docValue(before.docs[i] as Document.Parsed);
    if (!matches(docValue(d as Document.Parsed), want)) {
      const what = i === before.index ? `the value at ${showPath(path)}` : `document ${i}`;
      throw new EditError(`editing ${showPath(path)} would not give the intended result: ${what} came out different`);
    }
  });
  return after;
}

/**
 * Stands in the expected value for a new item or entry whose aliases refer to anchors outside it: YAML gives it the
 * value of the anchor before it, which only the edited document can tell.
 */
export const AS_PARSED = Symbol("as parsed");

function matches(actual: unknown, expected: unknown): boolean {
  if (expected === AS_PARSED) return true;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e))
    );
  }
  if (expected !== null && typeof expected === "object" && Object.getPrototypeOf(expected) === Object.prototype) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    const got = actual as Record<string, unknown>;
    return (
      isDeepStrictEqual([...keys].sort(), Object.keys(got).sort()) &&
      keys.every((k) => matches(got[k], (expected as Record<string, unknown>)[k]))
    );
  }
  return isDeepStrictEqual(actual, expected);
}

/** The value of a new item or entry parsed on its own; AS_PARSED when it holds an alias to an anchor outside it. */
export function standaloneValue(doc: Document.Parsed): unknown {
  return unresolvedAlias(doc) ? AS_PARSED : doc.toJS({ maxAliasCount: -1 });
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
