import { isMap, isNode, isScalar, isSeq, parseAllDocuments, parseDocument, visit } from "yaml";
import { InputError } from "../spec/problems.js";
import { OBJECT_LINE, readYamlDocuments, SKIPPED_LINE, simpleObject } from "../spec/yaml.js";

/** Backends translated from one Core version's shape to another's (DESIGN.md section 3a). */

/**
 * A pre-0.3 discovery file made readable by 0.3+: each item's `cluster:` key renamed `cluster_id:`, that key only,
 * every other byte kept. Items that already have `cluster_id` are left alone.
 */
export function renameClusterKeys(path: string, text: string): string {
  if (!/cluster(?!_id)/.test(text)) {
    // No key to rename: the text stays as it is if it reads as one list, which the memoized parse tells at no cost.
    const read = readYamlDocuments(path, text);
    if (read.ok && read.value.length === 1 && Array.isArray(read.value[0])) return text;
  }
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0 || !isSeq(doc.contents)) {
    throw new InputError([`${path}: expected a discovery file (a YAML list of clusters) to rename cluster: keys in`]);
  }
  const spans: [number, number][] = [];
  for (const item of doc.contents.items) {
    if (!isMap(item)) continue;
    const keys = item.items.map((pair) => (isScalar(pair.key) ? pair.key : undefined));
    if (keys.some((k) => k?.value === "cluster_id")) continue;
    const key = keys.find((k) => k?.value === "cluster");
    if (key?.range) spans.push([key.range[0], key.range[1]]);
  }
  let out = text;
  for (const [start, end] of spans.reverse()) {
    out = out.slice(0, start) + out.slice(start, end).replace("cluster", "cluster_id") + out.slice(end);
  }
  return out;
}

interface AliasAt {
  source: string;
  start: number;
  end: number;
}

function aliasesIn(text: string): { aliases: AliasAt[]; anchors: Map<string, number> } {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const aliases: AliasAt[] = [];
  const anchors = new Map<string, number>();
  visit(doc, {
    Alias(_, node) {
      if (node.range) aliases.push({ source: node.source, start: node.range[0], end: node.range[1] });
    },
    Node(_, node) {
      if (node.anchor && node.range && !anchors.has(node.anchor)) anchors.set(node.anchor, node.range[0]);
    },
  });
  return { aliases, anchors };
}

/** Every anchor of a YAML text with the value it stands for (the first definition of a name wins). */
export function anchorValues(text: string): Map<string, unknown> {
  const doc = parseDocument(text);
  const values = new Map<string, unknown>();
  if (doc.errors.length > 0) return values;
  visit(doc, {
    Node(_, node) {
      if (node.anchor && !values.has(node.anchor)) values.set(node.anchor, node.toJS(doc, { maxAliasCount: 50 }));
    },
  });
  return values;
}

function splice(text: string, aliases: AliasAt[], values: Map<string, unknown>): string {
  let out = text;
  for (const alias of [...aliases].sort((a, b) => b.start - a.start)) {
    if (!values.has(alias.source)) continue;
    out = out.slice(0, alias.start) + JSON.stringify(values.get(alias.source)) + out.slice(alias.end);
  }
  return out;
}

/**
 * A list item copied into another file, with every alias whose anchor the item itself does not define written out
 * as the value it stands for (JSON is YAML flow), so the copy reads the same without the source's anchors.
 */
export function expandForeignAliases(raw: string, values: Map<string, unknown>): string {
  if (!raw.includes("*")) return raw; // an alias is written with a `*`: without one there is none to expand
  const { aliases, anchors } = aliasesIn(raw);
  const foreign = aliases.filter((a) => !((anchors.get(a.source) ?? Number.POSITIVE_INFINITY) < a.start));
  return foreign.length === 0 ? raw : splice(raw, foreign, values);
}

/**
 * The text with every alias of the given anchors written out, outside the ranges about to be removed: removing the
 * item that defines an anchor must not leave a later alias pointing at nothing.
 */
export function expandAliasesOf(text: string, anchors: ReadonlySet<string>, removed: [number, number][]): string {
  if (anchors.size === 0) return text;
  const { aliases } = aliasesIn(text);
  const outside = aliases.filter(
    (a) => anchors.has(a.source) && !removed.some(([start, end]) => a.start >= start && a.end <= end),
  );
  return outside.length === 0 ? text : splice(text, outside, anchorValues(text));
}

/** Anchors defined inside the block-sequence items at path that `remove` selects, with those items' ranges. */
export function anchorsOfItems(
  text: string,
  path: readonly string[],
  remove: (value: unknown) => boolean,
): { anchors: Set<string>; ranges: [number, number][] } {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const anchors = new Set<string>();
  const ranges: [number, number][] = [];
  const seq = doc.getIn(path, true);
  if (doc.errors.length > 0 || !isSeq(seq)) return { anchors, ranges };
  for (const item of seq.items) {
    if (!isNode(item) || !item.range || !remove(item.toJS(doc, { maxAliasCount: 50 }))) continue;
    ranges.push([item.range[0], item.range[2]]);
    visit(item, {
      Node(_, node) {
        if (node.anchor) anchors.add(node.anchor);
      },
    });
  }
  return { anchors, ranges };
}

