// Creating what a path needs below the deepest node that exists: missing keys become block
// maps indented under their parent, ending in the new value.
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { CST, Node, Pair, YAMLMap } from "yaml";
import {
  EditError,
  blockIndicator,
  insertionLine,
  bracelessPairAppend,
  colonAfterKey,
  contentEnd,
  isBracelessPair,
  isNullNode,
  mapIndent,
  pastBlankLines,
  propsStart,
  refuseAfterTabComment,
  showPath,
  startOf,
  type Resolution,
  type YamlPath,
} from "./locate.js";
import { blockPair, holdsComment, readsSameInFlow } from "./flow.js";
import { formatScalar } from "./scalar.js";
import {
  column,
  eolOf,
  indentLines,
  indentOf,
  insertLinesEdit,
  lineEnd,
  lineStart,
  splitLines,
  startsLine,
  trimBack,
  type TextEdit,
} from "./text.js";

/** What goes at the end of the created path. */
export type Leaf =
  | { kind: "scalar"; value: string }
  | { kind: "seq"; items: readonly string[] }
  | { kind: "entries"; lines: readonly string[] };

/** Block lines `- item` for raw items; continuation lines line up under the item's first character. */
export function seqItemLines(items: readonly string[], indent: string, gap: number): string[] {
  return items.flatMap((raw) => {
    const [first = "", ...rest] = underDash(splitLines(raw.replace(/^(\r?\n)+/, "")), gap);
    const dash = first === "" ? `${indent}-` : `${indent}-${" ".repeat(gap)}${first}`;
    return [dash, ...indentLines(rest, indent + " ".repeat(1 + gap))];
  });
}

/**
 * The lines of a raw item that is a block scalar with an indentation indicator (`|2-`), to be written after a dash
 * and gap spaces: the indicator counts from the dash's column there, not from the raw's first column, so it grows
 * by 1 + gap; past 9, the content lines move left instead. Other raw items are returned as they are.
 */
function underDash(lines: string[], gap: number): string[] {
  if (!/[|>][+-]?[1-9]/.test(lines[0] ?? "")) return lines;
  const d = parseDocument(lines.join("\n"), { keepSourceTokens: true });
  const indicator = d.errors.length ? undefined : blockIndicator(d.contents);
  const [first = "", ...rest] = lines;
  if (!indicator || indicator.at >= first.length) return lines;
  const content = indicator.from + indicator.digit;
  const digit = Math.min(9, content + 1 + gap);
  const left = content + 1 + gap - digit;
  if (left > content) {
    throw new EditError(
      `cannot write the block scalar ${JSON.stringify(lines[0])} as a list item ${gap} spaces after its dash: its indentation indicator would exceed 9`,
    );
  }
  return [
    `${first.slice(0, indicator.at)}${digit}${first.slice(indicator.at + 1)}`,
    ...rest.map((l) => l.slice(Math.min(left, indentOf(l)))),
  ];
}

function keyText(key: string, inFlow: boolean): string {
  return formatScalar(key, "plain", inFlow);
}

/** Lines at column 0: `k1:` / `  k2: value` ... for nested keys ending in leaf. */
function blockLines(keys: readonly string[], leaf: Leaf): string[] {
  const lines = keys.map((k, i) => `${"  ".repeat(i)}${keyText(k, false)}:`);
  const pad = "  ".repeat(keys.length);
  if (leaf.kind === "scalar") {
    if (lines.length === 0) throw new EditError("internal: scalar leaf without key");
    lines[lines.length - 1] += ` ${formatScalar(leaf.value, "plain", false)}`;
    return lines;
  }
  if (leaf.kind === "seq") return [...lines, ...seqItemLines(leaf.items, pad, 1)];
  return [...lines, ...indentLines(leaf.lines, pad)];
}

/**
 * A one-line raw item as it is written inside brackets: as it is when it reads the same there, a string (`a, b`)
 * quoted; undefined when it has no flow form without rewriting it (a block collection such as `- a`).
 */
