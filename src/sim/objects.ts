import { createHash } from "node:crypto";
import { mergeText } from "./merge3.js";

/** A git person line: who and when (date is an ISO string). */
export interface GitPerson {
  name: string;
  email: string;
  date: string;
}

export interface TreeEntry {
  name: string;
  mode: string; // API form: "100644", "100755", "040000", "120000", "160000"
  type: "blob" | "tree" | "commit";
  sha: string;
}

export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
  /** creation order in the sim: a valid topological order, used to list history */
  seq: number;
}

/** A file in a flattened tree, keyed by its full path. */
export interface FlatEntry {
  mode: string;
  sha: string;
  type: "blob" | "commit";
}
export type FlatTree = Map<string, FlatEntry>;

export const EMPTY_TREE_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

function gitHash(kind: string, body: Buffer): string {
  const header = Buffer.from(`${kind} ${body.length}\0`, "utf8");
  return createHash("sha1")
    .update(Buffer.concat([header, body]))
    .digest("hex");
}

function gitTime(iso: string): string {
  const ms = Date.parse(iso);
  return `${Math.floor((Number.isNaN(ms) ? 0 : ms) / 1000)} +0000`;
}

// git sorts tree entries by name, comparing a sub-tree's name as if it ended in "/".
function treeSortKey(e: TreeEntry): string {
  return e.type === "tree" ? `${e.name}/` : e.name;
}

/** Thrown when a three-way merge finds a path changed differently on both sides. */
export class MergeConflict extends Error {
  constructor(readonly paths: string[]) {
    super(`merge conflict in ${paths.join(", ")}`);
  }
}

/**
 * Content-addressed git objects hashed exactly like git (sha1 of "<kind> <len>\0<body>"),
 * so the shas the App sees behave like real ones: same content, same sha.
 */
export class GitObjectStore {
  private readonly blobs = new Map<string, Buffer>();
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly commits = new Map<string, GitCommit>();
  /** Each commit's ancestors (itself included), the last 256 asked: merge bases and pushes ask for the same again. */
  private readonly ancestry = new Map<string, ReadonlySet<string>>();
  private commitSeq = 0;

  constructor() {
    this.trees.set(EMPTY_TREE_SHA, []);
  }

  putBlob(content: Buffer | string): string {
    const body = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha = gitHash("blob", body);
    this.blobs.set(sha, body);
    return sha;
  }

  getBlob(sha: string): Buffer | undefined {
    return this.blobs.get(sha);
  }

