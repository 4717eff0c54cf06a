// The corpus checks, made without the engine's own verification: the result parses to exactly the intended value,
// every line the op may not touch is byte-identical, every comment outside the removed lines survives, and nothing
// but an EditError is thrown.
import { isDeepStrictEqual } from "node:util";
import { diffArrays } from "diff";
import { isMap, isPair, isScalar, isSeq, Parser, parseAllDocuments, parseDocument } from "yaml";
import type { CST } from "yaml";
import type { Document, Node, Pair } from "yaml";
import type { Op, Path } from "./ops.js";
import { plain, valuesOf } from "./variants.js";

/** The edit primitives under test (the engine's public face, or a stand-in for the harness's own tests). */
export interface Engine {
  setScalar(text: string, path: Path, value: string, doc?: number): string;
  removeKey(text: string, path: Path, doc?: number): string;
  removeSeqItems(text: string, path: Path, remove: (value: unknown, index: number) => boolean, doc?: number): string;
  appendSeqItems(text: string, path: Path, rawItems: readonly string[], doc?: number): string;
  insertMapEntry(text: string, mapPath: Path, rawEntry: string, afterKey?: string, doc?: number): string;
  readSeqItems(text: string, path: Path, doc?: number): { raw: string; value: unknown }[];
  readEntryRaw(text: string, path: Path, doc?: number): string | undefined;
  EditError: new (message: string) => Error;
}

export type Outcome =
  | { kind: "pass" }
  | { kind: "refused"; reason: string; message: string }
  | { kind: "crash"; detail: string }
  | { kind: "broken"; check: string; detail: string };

/**
 * A refusal message with its particulars (paths, quoted keys and values, line numbers, names) taken out, to count
 * by reason: `cannot insert into "a b"[2] (line 7): ...` and `cannot insert into (document root) (line 1): ...`
 * both count as `cannot insert into X (line N): ...`.
 */
export function refusalReason(message: string): string {
  const path = String.raw`(?:\(document root\)|[^\s:]+)`;
  return (message.split("\n")[0] ?? message)
    .replace(/"(?:[^"\\]|\\.)*"/g, "…")
    .replace(
      new RegExp(`^cannot (\\w+(?: into| after| multi-line items to| every item of)?) (?!the )${path}`),
      "cannot $1 X",
    )
    .replace(new RegExp(` to ${path}(?=: not a YAML value)`), " to X")
    .replace(new RegExp(`^editing ${path}`), "editing X")
    .replace(new RegExp(`^(?!cannot |editing )${path}(?=: | is )`), "X")
    .replace(new RegExp(`: ${path} is not a map`), ": X is not a map")
    .replace(/[*&][^\s)]+/g, (m) => `${m[0]}…`)
    .replace(/\d+/g, "N")
    .replace(/ \(line N\)/g, " (line N)")
    .replace(/: [^:]*$/, (m) => (m.length > 90 ? `${m.slice(0, 90)}…` : m));
}

const ANY = Symbol("any");

function sameValue(actual: unknown, expected: unknown): boolean {
  if (expected === ANY) return true;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => sameValue(actual[i], e))
    );
  }
  if (expected !== null && typeof expected === "object" && Object.getPrototypeOf(expected) === Object.prototype) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = Object.keys(e).sort();
    return isDeepStrictEqual(keys, Object.keys(a).sort()) && keys.every((k) => sameValue(a[k], e[k]));
  }
  return isDeepStrictEqual(actual, expected);
}

/** The value raw YAML has on its own; ANY when it holds an alias to an anchor outside it (YAML resolves it there). */
function rawValue(raw: string): unknown {
  const d = parseDocument(raw);
  try {
    return plain(d.toJS({ maxAliasCount: -1 }));
  } catch {
    return ANY;
  }
}

type Update = (old: unknown) => unknown;
const REMOVE = Symbol("remove");

/** A copy of root with the value at path updated; missing or null maps on the way are created. */
function updateIn(root: unknown, path: Path, update: Update): unknown {
  const [seg, ...rest] = path;
  if (seg === undefined) return update(root);
  if (Array.isArray(root) && typeof seg === "number") {
    const copy = [...root];
    const next = updateIn(copy[seg], rest, update);
    if (next === REMOVE) copy.splice(seg, 1);
    else copy[seg] = next;
    return copy;
  }
  const obj: Record<string, unknown> = root !== null && typeof root === "object" ? { ...(root as object) } : {};
  const next = updateIn(obj[String(seg)], rest, update);
  if (next === REMOVE) delete obj[String(seg)];
  else obj[String(seg)] = next;
  return obj;
}