function flowItem(raw: string): string | undefined {
  const source = raw.trim() || "~";
  if (/[\r\n]/.test(source)) return undefined;
  if (readsSameInFlow(source, "seq")) return source;
  const d = parseDocument(source);
  const c = d.contents;
  if (d.errors.length || !isScalar(c) || typeof c.value !== "string") return undefined;
  return formatScalar(c.value, "plain", true);
}

/** The leaf as a flow value: a scalar, `[a, b]`, or `{k: v}` for one one-line entry; nothing that spans lines. */
function flowLeaf(leaf: Leaf, path: YamlPath): string {
  const items = leaf.kind === "seq" ? leaf.items.map(flowItem) : [];
  const entry = leaf.kind === "entries" && leaf.lines.length === 1 ? (leaf.lines[0] ?? "").trim() : undefined;
  if (leaf.kind === "scalar") return formatScalar(leaf.value, "plain", true);
  if (leaf.kind === "seq" && items.every((i) => i !== undefined)) return `[${items.join(", ")}]`;
  if (entry !== undefined && readsSameInFlow(entry, "map")) return `{${entry}}`;
  if (leaf.kind === "seq" && leaf.items.every((i) => !/[\r\n]/.test(i.trim()))) {
    const block = leaf.items.find((i) => flowItem(i) === undefined) ?? "";
    throw new EditError(
      `cannot create ${showPath(path)}: its parent is a flow map and the item ${JSON.stringify(block.trim())} is a block collection`,
    );
  }
  throw new EditError(`cannot create ${showPath(path)}: its parent is a flow map and the value spans lines`);
}

/** `k1: {k2: value}` for a flow map; only scalars and one-line items fit there. */
function flowEntry(keys: readonly string[], leaf: Leaf, path: YamlPath): string {
  const value = flowLeaf(leaf, path);
  const [last, ...outer] = [...keys].reverse();
  if (last === undefined) throw new EditError(`cannot create ${showPath(path)}: nothing to create`);
  let entry = `${keyText(last, true)}: ${value}`;
  for (const k of outer) entry = `${keyText(k, true)}: {${entry}}`;
  return entry;
}

/** True when leaf can be written inside a flow map. */
function fitsFlow(leaf: Leaf): boolean {
  if (leaf.kind === "entries") return leaf.lines.length === 1 && readsSameInFlow(leaf.lines[0] ?? "", "map");
  return leaf.kind === "scalar" || (leaf.kind === "seq" && leaf.items.every((i) => flowItem(i) !== undefined));
}

/**
 * Edits turning a non-empty flow map under a block map key into a block map that ends in lines: its entries as
 * block entries (`{a: 1, b: 2}` gives `a: 1` and `b: 2` lines), indented two spaces under the key. An `&anchor` or
 * `!tag` of the map stays on the key's line; undefined when comments inside the braces could not stay in place.
 */
export function flowMapToBlock(
  text: string,
  map: YAMLMap<unknown, unknown>,
  pair: Pair<unknown, unknown>,
  lines: readonly string[],
  eol: string,
): TextEdit[] | undefined {
  if (holdsComment(map) || isBracelessPair(map)) return undefined;
  const open = startOf(map);
  const props = propsStart(text, map);
  const start = props < open ? trimBack(text, open, props) : colonAfterKey(text, pair) + 1;
  const end = contentEnd(text, map);
  const entries = map.items.flatMap((p) => splitLines(blockPair(text, p)));
  const indent = " ".repeat(column(text, propsStart(text, pair)) + 2);
  const added = indentLines([...entries, ...lines], indent);
  return [
    { start, end, insert: "" },
    insertLinesEdit(text, pastBlankLines(text, lineEnd(text, end), added), added, eol),
  ];
}

/**
 * A flow map that is an item of a block list (`- {a: 1}`, or `- - {a: 1}`) and must hold a multi-line entry becomes a
 * block map in place: its first entry stays on the dash's line, the others line up under it. Only the map's own text
 * changes; a map with comments, an anchor or tag before its brace, or text after it on its last line stays as it is.
 */
