import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";

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