function has(root: unknown, path: Path): boolean {
  let at: unknown = root;
  for (const seg of path) {
    if (at === null || typeof at !== "object" || !(String(seg) in (at as object))) return false;
    at = (at as Record<string, unknown>)[String(seg)];
  }
  return true;
}

/** The document's value after op, as the op's contract says. */
function intended(before: unknown, op: Op): unknown {
  switch (op.kind) {
    case "setScalar":
      return updateIn(before, op.path, () => op.value);
    case "removeKey":
      return has(before, op.path) ? updateIn(before, op.path, () => REMOVE) : before;
    case "removeSeqItems":
      return updateIn(before, op.path, (old) => (old as unknown[]).filter((_, i) => !op.drop.includes(i)));
    case "appendSeqItems":
      return updateIn(before, op.path, (old) => [...((old as unknown[] | null) ?? []), ...op.raws.map(rawValue)]);
    case "insertMapEntry": {
      const entry = rawValue(op.raw) as Record<string, unknown>;
      return updateIn(before, op.path, (old) => ({ ...((old as object | null) ?? {}), ...entry }));
    }
    default:
      return before;
  }
}

// --- where things are in the original text ---

interface Located {
  doc: Document.Parsed;
  text: string;
  lineAt: (offset: number) => number;
}

function locate(text: string, docIndex: number): Located {
  const docs = parseAllDocuments(text, { keepSourceTokens: true }) as Document.Parsed[];
  const doc = docs[docIndex] as Document.Parsed;
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const lineAt = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return { doc, text, lineAt };
}

interface Step {
  node: Node | null;
  pair: Pair | undefined;
  /** The offset of the `-` when node is a block sequence item. */
  dash: number | undefined;
}

/** The existing steps along path (shorter than path when it runs out). */
function walk(doc: Document.Parsed, path: Path): Step[] {
  const steps: Step[] = [{ node: doc.contents as Node | null, pair: undefined, dash: undefined }];
  for (const seg of path) {
    const node = steps[steps.length - 1]?.node;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      steps.push({ node: (pair.value as Node | null) ?? null, pair: pair as Pair, dash: undefined });
    } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
      const token = node.srcToken as CST.BlockSequence | undefined;
      const dash =
        token?.type === "block-seq"
          ? token.items[seg]?.start.find((t) => t.type === "seq-item-ind")?.offset
          : undefined;
      steps.push({ node: node.items[seg] as Node, pair: undefined, dash });
    } else break;
  }
  return steps;
}

function endOf(node: unknown): number {
  if (isPair(node)) return Math.max(endOf(node.key), endOf(node.value));
  if (isMap(node) || isSeq(node)) {
    if (node.flow) return node.range?.[1] ?? 0;
    return Math.max(node.range?.[0] ?? 0, ...node.items.map(endOf));
  }
  const range = (node as Node | null)?.range;
  if (!range) return 0;
  return Math.max(range[0], range[1] - 1);
}

/** Lines [first, last] of a step: from its key or dash line to the line where its content ends. */
function spanOf(loc: Located, step: Step): [number, number] {
  const start = step.pair ? ((step.pair.key as Node).range?.[0] ?? 0) : (step.dash ?? step.node?.range?.[0] ?? 0);
  const end = Math.max(endOf(step.pair ?? step.node), start);
  return [loc.lineAt(Math.min(start, step.dash ?? start)), loc.lineAt(end)];
}

