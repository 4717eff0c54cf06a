// Scalars and map entries: set, remove, insert and read, by splicing the original text.
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Pair, Scalar, YAMLMap } from "yaml";
import { createEdits } from "./create.js";
import { REMOVE, changeIn } from "./expected.js";
import {
  EditError,
  afterNodeLine,
  colonAfterKey,
  contentEnd,
  docValue,
  isNullNode,
  mapIndent,
  parseFile,
  resolve,
  showPath,
  startOf,
  verifyEdit,
  type YamlPath,
} from "./locate.js";
import { formatScalar, styleOf } from "./scalar.js";
import {
  applyEdits,
  column,
  dedent,
  deleteLinesEdit,
  eolOf,
  indentLines,
  insertLinesEdit,
  lineEnd,
  lineStart,
  splitLines,
  startsLine,
  type TextEdit,
} from "./text.js";

type AnyMap = YAMLMap<unknown, unknown>;
type AnyPair = Pair<unknown, unknown>;

/** Edits replacing an existing scalar's characters with value. */
function replaceScalar(text: string, node: Scalar, value: string, inFlow: boolean, pair?: AnyPair): TextEdit[] {
  const [start, valueEnd] = node.range ?? [0, 0];
  if (node.value === null && valueEnd === start) {
    // `key: # comment` has its empty value after the comment: write the value right after the colon, comment kept.
    const at = pair && isScalar(pair.key) ? colonAfterKey(text, pair) + 1 : start;
    return [{ start: at, end: at, insert: ` ${formatScalar(value, "plain", inFlow)}` }];
  }
  const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
  const style = block || node.value === null ? "plain" : styleOf(node.type);
  return [{ start, end: contentEnd(text, node), insert: formatScalar(value, style, inFlow) }];
}

/** Set the scalar at path to the string value, creating missing maps along the way. */
export function setScalar(text: string, path: YamlPath, value: string, doc = 0): string {
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
  const expected = changeIn(docValue(parsed.doc), path, () => value);
  return verifyEdit(applyEdits(text, edits), parsed, expected, path);
}

/** Comment lines at the key's indentation directly above it (no blank line between). */
function attachedCommentsStart(text: string, keyLineStart: number, indent: number): number {
  let start = keyLineStart;
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    const line = text.slice(prev, start).replace(/\r?\n$/, "");
    const trimmed = line.trimStart();
    if (!trimmed.startsWith("#") || line.length - trimmed.length !== indent) break;
    start = prev;
  }
  return start;
}

function pairRaw(text: string, pair: AnyPair): string {
  return text.slice(startOf(pair), contentEnd(text, pair));
}

/** Edits removing pair from its block map; an emptied map leaves `key: {}` (or `- {}`). */
function removeBlockPair(
  text: string,
  map: AnyMap,
  pair: AnyPair,
  parentPair: AnyPair | undefined,
  path: YamlPath,
): TextEdit[] {
  const keyStart = startOf(pair);
  const end = contentEnd(text, pair);
  const alone = map.items.length === 1;
  if (!startsLine(text, keyStart)) {
    // First key on a `- ` line: the dash stays, the next key moves up onto it.
    const next = map.items[1];
    if (!next) return [{ start: keyStart, end, insert: "{}" }];
    return [{ start: keyStart, end: startOf(next), insert: "" }];
  }
  const indent = column(text, keyStart);
  const start = attachedCommentsStart(text, lineStart(text, keyStart), indent);
  const edits = [deleteLinesEdit(text, start, lineEnd(text, end))];
  if (alone && parentPair) {
    const colon = colonAfterKey(text, parentPair);
    edits.push({ start: colon + 1, end: colon + 1, insert: " {}" });
  } else if (alone && path.length > 1) {
    throw new EditError(`cannot remove ${showPath(path)}: it is the only key of a map that is not under a key`);
  }
  return edits;
}

