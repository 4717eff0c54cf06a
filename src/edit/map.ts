// Scalars and map entries: set, remove, insert and read, by splicing the original text.
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Document, Pair, Scalar, YAMLMap } from "yaml";
import { createEdits, flowItemMapToBlock, flowMapToBlock } from "./create.js";
import { REMOVE, changeIn } from "./expected.js";
import {
  AS_PARSED,
  EditError,
  insertionLine,
  afterColonProps,
  bracelessPairAppend,
  contentEnd,
  docValue,
  isBracelessPair,
  isNullNode,
  mapIndent,
  parseFile,
  propsStart,
  refuseAfterTabComment,
  refuseAliasedChange,
  refuseRepointedAlias,
  resolve,
  showPath,
  standaloneValue,
  startOf,
  verifyEdit,
  type Resolution,
  type YamlPath,
} from "./locate.js";
import { blockPair, multiLine, readsSameInFlow, spliceFlowAppend, spliceFlowRemoval } from "./flow.js";
import { formatScalar, styleOf } from "./scalar.js";
import {
  applyEdits,
  attachedCommentsStart,
  column,
  dedent,
  dedentFrom,
  deleteLinesEdit,
  eolOf,
  indentLines,
  insertLinesEdit,
  lineEnd,
  lineNumber,
  lineStart,
  splitLines,
  startsLine,
  stripBom,
  type TextEdit,
  withoutBom,
} from "./text.js";

type AnyMap = YAMLMap<unknown, unknown>;
type AnyPair = Pair<unknown, unknown>;

const STR_TAG = "tag:yaml.org,2002:str";