/** The contiguous comment lines directly above line (any indentation). */
function commentsAbove(lines: readonly string[], line: number): number[] {
  const out: number[] = [];
  for (let i = line - 1; i >= 0 && /^\s*#/.test(lines[i] ?? ""); i--) out.push(i);
  return out;
}

const range = (a: number, b: number) => [...Array(Math.max(0, b - a + 1)).keys()].map((i) => a + i);

/**
 * The head lines of a step: its key or dash line, and the lines down to where its node starts (its `&anchor` or
 * `!tag` may stand on lines of their own there); nothing for the document root.
 */
function head(loc: Located, step: Step | undefined): number[] {
  if (!step || (!step.pair && step.dash === undefined)) return [];
  const first = spanOf(loc, step)[0];
  const node = step.node;
  const block = (isMap(node) || isSeq(node)) && !node.flow;
  const nodeLine = node?.range ? loc.lineAt(node.range[0]) : first;
  return range(first, Math.max(first, block ? nodeLine - 1 : nodeLine));
}

interface Allowed {
  /** Lines of the original the op may change or delete. */
  lines: Set<number>;
  /** Lines whose comments may go (the removed nodes and the comments that introduced them). */
  removed: Set<number>;
}

/** Lines the op may touch, and the removed ones, from the original text. */
function allowedLines(text: string, op: Op): Allowed {
  const loc = locate(text, op.doc);
  const lines = text.split("\n");
  const steps = walk(loc.doc, op.path);
  const found = steps.length === op.path.length + 1;
  const last = steps[steps.length - 1] as Step;
  const parent = steps[steps.length - 2];
  const allowed = new Set<number>();
  const removed = new Set<number>();
  const add = (set: Set<number>, ls: number[]) => {
    for (const l of ls) set.add(l);
  };
  const whole = (step: Step) => range(...spanOf(loc, step));
  const flowHolder = (step: Step) => {
    // The flow collection holding step's node, from its head line to its end.
    for (let i = steps.indexOf(step); i >= 0; i--) {
      const s = steps[i] as Step;
      if ((isMap(s.node) || isSeq(s.node)) && s.node.flow && i < steps.indexOf(step)) {
        add(allowed, whole(s));
        return;
      }
    }
  };
  const creation = () => {
    // Creating below the deepest existing node: a block map gains lines only; anything else may be rewritten.
    if (isMap(last.node) && !last.node.flow && last.node.items.length > 0) return;
    add(allowed, whole(last));
    flowHolder(last);
  };
  switch (op.kind) {
    case "setScalar":
      if (found && !(last.node === null || (isScalar(last.node) && last.node.value === null))) {
        add(allowed, whole(last));
        flowHolder(last);
      } else creation();
      break;
    case "removeKey": {
      if (!found) break;
      const span = whole(last);
      add(removed, [...span, ...commentsAbove(lines, span[0] ?? 0)]);
      add(allowed, [...removed, ...head(loc, parent)]);
      // The first key of a `- ` item: the next key may move up onto the dash line.
      const map = parent?.node;
      if (isMap(map) && map.items[0] === last.pair && map.items[1]) {
        add(allowed, [loc.lineAt((map.items[1].key as Node | null)?.range?.[0] ?? 0)]);
      }
      if (parent && isMap(parent.node) && parent.node.flow) add(allowed, whole(parent));
      flowHolder(last);
      break;
    }
    case "removeSeqItems": {
      const seq = last.node;
      if (!found || !isSeq(seq)) break;
      const emptied = op.drop.length === seq.items.length;
      for (const i of op.drop) {
        const item = walk(loc.doc, [...op.path, i])[op.path.length + 1];
        if (!item) continue;
        const span = whole(item);
        add(removed, span);
        if (emptied) add(removed, commentsAbove(lines, span[0] ?? 0));
      }
      add(allowed, [...removed, ...head(loc, last)]);
      // A first item on its parent's line (`- - a`): the first item kept moves up onto that line.
      const first = walk(loc.doc, [...op.path, 0])[op.path.length + 1]?.dash;
      const keep = seq.items.findIndex((_, i) => !op.drop.includes(i));
      const next = walk(loc.doc, [...op.path, keep])[op.path.length + 1]?.dash;
      if (
        first !== undefined &&
        op.drop.includes(0) &&
        next !== undefined &&
        /\S/.test(text.slice(text.lastIndexOf("\n", first - 1) + 1, first))
      ) {
        add(allowed, [loc.lineAt(next)]);
      }
      if (seq.flow) add(allowed, whole(last));
      flowHolder(last);
      break;
    }
    case "appendSeqItems":
      if (found && isSeq(last.node) && !last.node.flow && last.node.items.length > 0) break;
      if (found && isSeq(last.node)) {
        add(allowed, [...whole(last), ...head(loc, last)]);
        flowHolder(last);
      } else creation();
      break;
    case "insertMapEntry":
      if (!(found && isMap(last.node) && !last.node.flow && last.node.items.length > 0)) creation();
      break;
    default:
      break;
  }
  return { lines: allowed, removed };
}

/** Comments of a text by line, from the YAML CST (so `#` inside scalars is not one). */
function commentsByLine(text: string): { line: number; source: string }[] {
  const out: { line: number; source: string }[] = [];
  const starts: number[] = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const lineAt = (offset: number) => {
    let line = 0;
    while (line + 1 < starts.length && (starts[line + 1] ?? 0) <= offset) line++;
    return line;
  };
  const visit = (token: unknown) => {
    if (Array.isArray(token)) return token.forEach(visit);
    if (!token || typeof token !== "object") return;
    const t = token as { type?: string; source?: string; offset?: number };
    if (t.type === "comment" && typeof t.source === "string") {
      out.push({ line: lineAt(t.offset ?? 0), source: t.source.trimEnd() });
      return;
    }
    for (const v of Object.values(token)) if (typeof v === "object") visit(v);
  };
  for (const token of new Parser().parse(text)) visit(token);
  return out;
}

/**
 * The first line the op may not touch that the result no longer has, byte-identical and in order (the untouched
 * lines must be a subsequence of the result's lines; matching greedily is exact for that).
 */
function lostLine(
  before: readonly string[],
  after: readonly string[],
  allowed: Set<number>,
  openLast: boolean,
): number | undefined {
  let at = 0;
  for (const [i, line] of before.entries()) {
    if (allowed.has(i)) continue;
    // The last line of a file without a final newline gains one when a line is added after it.
    // Without a final newline, the last line is open: one added after it gives it a line ending, and one that
    // becomes last (the lines after it removed) loses its own.
    const same = (l: string | undefined, j: number) =>
      l === line ||
      (openLast && i === before.length - 1 && l === `${line}\r`) ||
      (openLast && j === after.length - 1 && l === line.replace(/\r$/, ""));
    while (at < after.length && !same(after[at], at)) at++;
    if (at === after.length) return i;
    at++;
  }
  return undefined;
}

/** Lines added by the edit (by a line diff), to check their line endings. */
function changedLines(before: string, after: string): { added: string[] } {
  const added: string[] = [];
  for (const part of diffArrays(before.split("\n"), after.split("\n"))) if (part.added) added.push(...part.value);
  return { added };
}

const BOM = "\uFEFF";
const withoutBom = (text: string) => (text.startsWith(BOM) ? text.slice(1) : text);

/**
 * The checks on an edit's result; undefined when it keeps every promise. A byte order mark must stay, but is no
 * part of the first line (and the yaml package misreads a BOM right before a root block sequence's first `- x`).
 */
export function brokenPromise(
  withBom: string,
  afterWithBom: string,
  op: Op,
): { check: string; detail: string } | undefined {
  if (withBom.startsWith(BOM) !== afterWithBom.startsWith(BOM)) {
    return { check: "untouched lines", detail: "the byte order mark changed" };
  }
  const before = withoutBom(withBom);
  const after = withoutBom(afterWithBom);
  const was = valuesOf(before) ?? [];
  const now = valuesOf(after);
  if (!now) return { check: "parses", detail: "the result is not valid YAML" };
  if (now.length !== was.length) return { check: "value", detail: `${was.length} documents became ${now.length}` };
  for (const [i, value] of now.entries()) {
    let want = i === op.doc ? intended(was[i], op) : was[i];
    // Removing the last key of the root map may leave an empty document.
    if (i === op.doc && op.kind === "removeKey" && op.path.length === 1 && sameValue(want, {}) && value === null) {
      want = null;
    }
    if (!sameValue(value, want)) {
      return {
        check: "value",
        detail: `document ${i}: got ${JSON.stringify(value)?.slice(0, 300)}, want ${JSON.stringify(want)?.slice(0, 300)}`,
      };
    }
  }
  const allowed = allowedLines(before, op);
  const lines = before.split("\n");
  const diff = changedLines(before, after);
  const lost = lostLine(lines, after.split("\n"), allowed.lines, !before.endsWith("\n") && !after.endsWith("\n"));
  if (lost !== undefined) {
    return { check: "untouched lines", detail: `line ${lost + 1} changed: ${JSON.stringify(lines[lost])}` };
  }
  const crlf = (before.match(/\r\n/g) ?? []).length;
  const lf = (before.match(/\n/g) ?? []).length;
  if (lf > 0 && (crlf === 0 || crlf === lf)) {
    const wantCr = crlf > 0;
    const body = after.endsWith("\n") ? diff.added : diff.added.slice(0, -1);
    const afterLines = after.split("\n");
    const last = afterLines[afterLines.length - 1];
    const wrong = body.find((l, i) => l.endsWith("\r") !== wantCr && !(i === body.length - 1 && l === last));
    if (wrong !== undefined) {
      return { check: "untouched lines", detail: `line ending of added line ${JSON.stringify(wrong)}` };
    }
  }
  const survivors = new Map<string, number>();
  for (const c of commentsByLine(after)) survivors.set(c.source, (survivors.get(c.source) ?? 0) + 1);
  for (const c of commentsByLine(before)) {
    if (allowed.removed.has(c.line)) continue;
    const left = survivors.get(c.source) ?? 0;
    if (left === 0) return { check: "comments", detail: `line ${c.line + 1}: ${JSON.stringify(c.source)} is gone` };
    survivors.set(c.source, left - 1);
  }
  return undefined;
}

/** The `%TAG` directives of a document, as the lines to put before a raw copied from it (its handles mean that). */
function tagDirectives(text: string, doc: number): string {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ""));
  const tags: Record<string, string> = (Array.isArray(docs) ? docs[doc]?.directives?.tags : undefined) ?? {};
  const lines = Object.entries(tags)
    .filter(([handle]) => handle !== "!" && handle !== "!!")
    .map(([handle, prefix]) => `%TAG ${handle} ${prefix}\n`);
  return lines.length ? `${lines.join("")}---\n` : "";
}

