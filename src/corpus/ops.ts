// Seeded random edits over one file: targets are found by parsing the file, never by asking the engine.
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Document, Node } from "yaml";
import type { Random } from "./random.js";

export type Path = readonly (string | number)[];

export type Op =
  | { kind: "setScalar"; doc: number; path: Path; value: string }
  | { kind: "removeKey"; doc: number; path: Path }
  | { kind: "removeSeqItems"; doc: number; path: Path; drop: number[] }
  | { kind: "appendSeqItems"; doc: number; path: Path; raws: string[] }
  | { kind: "insertMapEntry"; doc: number; path: Path; raw: string; afterKey?: string }
  | { kind: "readSeqItems"; doc: number; path: Path }
  | { kind: "readEntryRaw"; doc: number; path: Path };

export type OpKind = Op["kind"];
export const OP_KINDS: readonly OpKind[] = [
  "setScalar",
  "removeKey",
  "removeSeqItems",
  "appendSeqItems",
  "insertMapEntry",
  "readSeqItems",
  "readEntryRaw",
];

/** A node of a document reachable by a path of string keys and indices. */
export interface Target {
  doc: number;
  path: Path;
  node: Node | null;
  /** True when the node is the value of a map pair (its path ends in a key). */
  inMap: boolean;
}

/** Every node reachable through scalar keys; keys that do not read back as one string segment are skipped. */
export function targetsOf(docs: readonly Document.Parsed[]): Target[] {
  const out: Target[] = [];
  const walk = (doc: number, node: Node | null, path: Path, inMap: boolean) => {
    // Ordered maps, sets and pairs read as Map and Set, not as the sequence or map they are written as.
    if (/:(omap|set|pairs)$/.test((node as { tag?: string } | null)?.tag ?? "")) return;
    out.push({ doc, path, node, inMap });
    if (isMap(node)) {
      const keys = node.items.map((p) => (isScalar(p.key) && p.key.value !== null ? String(p.key.value) : undefined));
      node.items.forEach((p, i) => {
        const key = keys[i];
        if (key !== undefined && keys.indexOf(key) === i)
          walk(doc, (p.value as Node | null) ?? null, [...path, key], true);
      });
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(doc, item as Node, [...path, i], false));
    }
  };
  docs.forEach((d, i) => walk(i, d.contents as Node | null, [], false));
  return out;
}

const LONG = "a long value, ".repeat(25).trim();

/** New scalar values: plain, ones that need quotes under YAML 1.1 or 1.2, indicators, Unicode, line breaks. */
export const VALUES = [
  "handover",
  "42-adopt-canary",
  "yes",
  "0x1F",
  "123",
  "1_000",
  "",
  " lead",
  "a: b",
  "x # y",
  "#tag",
  "- item",
  "[a]",
  "{a: 1}",
  "multi\nline",
  "tab\there",
  `quote's "both"`,
  "ünïcødé ✓ 日本 🚀",
  "~",
  "null",
  "*alias",
  "&anchor",
  "!tag",
  "%percent",
  "@at",
  LONG,
] as const;

/** New sequence items as raw YAML: scalars, flow and block collections, a block scalar. */
export const RAW_ITEMS = [
  "plain",
  "'single'",
  '"double"',
  "42",
  "{a: 1, b: [x, y]}",
  "[1, 2]",
  "name: n\nvalue: v",
  "k:\n  - a\n  - b",
  "|\n  block\n  text",
  "~",
  "ünï ✓ 🚀",
  LONG,
  "- nested\n- list",
] as const;

/** New map entries as raw YAML (the key is filled in). */
const RAW_ENTRIES = [
  (k: string) => `${k}: v`,
  (k: string) => `${k}:\n  a: 1\n  b:\n    - x`,
  (k: string) => `${k}: [1, {c: d}]`,
  (k: string) => `${k}: |\n  text\n  more`,
  (k: string) => `${k}:  # a note\n  z: ünï ✓`,
];

const isNull = (n: Node | null) => n === null || (isScalar(n) && n.value === null);

/** A key no map of the file has. */
function freshKey(text: string, rng: Random): string {
  for (;;) {
    const key = `handover-${rng.int(1_000_000)}`;
    if (!text.includes(key)) return key;
  }
}