  putTree(entries: TreeEntry[]): string {
    // Each entry's sort key made once (a tree of a thousand files is sorted with ten thousand comparisons).
    const keyed = entries.map((e) => ({ e, key: treeSortKey(e) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const sorted = keyed.map(({ e }) => e);
    const parts: Buffer[] = [];
    for (const e of sorted)
      parts.push(Buffer.from(`${e.mode.replace(/^0+/, "")} ${e.name}\0`, "utf8"), Buffer.from(e.sha, "hex"));
    const sha = gitHash("tree", Buffer.concat(parts));
    this.trees.set(sha, sorted);
    return sha;
  }

  getTree(sha: string): TreeEntry[] | undefined {
    return this.trees.get(sha);
  }

  putCommit(c: Omit<GitCommit, "sha" | "seq">): string {
    const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
    lines.push(`author ${c.author.name} <${c.author.email}> ${gitTime(c.author.date)}`);
    lines.push(`committer ${c.committer.name} <${c.committer.email}> ${gitTime(c.committer.date)}`);
    const sha = gitHash("commit", Buffer.from(`${lines.join("\n")}\n\n${c.message}`, "utf8"));
    if (!this.commits.has(sha)) this.commits.set(sha, { ...c, sha, seq: ++this.commitSeq });
    return sha;
  }

  getCommit(sha: string): GitCommit | undefined {
    return this.commits.get(sha);
  }

  kindOf(sha: string): "blob" | "tree" | "commit" | undefined {
    if (this.commits.has(sha)) return "commit";
    if (this.trees.has(sha)) return "tree";
    if (this.blobs.has(sha)) return "blob";
    return undefined;
  }

  /**
   * The files (and submodules) that differ between two trees, by full path in path order, each as it is on either
   * side (undefined where it is not there): what comparing both trees flattened gives, without walking the sub-trees
   * both share.
   */
  changedFiles(
    before: string | undefined,
    after: string | undefined,
  ): { path: string; before?: FlatEntry; after?: FlatEntry }[] {
    const out: { path: string; before?: FlatEntry; after?: FlatEntry }[] = [];
    const file = (e: TreeEntry | undefined): FlatEntry | undefined =>
      e && e.type !== "tree" ? { mode: e.mode, sha: e.sha, type: e.type } : undefined;
    const walk = (a: string | undefined, b: string | undefined, prefix: string): void => {
      if (a === b) return;
      const left = new Map((a === undefined ? [] : (this.trees.get(a) ?? [])).map((e) => [e.name, e]));
      const right = new Map((b === undefined ? [] : (this.trees.get(b) ?? [])).map((e) => [e.name, e]));
      for (const name of new Set([...left.keys(), ...right.keys()])) {
        const x = left.get(name);
        const y = right.get(name);
        const path = prefix ? `${prefix}/${name}` : name;
        const subA = x?.type === "tree" ? x.sha : undefined;
        const subB = y?.type === "tree" ? y.sha : undefined;
        if (subA !== undefined || subB !== undefined) walk(subA, subB, path);
        const fileA = file(x);
        const fileB = file(y);
        if (fileA?.sha === fileB?.sha && fileA?.mode === fileB?.mode) continue;
        out.push({ path, ...(fileA ? { before: fileA } : {}), ...(fileB ? { after: fileB } : {}) });
      }
    };
    walk(before, after, "");
    return out.sort((p, q) => (p.path < q.path ? -1 : p.path > q.path ? 1 : 0));
  }

  /** Every file (and submodule) under a tree, by full path. */
  flatten(treeSha: string, prefix = "", out: FlatTree = new Map()): FlatTree {
    for (const e of this.trees.get(treeSha) ?? []) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.type === "tree") this.flatten(e.sha, path, out);
      else out.set(path, { mode: e.mode, sha: e.sha, type: e.type });
    }
    return out;
  }

  /** Builds (and stores) the nested trees for a flat file map; returns the root tree sha. */
  buildTree(flat: FlatTree): string {
    interface Dir {
      files: TreeEntry[];
      dirs: Map<string, Dir>;
    }
    const root: Dir = { files: [], dirs: new Map() };
    for (const [path, entry] of flat) {
      const parts = path.split("/");
      const name = parts.pop() as string;
      let dir = root;
      for (const part of parts) {
        let next = dir.dirs.get(part);
        if (!next) dir.dirs.set(part, (next = { files: [], dirs: new Map() }));
        dir = next;
      }
      dir.files.push({ name, mode: entry.mode, type: entry.type, sha: entry.sha });
    }
    const write = (dir: Dir): string => {
      const entries = [...dir.files];
      for (const [name, sub] of dir.dirs) entries.push({ name, mode: "040000", type: "tree", sha: write(sub) });
      return this.putTree(entries);
    };
    return write(root);
  }

  /** Tree entries listed like GET /git/trees (recursive: pre-order with full paths). */
  listTree(treeSha: string, recursive: boolean, prefix = ""): (TreeEntry & { path: string })[] {
    const out: (TreeEntry & { path: string })[] = [];
    for (const e of this.trees.get(treeSha) ?? []) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      out.push({ ...e, path });
      if (recursive && e.type === "tree") out.push(...this.listTree(e.sha, true, path));
    }
    return out;
  }

  /** Finds the entry at a path inside a tree (a file, a sub-tree or nothing). */
  lookupPath(treeSha: string, path: string): TreeEntry | undefined {
    const parts = path.split("/").filter((p) => p !== "");
    if (parts.length === 0) return { name: "", mode: "040000", type: "tree", sha: treeSha };
    let entries = this.trees.get(treeSha) ?? [];
    let found: TreeEntry | undefined;
    for (const [i, part] of parts.entries()) {
      found = entries.find((e) => e.name === part);
      if (!found) return undefined;
      if (i < parts.length - 1) {
        if (found.type !== "tree") return undefined;
        entries = this.trees.get(found.sha) ?? [];
      }
    }
    return found;
  }