/** Checks on a read: values equal the file's, and each raw reads back as its value. */
function brokenRead(text: string, op: Op, got: unknown): { check: string; detail: string } | undefined {
  const was = valuesOf(text)?.[op.doc];
  let at: unknown = was;
  for (const seg of op.path) at = (at as Record<string, unknown> | null)?.[String(seg)];
  if (op.kind === "readSeqItems") {
    const items = got as { raw: string; value: unknown }[];
    if (
      !sameValue(
        items.map((i) => i.value),
        at,
      )
    )
      return { check: "value", detail: "item values differ" };
    // A raw item is a value of its own, as appendSeqItems reads the raw items it is given.
    const tags = tagDirectives(text, op.doc);
    const bad = items.find(
      (i) => parseDocument(tags + i.raw).errors.length > 0 || !sameValue(i.value, rawValue(tags + i.raw)),
    );
    if (bad) return { check: "value", detail: `raw ${JSON.stringify(bad.raw)} does not read as its value` };
  }
  if (op.kind === "readEntryRaw") {
    if (typeof got !== "string") return { check: "value", detail: "no raw for an existing entry" };
    const key = String(op.path[op.path.length - 1]);
    if (parseDocument(got).errors.length > 0 || !sameValue({ [key]: at }, rawValue(got))) {
      return { check: "value", detail: `raw ${JSON.stringify(got.slice(0, 200))} does not read as the entry` };
    }
  }
  return undefined;
}

