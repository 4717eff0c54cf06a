import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";

/** A config repo snapshot: repo-relative posix path -> text content. */
export type FileMap = ReadonlyMap<string, string>;

export type ChangeAction = "create" | "update" | "delete";
export interface FileChange {
  path: string;
  action: ChangeAction;
  content: string | null;
}

/** The tree after changes, without touching the input. */
export function applyChanges(tree: FileMap, changes: readonly FileChange[]): Map<string, string> {
  const next = new Map(tree);
  for (const change of changes) {
    if (change.content === null) next.delete(change.path);
    else next.set(change.path, change.content);
  }
  return next;
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

const SKIPPED_DIRS = new Set([".git", "node_modules"]);

/** Read a checked-out config repo into memory (text files only; binary files are left out). */
export async function readDirTree(root: string): Promise<Map<string, string>> {
  const tree = new Map<string, string>();
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = prefix ? posix.join(prefix, entry.name) : entry.name;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full, path);
      } else if (entry.isFile()) {
        const bytes = await readFile(full);
        if (!bytes.includes(0)) tree.set(path, bytes.toString("utf8"));
      }
    }
  }
  const info = await stat(root);
  if (!info.isDirectory()) throw new Error(`${root} is not a directory`);
  await walk(root, "");
  return tree;
}