export function flowItemMapToBlock(
  text: string,
  map: YAMLMap<unknown, unknown>,
  lines: readonly string[],
  eol: string,
): TextEdit[] | undefined {
  if (holdsComment(map) || isBracelessPair(map)) return undefined;
  return inPlaceOfItem(text, map, [...map.items.flatMap((p) => splitLines(blockPair(text, p))), ...lines], eol);
}

/**
 * Block lines in place of a flow collection that is a block list's item, when nothing but dashes stands before it on
 * its line and nothing after it: the first line after the dash, the others lined up under it.
 */
export function inPlaceOfItem(text: string, node: Node, lines: readonly string[], eol: string): TextEdit[] | undefined {
  const open = startOf(node);
  const end = contentEnd(text, node);
  if (propsStart(text, node) < open || !/^ *(?:- +)+$/.test(text.slice(lineStart(text, open), open))) return undefined;
  if (text.slice(end, lineEnd(text, end)).trim() !== "") return undefined;
  const [first = "", ...rest] = lines;
  return [{ start: open, end, insert: [first, ...indentLines(rest, " ".repeat(column(text, open)))].join(eol) }];
}

/** Edits putting block lines under a block map key whose value is null or `{}` (the value's text goes). */
function underKey(text: string, pair: Pair<unknown, unknown>, keys: readonly string[], leaf: Leaf, eol: string) {
  if (pair.value === null && !hasValueIndicator(text, pair)) return colonLine(text, pair, keys, leaf, eol);
  const colon = colonAfterKey(text, pair);
  const value = pair.value as Node | null;
  const edits: TextEdit[] = [];
  const [valueStart = colon + 1, valueEnd = colon + 1] = value?.range ?? [];
  if (valueEnd > valueStart) edits.push({ start: colon + 1, end: valueEnd, insert: "" });
  else if (value?.tag?.startsWith("tag:yaml.org,2002:")) {
    // A core tag of the empty value (`key: !!null`) would contradict the map or list it becomes.
    const tag = /[ \t]*!\S*/.exec(text.slice(colon + 1, valueEnd));
    if (tag) edits.push({ start: colon + 1 + tag.index, end: colon + 1 + tag.index + tag[0].length, insert: "" });
  }
  const indent = " ".repeat(column(text, propsStart(text, pair)) + 2);
  const added = indentLines(blockLines(keys, leaf), indent);
  edits.push(insertLinesEdit(text, pastBlankLines(text, lineEnd(text, colon), added), added, eol));
  return edits;
}

/** True when the pair's key is followed by its `:` (an explicit `? key` may have none). */
function hasValueIndicator(text: string, pair: Pair<unknown, unknown>): boolean {
  const sep = (pair as { srcToken?: { sep?: CST.SourceToken[] } }).srcToken?.sep;
  if (sep?.some((t) => t.type === "map-value-ind")) return true;
  return /^[ \t]*:/.test(text.slice(contentEnd(text, pair.key)));
}

/** An explicit `? key` without `:` gets a `:` line after the key, at the `?`'s column, holding the value. */
function colonLine(text: string, pair: Pair<unknown, unknown>, keys: readonly string[], leaf: Leaf, eol: string) {
  const indent = " ".repeat(column(text, propsStart(text, pair)));
  const lines =
    keys.length === 0 && leaf.kind === "scalar"
      ? [`${indent}: ${formatScalar(leaf.value, "plain", false)}`]
      : [`${indent}:`, ...indentLines(blockLines(keys, leaf), `${indent}  `)];
  return [insertLinesEdit(text, lineEnd(text, contentEnd(text, pair.key)), lines, eol)];
}

/**
 * Edits giving a flow map's entry without a value (`{a, b: 1}`, `{a:, b: 1}`, `{a: ~}`) the flow map value: after
 * its key or `:`, or in place of `~` or `null` and a `!!null` tag that would contradict it.
 */
function flowNullValue(text: string, pair: Pair<unknown, unknown>, value: string): TextEdit[] {
  const node = pair.value as Node | null;
  if (!node?.range) {
    const end = contentEnd(text, pair.key);
    return [{ start: end, end, insert: `: ${value}` }];
  }
  const start = propsStart(text, node);
  const end = node.range[1] > node.range[0] ? contentEnd(text, node) : node.range[0];
  return [{ start, end, insert: `${/[ \t\r\n]/.test(text[start - 1] ?? " ") ? "" : " "}${value}` }];
}