/** Run op on text and judge it. */
export function runOp(engine: Engine, text: string, op: Op): Outcome {
  let result: unknown;
  try {
    switch (op.kind) {
      case "setScalar":
        result = engine.setScalar(text, op.path, op.value, op.doc);
        break;
      case "removeKey":
        result = engine.removeKey(text, op.path, op.doc);
        break;
      case "removeSeqItems":
        result = engine.removeSeqItems(text, op.path, (_, i) => op.drop.includes(i), op.doc);
        break;
      case "appendSeqItems":
        result = engine.appendSeqItems(text, op.path, op.raws, op.doc);
        break;
      case "insertMapEntry":
        result = engine.insertMapEntry(text, op.path, op.raw, op.afterKey, op.doc);
        break;
      case "readSeqItems":
        result = engine.readSeqItems(text, op.path, op.doc);
        break;
      case "readEntryRaw":
        result = engine.readEntryRaw(text, op.path, op.doc);
        break;
    }
  } catch (err) {
    if (err instanceof engine.EditError) {
      return { kind: "refused", reason: refusalReason(err.message), message: err.message };
    }
    const e = err as Error;
    return { kind: "crash", detail: `${e?.name}: ${e?.message}`.slice(0, 300) };
  }
  const broken =
    op.kind === "readSeqItems" || op.kind === "readEntryRaw"
      ? brokenRead(text, op, result)
      : brokenPromise(text, result as string, op);
  return broken ? { kind: "broken", ...broken } : { kind: "pass" };
}