/** Remove the key at path with its value and the comment lines attached above it. */
export function removeKey(text: string, path: YamlPath, doc = 0): string {
  const parsed = parseFile(text, doc, path);
  const res = resolve(parsed.doc, path);
  if (res.depth < path.length) return text;
  const { pair, parent } = res;
  if (!pair || !isMap(parent)) throw new EditError(`cannot remove ${showPath(path)}: it is not a map key`);
  let edits: TextEdit[];
  if (parent.flow) {
    const rest = parent.items.filter((p) => p !== pair).map((p) => pairRaw(text, p));
    edits = [{ start: startOf(parent), end: contentEnd(text, parent), insert: `{${rest.join(", ")}}` }];
  } else {
    const parentPair = path.length > 1 ? resolve(parsed.doc, path.slice(0, -1)).pair : undefined;
    edits = removeBlockPair(text, parent, pair, parentPair, path);
  }
  const emptied = changeIn(docValue(parsed.doc), path, () => REMOVE);
  const rootGone = path.length === 1 && parent.items.length === 1 && !parent.flow;
  return verifyEdit(applyEdits(text, edits), parsed, rootGone ? null : emptied, path);
}

/** Keys of a raw map entry source; it must parse as a map. */
function entryKeys(lines: readonly string[], path: YamlPath): { keys: string[]; value: Record<string, unknown> } {
  const d = parseDocument(lines.join("\n"));
  if (d.errors.length || !isMap(d.contents)) {
    throw new EditError(`cannot insert into ${showPath(path)}: the new entry is not a YAML map entry`);
  }
  const value = d.toJS() as Record<string, unknown>;
  return { keys: Object.keys(value), value };
}

/** Insert rawEntry into the block map at mapPath after the entry afterKey (or at its end). */
export function insertMapEntry(text: string, mapPath: YamlPath, rawEntry: string, afterKey?: string, doc = 0): string {
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
    if (map.flow) throw new EditError(`cannot insert into ${showPath(mapPath)}: it is a flow map`);
    edits = [
      insertLinesEdit(
        text,
        insertionPoint(text, map, afterKey, mapPath),
        indentLines(lines, " ".repeat(mapIndent(text, map))),
        eolOf(text),
      ),
    ];
  } else if (res.depth < mapPath.length || isNullNode(res.node)) {
    edits = createEdits(text, res, mapPath, { kind: "entries", lines });
  } else {
    throw new EditError(`cannot insert into ${showPath(mapPath)}: it is not a map`);
  }
  const expected = changeIn(docValue(parsed.doc), mapPath, (old) => ({ ...(old as object | null), ...entry.value }));
  return verifyEdit(applyEdits(text, edits), parsed, expected, mapPath);
}

function insertionPoint(text: string, map: AnyMap, afterKey: string | undefined, mapPath: YamlPath): number {
  if (afterKey === undefined) return afterNodeLine(text, map);
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === afterKey);
  if (!pair) throw new EditError(`cannot insert after ${showPath([...mapPath, afterKey])}: no such key`);
  return afterNodeLine(text, pair);
}

/** Source of the map entry at path (key line through its value), de-indented, \n line ends; undefined if missing. */
export function readEntryRaw(text: string, path: YamlPath, doc = 0): string | undefined {
  const parsed = parseFile(text, doc, path);
  const res = resolve(parsed.doc, path);
  if (res.depth < path.length) return undefined;
  if (!res.pair || !isMap(res.parent)) throw new EditError(`cannot read ${showPath(path)}: it is not a map entry`);
  if (res.parent.flow) return `${pairRaw(text, res.pair)}\n`;
  const start = startOf(res.pair);
  const cut = column(text, start);
  const body = text.slice(start, lineEnd(text, contentEnd(text, res.pair)));
  const lines = splitLines(body).map((l, i) => (i === 0 ? l : l.slice(Math.min(cut, l.length - l.trimStart().length))));
  return lines.map((l) => `${l}\n`).join("");
}
