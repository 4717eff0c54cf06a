import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { SHOWN_HEADING } from "../rehearse/shown.js";

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

/**
 * Check that `rehearse --out DIR` may write there: missing, empty, or an earlier rehearsal's output
 * (which is replaced whole). Anything else is someone's files, and is never touched.
 */
export async function checkOutDir(dir: string): Promise<string | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isDirectory()) return `--out ${dir}: not a directory`;
  const entries = await readdir(dir);
  if (entries.length === 0) return undefined;
  const readme = await readFile(join(dir, "README.md"), "utf8").catch(() => "");
  if (readme.startsWith(SHOWN_HEADING)) return undefined;
  return `--out ${dir}: not empty and not an earlier rehearsal's output (choose a new or empty directory)`;
}

/** Replace DIR's content with these files (paths relative to DIR, `/`-separated). */
export async function writeOutDir(dir: string, files: Map<string, string>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const [path, text] of files) {
    const full = join(dir, ...path.split("/"));
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
}