/** Raw items copied from a sequence of the same document, as a user copying entries would. */
export type CopySource = (doc: number, path: Path) => string[];

/** One random op of the given kind, or undefined when the file has no target for it. */
export function randomOp(
  kind: OpKind,
  text: string,
  targets: readonly Target[],
  rng: Random,
  copies: CopySource,
): Op | undefined {
  const pick = (pred: (t: Target) => boolean): Target | undefined => {
    const list = targets.filter(pred);
    return list.length ? rng.pick(list) : undefined;
  };
  const seqs = (t: Target) => isSeq(t.node);
  const blockMaps = (t: Target) => isMap(t.node);
  switch (kind) {
    case "setScalar": {
      const value = rng.pick(VALUES);
      if (rng.next() < 0.7) {
        const t = pick((x) => x.path.length > 0 && (isScalar(x.node) || (isNull(x.node) && x.inMap)));
        if (t) return { kind, doc: t.doc, path: t.path, value };
      }
      const t = pick((x) => isMap(x.node) || (isNull(x.node) && x.inMap));
      if (!t) return undefined;
      const extra = rng.next() < 0.3 ? [freshKey(text, rng), freshKey(text, rng)] : [freshKey(text, rng)];
      return { kind, doc: t.doc, path: [...t.path, ...extra], value };
    }
    case "removeKey": {
      const t = pick((x) => x.inMap);
      return t && { kind, doc: t.doc, path: t.path };
    }
    case "removeSeqItems": {
      const t = pick((x) => seqs(x) && (x.node as { items: unknown[] }).items.length > 0);
      if (!t) return undefined;
      const n = (t.node as { items: unknown[] }).items.length;
      const all = rng.next() < 0.25;
      const drop = [...Array(n).keys()].filter(() => all || rng.next() < 0.4);
      if (drop.length === 0) drop.push(rng.int(n));
      return { kind, doc: t.doc, path: t.path, drop };
    }
    case "appendSeqItems": {
      let t = rng.next() < 0.75 ? pick(seqs) : undefined;
      let path = t?.path;
      if (!t) {
        t = pick((x) => isMap(x.node) || (isNull(x.node) && x.inMap));
        path = t && (isMap(t.node) ? [...t.path, freshKey(text, rng)] : t.path);
      }
      if (!t || !path) return undefined;
      const copied = rng.next() < 0.4 ? pick((x) => seqs(x) && x.doc === t.doc) : undefined;
      const pool = copied ? copies(copied.doc, copied.path) : [];
      const count = 1 + rng.int(2);
      const raws = [...Array(count)].map(() => (pool.length ? rng.pick(pool) : rng.pick(RAW_ITEMS)));
      return { kind, doc: t.doc, path, raws };
    }
    case "insertMapEntry": {
      const t = pick((x) => blockMaps(x) || (isNull(x.node) && x.inMap));
      if (!t) return undefined;
      const raw = rng.pick(RAW_ENTRIES)(freshKey(text, rng));
      // Keys are named as the engine finds them: a scalar key's value as a string (collection and null keys have
      // no such name, so the op never asks to insert after them).
      const keys = isMap(t.node)
        ? t.node.items.flatMap((p) => (isScalar(p.key) && p.key.value !== null ? [String(p.key.value)] : []))
        : [];
      const afterKey = keys.length && rng.next() < 0.5 ? rng.pick(keys) : undefined;
      return afterKey === undefined
        ? { kind, doc: t.doc, path: t.path, raw }
        : { kind, doc: t.doc, path: t.path, raw, afterKey };
    }
    case "readSeqItems": {
      const t = pick(seqs);
      return t && { kind, doc: t.doc, path: t.path };
    }
    case "readEntryRaw": {
      const t = pick((x) => x.inMap && !isAlias(x.node));
      return t && { kind, doc: t.doc, path: t.path };
    }
  }
}

/** The documents of text with source tokens, or undefined when it is not valid YAML. */
export function parseForTargets(text: string): Document.Parsed[] | undefined {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ""), { keepSourceTokens: true });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs as Document.Parsed[];
}