/** A DiscoverySettings file turned off: the new text, and the values of the file's documents before. */
interface Disabling {
  out: string;
  before: unknown[];
  /** The DiscoverySettings document's place among them. */
  index: number;
}

/**
 * A DiscoverySettings file with `spec.enabled: false`, every other byte kept: `replictl apply` never prunes a deleted
 * file, so a GitOps pipeline turns a backend off by applying it disabled (the file goes at decommission).
 */
export function disableSettings(path: string, text: string): string {
  const { out, before, index } = disablingLines(text) ?? disablingDocuments(path, text);
  if (out === text) return text;
  // Read as a load reads it (and kept so): the tree after the step then reads the file without parsing it again.
  const after = readYamlDocuments(path, out);
  const expected = structuredClone(before);
  (expected[index] as { spec: Record<string, unknown> }).spec.enabled = false;
  if (!after.ok || !sameIgnoringOrder(after.value, expected)) {
    throw new InputError([
      `${path}: cannot set spec.enabled: false without changing anything else; disable it by hand`,
    ]);
  }
  return out;
}

/** The line put in where there is none: where Replicante's own examples write it, after `backend: http`, else first. */
const ENABLED_LINE = "  enabled: false\n";

/** disableSettings' edit of a file that parses, by its documents' source ranges. */
export function disablingDocuments(path: string, text: string): Disabling {
  const docs = parseAllDocuments(text, { keepSourceTokens: true });
  const list = Array.isArray(docs) ? docs : [];
  const index = list.findIndex((d) => d.errors.length === 0 && d.get("kind") === "DiscoverySettings");
  const doc = list[index];
  const spec = doc?.get("spec", true);
  if (!doc || !isMap(spec) || spec.flow || !spec.range) {
    throw new InputError([
      `${path}: expected a DiscoverySettings object with a block spec: map to set spec.enabled: false in`,
    ]);
  }
  const before = list.map((d) => d.toJS({ maxAliasCount: 50 }));
  const enabled = spec.get("enabled", true);
  if (isScalar(enabled) && enabled.range) {
    if (enabled.value === false) return { out: text, before, index };
    return { out: text.slice(0, enabled.range[0]) + "false" + text.slice(enabled.range[1]), before, index };
  }
  const first = spec.items[0]?.key;
  if (!isScalar(first) || !first.range) throw new InputError([`${path}: spec: expected a block map with keys`]);
  const lineStart = text.lastIndexOf("\n", first.range[0] - 1) + 1;
  const indent = text.slice(lineStart, first.range[0]);
  const backend = spec.get("backend", true);
  const backendEnd = isScalar(backend) && backend.range ? text.indexOf("\n", backend.range[0]) + 1 : 0;
  const oneLine = backendEnd > 0 && !text.slice(lineStart, backendEnd - 1).includes("\n");
  const at = oneLine && isScalar(first) && first.value === "backend" ? backendEnd : lineStart;
  return { out: `${text.slice(0, at)}${indent}${ENABLED_LINE.trimStart()}${text.slice(at)}`, before, index };
}

/**
 * disableSettings' edit of a file simpleObject reads (the shape settings folders are written in), by its lines: the
 * same bytes as by its documents, without parsing it. Undefined for any other file, and for an `enabled:` map.
 */
export function disablingLines(text: string): Disabling | undefined {
  const value = simpleObject(text);
  if (value?.kind !== "DiscoverySettings" || typeof value.spec !== "object") return undefined;
  let start = 0;
  let inSpec = false;
  let first: { key: string; start: number; next: number } | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    const next = start + line.length + 1;
    const pair = SKIPPED_LINE.test(line) ? null : OBJECT_LINE.exec(line);
    if (pair) {
      const [, indent = "", key = "", raw] = pair;
      if (indent === "") inSpec = key === "spec";
      else if (inSpec && indent.length === 2) {
        first ??= { key, start, next };
        if (key === "enabled") {
          if (raw === undefined) return undefined;
          const at = next - 1 - raw.length;
          return { out: `${text.slice(0, at)}false${text.slice(next - 1)}`, before: [value], index: 0 };
        }
      }
    }
    start = next;
  }
  if (!first) return undefined;
  const at = first.key === "backend" ? first.next : first.start;
  return { out: `${text.slice(0, at)}${ENABLED_LINE}${text.slice(at)}`, before: [value], index: 0 };
}

function sameIgnoringOrder(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!v || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, w]) => [k, sorted(w)]),
    );
  };
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