/**
 * Edits writing the new keys where an empty document (`---` with nothing after it) or a null block list item
 * (`- `) has nothing: on the lines after the document's start, or after the item's dash. Undefined for anything
 * else, such as a null written out (`~`) or a tagged one.
 */
function emptyNullEdits(text: string, res: Resolution, keys: readonly string[], leaf: Leaf, eol: string) {
  const node = res.node;
  const range = node?.range;
  if (!isScalar(node) || !range || range[0] !== range[1] || node.tag || node.anchor || res.inFlow) return undefined;
  const lines = blockLines(keys, leaf);
  if (res.parent === undefined) {
    const at = startsLine(text, range[0]) ? lineStart(text, range[0]) : lineEnd(text, range[0]);
    return [insertLinesEdit(text, at, lines, eol)];
  }
  if (!isSeq(res.parent) || res.parent.flow) return undefined;
  const at = range[0];
  const space = /[ \t]/.test(text[at - 1] ?? "") ? "" : " ";
  const pad = " ".repeat(column(text, at) + space.length);
  const [first = "", ...rest] = lines;
  if (/^[ \t]*(\r?\n|$)/.test(text.slice(at))) {
    return [{ start: at, end: at, insert: [space + first, ...indentLines(rest, pad)].join(eol) }];
  }
  // A comment after the dash (`- # note`) stays on that line, after the first new line (`k:` when more follow).
  const head = { start: at, end: at, insert: `${space}${first} ` };
  return rest.length ? [head, insertLinesEdit(text, lineEnd(text, at), indentLines(rest, pad), eol)] : [head];
}

/** Edits that create path.slice(res.depth) with leaf as its value. */
export function createEdits(text: string, res: Resolution, path: YamlPath, leaf: Leaf): TextEdit[] {
  const eol = eolOf(text);
  const keys = path.slice(res.depth);
  const at = showPath(path.slice(0, res.depth));
  if (!keys.every((k): k is string => typeof k === "string")) {
    throw new EditError(
      `cannot create ${showPath(path)}: ${at} has no item ${String(keys[0])} (only map keys are created)`,
    );
  }
  const node = res.node;
  if (isMap(node) && !node.flow) {
    refuseAfterTabComment(text, node.items[node.items.length - 1], path.slice(0, res.depth));
    const lines = indentLines(blockLines(keys, leaf), " ".repeat(mapIndent(text, node)));
    return [insertLinesEdit(text, insertionLine(text, node, lines), lines, eol)];
  }
  const emptyFlowMap = isMap(node) && node.flow && node.items.length === 0;
  if (emptyFlowMap && res.pair && !res.inFlow && !fitsFlow(leaf)) return underKey(text, res.pair, keys, leaf, eol);
  if (isMap(node) && node.flow && res.pair && !res.inFlow && !fitsFlow(leaf)) {
    const block = flowMapToBlock(text, node, res.pair, blockLines(keys, leaf), eol);
    if (block) return block;
  }
  if (isMap(node)) {
    const entry = flowEntry(keys, leaf, path);
    if (isBracelessPair(node)) return bracelessPairAppend(text, node, entry);
    const last = node.items[node.items.length - 1];
    if (!last) return [{ start: startOf(node), end: contentEnd(text, node), insert: `{${entry}}` }];
    const end = contentEnd(text, last);
    return [{ start: end, end, insert: `, ${entry}` }];
  }
  if (isNullNode(node) && res.pair && !res.inFlow) return underKey(text, res.pair, keys, leaf, eol);
  if (isNullNode(node) && res.pair) {
    const value = keys.length === 0 ? flowLeaf(leaf, path) : `{${flowEntry(keys, leaf, path)}}`;
    return flowNullValue(text, res.pair, value);
  }
  const inline = emptyNullEdits(text, res, keys, leaf, eol);
  if (inline) return inline;
  const what = node === null ? "the document is empty" : `${at} is not a map`;
  throw new EditError(`cannot create ${showPath(path)}: ${what}`);
}