  /** All commits reachable from `sha`, including itself. */
  ancestors(sha: string): ReadonlySet<string> {
    const known = this.ancestry.get(sha);
    if (known) return known;
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (seen.has(cur)) continue;
      seen.add(cur);
      for (const p of this.commits.get(cur)?.parents ?? []) stack.push(p);
    }
    // A commit never changes, so neither do its ancestors (a sha not stored yet may still become a commit).
    if (this.commits.has(sha)) {
      this.ancestry.set(sha, seen);
      if (this.ancestry.size > 256) this.ancestry.delete(this.ancestry.keys().next().value as string);
    }
    return seen;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).has(ancestor);
  }

  /** The best common ancestor of two commits (one not reachable from another candidate). */
  mergeBase(a: string, b: string): string | undefined {
    const fromA = this.ancestors(a);
    const common = [...this.ancestors(b)].filter((s) => fromA.has(s));
    const best = common.filter((c) => !common.some((o) => o !== c && this.ancestors(o).has(c)));
    best.sort((x, y) => (this.commits.get(y)?.seq ?? 0) - (this.commits.get(x)?.seq ?? 0));
    return best[0];
  }

  /** Commits reachable from `head` but not from `base`, newest first. */
  commitsBetween(base: string | undefined, head: string): GitCommit[] {
    const exclude = base ? this.ancestors(base) : new Set<string>();
    // Walked from head, stopping at base's history: whatever lies behind one of its commits is in it too.
    const seen = new Set<string>();
    const found: GitCommit[] = [];
    const stack = [head];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (seen.has(cur) || exclude.has(cur)) continue;
      seen.add(cur);
      const commit = this.commits.get(cur);
      if (!commit) continue;
      found.push(commit);
      stack.push(...commit.parents);
    }
    return found.sort((x, y) => y.seq - x.seq);
  }

  /** Every commit reachable from `sha`, newest first (creation order). */
  history(sha: string): GitCommit[] {
    return [...this.ancestors(sha)]
      .map((s) => this.commits.get(s))
      .filter((c): c is GitCommit => c !== undefined)
      .sort((x, y) => y.seq - x.seq);
  }

  /** First-parent chain from `sha`, oldest first. */
  firstParentChain(sha: string): string[] {
    const out: string[] = [];
    let cur: string | undefined = sha;
    while (cur) {
      out.push(cur);
      cur = this.commits.get(cur)?.parents[0];
    }
    return out.reverse();
  }

  /**
   * Three-way merge of trees: a path changed on one side only takes that side; a text file changed on both sides is
   * merged line by line (`lines`, as git does) or conflicts (file level). Returns the merged root tree sha.
   */
  mergeTrees(baseTree: string, oursTree: string, theirsTree: string, lines = false): string {
    const base = this.flatten(baseTree);
    const ours = this.flatten(oursTree);
    const theirs = this.flatten(theirsTree);
    const same = (x?: FlatEntry, y?: FlatEntry) => x?.sha === y?.sha && x?.mode === y?.mode;
    const merged: FlatTree = new Map();
    const conflicts: string[] = [];
    for (const path of new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])) {
      const o = base.get(path);
      const a = ours.get(path);
      const b = theirs.get(path);
      let pick: FlatEntry | undefined;
      if (same(a, b) || same(b, o)) pick = a;
      else if (same(a, o)) pick = b;
      else {
        const text = lines && a && b ? this.mergeBlobs(o, a, b) : undefined;
        if (text === undefined) {
          conflicts.push(path);
          continue;
        }
        pick = { mode: (a as FlatEntry).mode, type: "blob", sha: this.putBlob(text) };
      }
      if (pick) merged.set(path, pick);
    }
    const dirs = new Set<string>();
    for (const p of merged.keys())
      for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) dirs.add(p.slice(0, i));
    conflicts.push(...[...merged.keys()].filter((p) => dirs.has(p)));
    if (conflicts.length > 0) throw new MergeConflict(conflicts.sort());
    return this.buildTree(merged);
  }

  /** Both sides changed a text file: its line merge, or undefined (binary, submodule, or overlapping changes). */
  private mergeBlobs(base: FlatEntry | undefined, ours: FlatEntry, theirs: FlatEntry): string | undefined {
    if (ours.type !== "blob" || theirs.type !== "blob" || ours.mode !== theirs.mode) return undefined;
    const text = (e: FlatEntry | undefined) => {
      if (!e) return "";
      const blob = this.blobs.get(e.sha);
      return blob === undefined || blob.includes(0) || e.type !== "blob" ? undefined : blob.toString("utf8");
    };
    const [o, a, b] = [text(base), text(ours), text(theirs)];
    if (o === undefined || a === undefined || b === undefined) return undefined;
    return mergeText(o, a, b);
  }
}