/** Edits replacing an existing scalar's characters with value. */
function replaceScalar(text: string, node: Scalar, value: string, inFlow: boolean, pair?: AnyPair): TextEdit[] {
  const [start, valueEnd] = node.range ?? [0, 0];
  const edits: TextEdit[] = [];
  // A core-schema tag (`!!int 3`) would contradict the new string; `!!str` and custom tags stay.
  if (node.tag?.startsWith("tag:yaml.org,2002:") && node.tag !== STR_TAG) {
    const tag = /![^ \t\r\n]*[ \t]+$/.exec(text.slice(lineStart(text, start), start));
    if (!tag)
      throw new EditError(`cannot set the value on line ${lineNumber(text, start)}: its tag is not on its line`);
    edits.push({ start: start - tag[0].length, end: start, insert: "" });
  }
  if (node.value === null && valueEnd === start) {
    // Empty value (`key:` or `key: # note`): the value goes right after the colon (and the value's props), before
    // any comment; after the indicator otherwise.
    let at = start;
    if (pair && isScalar(pair.key)) at = afterColonProps(text, pair);
    else while (at > 0 && (text[at - 1] === " " || text[at - 1] === "\t")) at--;
    return [...edits, { start: at, end: at, insert: ` ${formatScalar(value, "plain", inFlow)}` }];
  }
  const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
  const style = block || node.value === null ? "plain" : styleOf(node.type);
  // A comment on a block scalar's header line (`key: |  # note`) stays on the key's line.
  const header = block ? /^[|>][0-9+-]*([ \t]+#[^\r\n]*)?/.exec(text.slice(start))?.[1] : undefined;
  // An empty value right after its tag (`!!str`) needs a space between them.
  const gap = start === valueEnd && /[^\s[{,:?-]/.test(text[start - 1] ?? " ") ? " " : "";
  const insert = gap + formatScalar(value, style, inFlow) + (header ?? "");
  return [...edits, { start, end: contentEnd(text, node), insert }];
}

function setScalarWithin(text: string, path: YamlPath, value: string, doc = 0): string {
  if (path.length === 0) throw new EditError("setScalar needs a path to a key");
  const parsed = parseFile(text, doc, path);
  const res = resolve(parsed.doc, path);
  let edits: TextEdit[];
  if (res.depth < path.length) edits = createEdits(text, res, path, { kind: "scalar", value });
  else if (isScalar(res.node)) {
    if (res.node.value === value) return text;
    edits = replaceScalar(text, res.node, value, res.inFlow, res.pair ?? undefined);
  } else if (res.node === null && res.pair) edits = createEdits(text, res, path, { kind: "scalar", value });
  else {
    const kind = isMap(res.node) ? "a map" : isSeq(res.node) ? "a sequence" : "an alias";
    throw new EditError(`cannot set ${showPath(path)}: it is ${kind}, not a scalar`);
  }
  refuseAliasedChange(text, parsed.doc, path, res.depth);
  const expected = changeIn(docValue(parsed.doc), path, () => value);
  return verifyEdit(applyEdits(text, edits), parsed, expected, path);
}

function pairRaw(text: string, pair: AnyPair): string {
  return text.slice(propsStart(text, pair), contentEnd(text, pair));
}

/** Edits removing pair from its block map; an emptied map leaves `key: {}` (or `- {}`). */
function removeBlockPair(text: string, map: AnyMap, pair: AnyPair, parentPair: AnyPair | undefined): TextEdit[] {
  const keyStart = propsStart(text, pair);
  const end = contentEnd(text, pair);
  const alone = map.items.length === 1;
  if (!startsLine(text, keyStart)) {
    // First key on a `- ` line: the dash stays, the next key moves up onto it, unless comment or blank lines
    // stand between them: then the dash stays alone on its line and they keep theirs.
    const next = map.items[1];
    if (!next) return [{ start: keyStart, end, insert: "{}" }];
    const nextStart = propsStart(text, next);
    if (lineEnd(text, end) === lineStart(text, nextStart)) return [{ start: keyStart, end: nextStart, insert: "" }];
    let from = keyStart;
    while (text[from - 1] === " " || text[from - 1] === "\t") from--;
    return [{ start: from, end, insert: "" }];
  }
  const indent = column(text, keyStart);
  const start = attachedCommentsStart(text, lineStart(text, keyStart), indent);
  const removed = lineEnd(text, end);
  if (alone && parentPair) {
    const at = afterColonProps(text, parentPair);
    return [deleteLinesEdit(text, start, removed), { start: at, end: at, insert: " {}" }];
  }
  if (alone) {
    // The map stays a map: `{}` where its only key was (at the document root, or an item's value).
    const eol = /\n$/.test(text.slice(start, removed)) ? eolOf(text) : "";
    return [{ start, end: removed, insert: `${" ".repeat(indent)}{}${eol}` }];
  }
  return [deleteLinesEdit(text, start, removed)];
}

function removeKeyWithin(text: string, path: YamlPath, doc = 0): string {
  const parsed = parseFile(text, doc, path);
  const res = resolve(parsed.doc, path);
  if (res.depth < path.length) return text;
  const { pair, parent } = res;
  if (!pair || !isMap(parent)) throw new EditError(`cannot remove ${showPath(path)}: it is not a map key`);
  refuseAliasedChange(text, parsed.doc, path, path.length - 1);
  refuseRepointedAlias(text, parsed.doc, path, [pair.key, pair.value]);
  let edits: TextEdit[];
  if (isBracelessPair(parent))
    edits = [{ start: propsStart(text, parent), end: contentEnd(text, parent), insert: "{}" }];
  else if (parent.flow && multiLine(text, parent)) {
    edits = spliceFlowRemoval(
      text,
      parent,
      parent.items.map((p) => p === pair),
    );
  } else if (parent.flow) {
    const rest = parent.items.filter((p) => p !== pair).map((p) => pairRaw(text, p));
    edits = [{ start: startOf(parent), end: contentEnd(text, parent), insert: `{${rest.join(", ")}}` }];
  } else {
    const parentPair = path.length > 1 ? resolve(parsed.doc, path.slice(0, -1)).pair : undefined;
    edits = removeBlockPair(text, parent, pair, parentPair);
  }
  const emptied = changeIn(docValue(parsed.doc), path, () => REMOVE);
  return verifyEdit(applyEdits(text, edits), parsed, emptied, path);
}

/** Keys of a raw map entry source; it must parse as a map. */
function entryKeys(lines: readonly string[], path: YamlPath): { keys: string[]; value: Record<string, unknown> } {
  const d = parseDocument(lines.join("\n")) as Document.Parsed;
  if (d.errors.length || !isMap(d.contents)) {
    throw new EditError(`cannot insert into ${showPath(path)}: the new entry is not a YAML map entry`);
  }
  const keys = d.contents.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key));
  const value = standaloneValue(d);
  if (value === AS_PARSED) return { keys, value: Object.fromEntries(keys.map((k) => [k, AS_PARSED])) };
  return { keys: Object.keys(value as object), value: value as Record<string, unknown> };
}

function insertMapEntryWithin(text: string, mapPath: YamlPath, rawEntry: string, afterKey?: string, doc = 0): string {
  const parsed = parseFile(text, doc, mapPath);
  const res = resolve(parsed.doc, mapPath);
  const lines = dedent(splitLines(rawEntry.replace(/^(\r?\n)+/, "")));
  const entry = entryKeys(lines, mapPath);
  const map = res.depth === mapPath.length && isMap(res.node) ? res.node : undefined;
  let edits: TextEdit[];
  if (map) {
    const clash = entry.keys.find((k) => map.items.some((p) => isScalar(p.key) && String(p.key.value) === k));
    if (clash !== undefined)
      throw new EditError(`cannot insert ${showPath([...mapPath, clash])}: the key already exists`);
    if (map.flow) edits = flowInsert(text, map, res, lines, mapPath);
    else {
      const added = indentLines(lines, " ".repeat(mapIndent(text, map)));
      edits = [insertLinesEdit(text, insertionPoint(text, map, afterKey, mapPath, added), added, eolOf(text))];
    }
  } else if (res.depth < mapPath.length || isNullNode(res.node)) {
    edits = createEdits(text, res, mapPath, { kind: "entries", lines });
  } else {
    throw new EditError(`cannot insert into ${showPath(mapPath)}: it is not a map`);
  }
  refuseAliasedChange(text, parsed.doc, mapPath, res.depth);
  const expected = changeIn(docValue(parsed.doc), mapPath, (old) => ({ ...(old as object | null), ...entry.value }));
  return verifyEdit(applyEdits(text, edits), parsed, expected, mapPath);
}

/**
 * An entry into a flow map: a one-line entry goes inside the braces (on its own line in a multi-line map); a map under
 * a block key or an item of a block list taking a multi-line entry becomes a block map; a multi-line entry cannot go
 * into other flow maps.
 */
function flowInsert(text: string, map: AnyMap, res: Resolution, lines: readonly string[], path: YamlPath): TextEdit[] {
  const entry = lines.join("\n");
  if (lines.length === 1 && readsSameInFlow(entry, "map")) {
    if (isBracelessPair(map)) return bracelessPairAppend(text, map, entry.trim());
    const last = map.items[map.items.length - 1];
    if (!last) return [{ start: startOf(map), end: contentEnd(text, map), insert: `{${entry.trim()}}` }];
    const spliced = spliceFlowAppend(text, map, [entry.trim()]);
    if (spliced) return spliced;
    const end = contentEnd(text, last);
    return [{ start: end, end, insert: `, ${entry.trim()}` }];
  }
  if (map.items.length === 0 && res.pair && !res.inFlow)
    return createEdits(text, res, path, { kind: "entries", lines });
  // Under a block key or as a block list's item, the map becomes a block map that can hold the entry.
  const block = res.inFlow
    ? undefined
    : res.pair
      ? flowMapToBlock(text, map, res.pair, lines, eolOf(text))
      : isSeq(res.parent) && !res.parent.flow
        ? flowItemMapToBlock(text, map, lines, eolOf(text))
        : undefined;
  if (block) return block;
  throw new EditError(
    `cannot insert into ${showPath(path)} (line ${lineNumber(text, startOf(map))}): it is a flow map and the entry spans lines or is not a flow entry`,
  );
}

function insertionPoint(
  text: string,
  map: AnyMap,
  afterKey: string | undefined,
  mapPath: YamlPath,
  lines: readonly string[],
): number {
  if (afterKey === undefined) {
    refuseAfterTabComment(text, map.items[map.items.length - 1], mapPath);
    return insertionLine(text, map, lines);
  }
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === afterKey);
  if (!pair) throw new EditError(`cannot insert after ${showPath([...mapPath, afterKey])}: no such key`);
  refuseAfterTabComment(text, pair, mapPath);
  return insertionLine(text, pair, lines);
}

