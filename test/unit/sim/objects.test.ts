import { describe, expect, it } from "vitest";
import { EMPTY_TREE_SHA, GitObjectStore, MergeConflict, type FlatTree } from "../../../src/sim/objects.js";

const person = { name: "t", email: "t@example.com", date: "2025-01-01T00:00:00Z" };

function tree(store: GitObjectStore, files: Record<string, string>): string {
  const flat: FlatTree = new Map();
  for (const [path, content] of Object.entries(files))
    flat.set(path, { mode: "100644", type: "blob", sha: store.putBlob(content) });
  return store.buildTree(flat);
}

function read(store: GitObjectStore, treeSha: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, e] of store.flatten(treeSha)) out[path] = store.getBlob(e.sha)?.toString() ?? "";
  return out;
}

describe("GitObjectStore", () => {
  it("hashes the empty tree like git", () => {
    const store = new GitObjectStore();
    expect(store.buildTree(new Map())).toBe(EMPTY_TREE_SHA);
  });

  it("merges file by file: one-sided changes win, identical changes agree, deletions apply", () => {
    const store = new GitObjectStore();
    const base = tree(store, { "a.yaml": "a0", "b.yaml": "b0", "c.yaml": "c0", "d.yaml": "d0" });
    const ours = tree(store, { "a.yaml": "a1", "b.yaml": "b0", "c.yaml": "same", "d.yaml": "d0", "new-ours": "o" });
    const theirs = tree(store, { "a.yaml": "a0", "b.yaml": "b1", "c.yaml": "same", "new-theirs": "t" });
    expect(read(store, store.mergeTrees(base, ours, theirs))).toEqual({
      "a.yaml": "a1",
      "b.yaml": "b1",
      "c.yaml": "same",
      "new-ours": "o",
      "new-theirs": "t",
    });
  });

  it("reports every path changed differently on both sides", () => {
    const store = new GitObjectStore();
    const base = tree(store, { "a.yaml": "a0", "b.yaml": "b0" });
    const ours = tree(store, { "a.yaml": "a1", "b.yaml": "b0", n: "x" });
    const theirs = tree(store, { "a.yaml": "a2", n: "y" });
    expect(() => store.mergeTrees(base, ours, theirs)).toThrow(MergeConflict);
    try {
      store.mergeTrees(base, ours, theirs);
    } catch (err) {
      expect((err as MergeConflict).paths).toEqual(["a.yaml", "n"]);
    }
  });

  it("finds the merge base, first-parent history and commits between", () => {
    const store = new GitObjectStore();
    const t = tree(store, { f: "1" });
    const root = store.putCommit({ tree: t, parents: [], message: "root", author: person, committer: person });
    const main1 = store.putCommit({ tree: t, parents: [root], message: "main1", author: person, committer: person });
    const side = store.putCommit({ tree: t, parents: [root], message: "side", author: person, committer: person });
    const merge = store.putCommit({
      tree: t,
      parents: [main1, side],
      message: "merge",
      author: person,
      committer: person,
    });
    expect(store.mergeBase(main1, side)).toBe(root);
    expect(store.mergeBase(merge, side)).toBe(side);
    expect(store.firstParentChain(merge)).toEqual([root, main1, merge]);
    expect(store.commitsBetween(main1, merge).map((c) => c.message)).toEqual(["merge", "side"]);
    expect(store.isAncestor(side, merge)).toBe(true);
    expect(store.isAncestor(merge, side)).toBe(false);
  });
});
