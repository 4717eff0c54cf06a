/** A config repo snapshot: repo-relative posix path -> text content. */
export type FileMap = ReadonlyMap<string, string>;

export type ChangeAction = "create" | "update" | "delete";
export interface FileChange {
  path: string;
  action: ChangeAction;
  content: string | null;
}

/** The changes that turn `before` into `after`, sorted by path. */
export function diffTrees(before: FileMap, after: FileMap): FileChange[] {
  const changes: FileChange[] = [];
  for (const [path, content] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push({ path, action: "create", content });
    else if (old !== content) changes.push({ path, action: "update", content });
  }
  for (const path of before.keys()) {
    if (!after.has(path)) changes.push({ path, action: "delete", content: null });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Files whose path is `dir` itself or below it (`` is the root). */
export function filesUnder(tree: FileMap, dir: string): string[] {
  if (dir === "") return [...tree.keys()];
  const prefix = `${dir}/`;
  return [...tree.keys()].filter((path) => path === dir || path.startsWith(prefix));
}

/** `tree` with one file's text replaced (or added), without copying the tree (its files may be read lazily). */
export function withFile(tree: FileMap, path: string, text: string): FileMap {
  const keys = (): string[] => (tree.has(path) ? [...tree.keys()] : [...tree.keys(), path]);
  const get = (key: string): string | undefined => (key === path ? text : tree.get(key));
  const entries = function* (): Generator<[string, string]> {
    for (const key of keys()) {
      const value = get(key);
      if (value !== undefined) yield [key, value];
    }
  };
  return {
    get,
    has: (key) => key === path || tree.has(key),
    get size() {
      return keys().length;
    },
    keys: () => keys()[Symbol.iterator](),
    values: function* () {
      for (const [, value] of entries()) yield value;
    },
    entries,
    forEach(callback, thisArg) {
      for (const [key, value] of entries()) callback.call(thisArg, value, key, this);
    },
    [Symbol.iterator]: entries,
  } as FileMap;
}
