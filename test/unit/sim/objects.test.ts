import { fc, test } from "@fast-check/vitest";
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

// The store's quick answers against the plain ones they replace: both trees flattened and compared, and the whole
// history of head less the whole history of base.
describe("GitObjectStore, against the plain answers", () => {
  // Paths in two levels of three names, so files, sub-trees and a name that is a file on one side and a folder on the
  // other all come up; contents from a small set, so unchanged files and shared sub-trees do too.
  const names = ["a", "b", "c"];
  const paths = names.flatMap((x) => [
    x,
    ...names.flatMap((y) => [`${x}/${y}`, ...names.map((z) => `${x}/${y}/${z}`)]),
  ]);
  const fileMap = fc
    .dictionary(fc.constantFrom(...paths), fc.constantFrom("1", "2", "3"), { maxKeys: 12 })
    .map((files) => {
      // a path cannot be a file and a folder at once
      const kept = Object.keys(files).filter((p) => !Object.keys(files).some((q) => q.startsWith(`${p}/`)));
      return Object.fromEntries(kept.map((p) => [p, files[p] as string]));
    });

  test.prop([fileMap, fileMap, fc.boolean()])("changedFiles is both trees flattened and compared", (a, b, exec) => {
    const store = new GitObjectStore();
    const left = tree(store, a);
    const flat: FlatTree = new Map();
    for (const [path, content] of Object.entries(b))
      flat.set(path, {
        mode: exec && content === "3" ? "100755" : "100644",
        type: "blob",
        sha: store.putBlob(content),
      });
    const right = store.buildTree(flat);
    const x = store.flatten(left);
    const y = store.flatten(right);
    const expected = [...new Set([...x.keys(), ...y.keys()])]
      .sort()
      .filter((p) => x.get(p)?.sha !== y.get(p)?.sha || x.get(p)?.mode !== y.get(p)?.mode)
      .map((path) => ({
        path,
        ...(x.get(path) ? { before: x.get(path) } : {}),
        ...(y.get(path) ? { after: y.get(path) } : {}),
      }));
    expect(store.changedFiles(left, right)).toEqual(expected);
    expect(store.changedFiles(undefined, right)).toEqual([...y].map(([path, after]) => ({ path, after })));
  });

  test.prop([fc.array(fc.array(fc.nat(), { maxLength: 2 }), { minLength: 1, maxLength: 14 }), fc.nat(), fc.nat()])(
    "commitsBetween is head's history less base's, newest first, asked any number of times",
    (parentPicks, i, j) => {
      const store = new GitObjectStore();
      const t = tree(store, { f: "x" });
      const shas: string[] = [];
      for (const [n, picks] of parentPicks.entries()) {
        const parents = [...new Set(picks.filter(() => n > 0).map((p) => shas[p % n] as string))];
        shas.push(store.putCommit({ tree: t, parents, message: `c${n}`, author: person, committer: person }));
      }
      const base = shas[i % shas.length] as string;
      const head = shas[j % shas.length] as string;
      const plain = (sha: string): string[] => {
        const seen = new Set<string>();
        const stack = [sha];
        while (stack.length > 0) {
          const cur = stack.pop() as string;
          if (seen.has(cur)) continue;
          seen.add(cur);
          stack.push(...(store.getCommit(cur)?.parents ?? []));
        }
        return [...seen];
      };
      const expected = plain(head)
        .filter((s) => !plain(base).includes(s))
        .sort((p, q) => shas.indexOf(q) - shas.indexOf(p));
      for (let round = 0; round < 2; round++) {
        expect(store.commitsBetween(base, head).map((c) => c.sha)).toEqual(expected);
        expect(store.isAncestor(base, head)).toBe(plain(head).includes(base));
      }
    },
  );
});
