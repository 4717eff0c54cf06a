import type { FileMap } from "../repo/index.js";
import type { GitHubPort, TreeFile } from "../github/port.js";

/** The most files the guard reads for one PR (head and base together; a file both share is read once). */
export const GUARD_MAX_FILES = 500;
/** The most bytes of files the guard reads for one PR, by the sizes GitHub lists (read before downloading any). */
export const GUARD_MAX_BYTES = 5_000_000;

/**
 * A commit's tree whose every path is listed but whose files are downloaded only when read: a read of a file not
 * downloaded yet answers `""` and is noted in `missing`; one whose blob the process holds is taken from memory and
 * noted in `found` (read as a download would be, without the request and without another round of the computation).
 * Iterating over the contents reads every file.
 */
class ListedTree implements Iterable<[string, string]> {
  readonly missing = new Map<string, TreeFile>();
  readonly found = new Map<string, { text: string | null; size: number }>();
  private readonly byPath: Map<string, TreeFile>;

  constructor(
    files: TreeFile[],
    private readonly texts: ReadonlyMap<string, string | null>,
    private readonly held: (sha: string) => string | null | undefined,
  ) {
    this.byPath = new Map(files.map((f) => [f.path, f]));
  }

  get(path: string): string | undefined {
    const file = this.byPath.get(path);
    if (!file) return undefined;
    const text = this.textOf(file);
    if (text === undefined) {
      this.missing.set(file.sha, file);
      return "";
    }
    return text ?? undefined;
  }

  has(path: string): boolean {
    const file = this.byPath.get(path);
    return file !== undefined && this.textOf(file) !== null;
  }

  private textOf(file: TreeFile): string | null | undefined {
    const read = this.texts.get(file.sha);
    if (read !== undefined) return read;
    const held = this.held(file.sha);
    if (held !== undefined) this.found.set(file.sha, { text: held, size: file.size });
    return held;
  }

  get size(): number {
    return this.byPath.size;
  }

  keys(): IterableIterator<string> {
    return [...this.byPath.keys()].filter((p) => this.has(p))[Symbol.iterator]();
  }

  *entries(): IterableIterator<[string, string]> {
    for (const path of this.keys()) yield [path, this.get(path) ?? ""];
  }

  *values(): IterableIterator<string> {
    for (const [, text] of this.entries()) yield text;
  }

  forEach(callback: (value: string, key: string, map: FileMap) => void): void {
    for (const [path, text] of this.entries()) callback(text, path, this as unknown as FileMap);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** What the guard read, or the limit a PR needed it to pass. */
export type NeededRead<T> =
  | { kind: "read"; value: T; files: number; bytes: number }
  | { kind: "too-large"; files: number; bytes: number };

/** A PR's head or base: the whole tree when this process holds its files, or its listing to read files from. */
export type GuardTree = { files: FileMap } | { listing: TreeFile[] };

/**
 * Run `compute` on the head and base trees of a PR, downloading only the files it reads: it runs again with each
 * round of files it asked for until it asks for none (what it computes then is what the whole trees would give), or
 * until the files it needs pass GUARD_MAX_FILES or GUARD_MAX_BYTES. A PR adding 400 files nobody's handover.yml
 * references costs none of them. `texts` (blob sha to text) carries downloads from one call to the next. A tree whose
 * files are held is given whole: nothing of it is downloaded, and what was computed on it before (its repo model,
 * loaded by the reconcile) is found again.
 */
export async function readNeeded<T>(
  port: GitHubPort,
  trees: { head: GuardTree; base: GuardTree },
  texts: Map<string, { text: string | null; size: number }>,
  compute: (head: FileMap, base: FileMap) => T,
): Promise<NeededRead<T>> {
  const held = (sha: string) => port.heldBlob?.(sha);
  for (;;) {
    const known = new Map([...texts].map(([sha, t]) => [sha, t.text]));
    const head = "files" in trees.head ? trees.head.files : new ListedTree(trees.head.listing, known, held);
    const base = "files" in trees.base ? trees.base.files : new ListedTree(trees.base.listing, known, held);
    const value = compute(head as unknown as FileMap, base as unknown as FileMap);
    for (const tree of [head, base])
      if (tree instanceof ListedTree) for (const [sha, t] of tree.found) texts.set(sha, t);
    const missing = new Map([...missingOf(head), ...missingOf(base)]);
    const bytesRead = [...texts.values()].reduce((sum, t) => sum + t.size, 0);
    const files = texts.size + missing.size;
    const bytes = bytesRead + [...missing.values()].reduce((sum, f) => sum + f.size, 0);
    if (missing.size === 0) return { kind: "read", value, files, bytes };
    if (files > GUARD_MAX_FILES || bytes > GUARD_MAX_BYTES) return { kind: "too-large", files, bytes };
    for (const file of [...missing.values()].sort((a, b) => (a.path < b.path ? -1 : 1)))
      texts.set(file.sha, { text: await port.readBlob(file.sha), size: file.size });
  }
}

function missingOf(tree: FileMap | ListedTree): Map<string, TreeFile> {
  return tree instanceof ListedTree ? tree.missing : new Map();
}
