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