function readEntryRawWithin(text: string, path: YamlPath, doc = 0): string | undefined {
  const parsed = parseFile(text, doc, path);
  const res = resolve(parsed.doc, path);
  if (res.depth < path.length) return undefined;
  if (!res.pair || !isMap(res.parent)) throw new EditError(`cannot read ${showPath(path)}: it is not a map entry`);
  if (res.parent.flow) return `${blockPair(text, res.pair)}\n`;
  const start = propsStart(text, res.pair);
  const cut = column(text, start);
  const body = text.slice(start, lineEnd(text, contentEnd(text, res.pair)));
  const lines = dedentFrom(splitLines(body), cut);
  return lines.map((l) => `${l}\n`).join("");
}

/** Set the scalar at path to the string value, creating missing maps along the way. */
export function setScalar(text: string, path: YamlPath, value: string, doc = 0): string {
  return withoutBom(text, (t) => setScalarWithin(t, path, value, doc));
}

/** Remove the key at path with its value and the comment lines attached above it. */
export function removeKey(text: string, path: YamlPath, doc = 0): string {
  return withoutBom(text, (t) => removeKeyWithin(t, path, doc));
}

/** Insert rawEntry into the block map at mapPath after the entry afterKey (or at its end). */
export function insertMapEntry(text: string, mapPath: YamlPath, rawEntry: string, afterKey?: string, doc = 0): string {
  return withoutBom(text, (t) => insertMapEntryWithin(t, mapPath, rawEntry, afterKey, doc));
}

/** Source of the map entry at path (key line through its value), de-indented, \n line ends; undefined if missing. */
export function readEntryRaw(text: string, path: YamlPath, doc = 0): string | undefined {
  return readEntryRawWithin(stripBom(text), path, doc);
}
