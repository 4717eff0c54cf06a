// The plain-JS value an edit is meant to produce, used to verify the edited text.
import type { YamlPath } from "./locate.js";

export const REMOVE = Symbol("remove");
type Update = (old: unknown) => unknown;

/** A copy of root with the value at path replaced by update(old); missing maps are created. */
export function changeIn(root: unknown, path: YamlPath, update: Update): unknown {
  const [seg, ...rest] = path;
  if (seg === undefined) return update(root);
  if (Array.isArray(root) && typeof seg === "number") {
    const copy = [...root];
    const next = changeIn(copy[seg], rest, update);
    if (next === REMOVE) copy.splice(seg, 1);
    else copy[seg] = next;
    return copy;
  }
  const obj: Record<string, unknown> = root !== null && typeof root === "object" ? { ...root } : {};
  const next = changeIn(obj[String(seg)], rest, update);
  if (next === REMOVE) delete obj[String(seg)];
  else obj[String(seg)] = next;
  return obj;
}
