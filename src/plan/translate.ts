import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { InputError } from "../spec/problems.js";

/** Backends translated from one Core version's shape to another's (DESIGN.md section 3a). */

/**
 * A pre-0.3 discovery file made readable by 0.3+: each item's `cluster:` key renamed `cluster_id:`, that key only,
 * every other byte kept. Items that already have `cluster_id` are left alone.
 */
export function renameClusterKeys(path: string, text: string): string {
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
