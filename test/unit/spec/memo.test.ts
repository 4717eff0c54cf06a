import { describe, expect, it } from "vitest";
import { FileReads, TextMemo } from "../../../src/spec/memo.js";

describe("TextMemo", () => {
  it("keeps the newest texts within its count and its total length, and never one longer than the whole bound", () => {
    const memo = new TextMemo<number>(3, 10);
    memo.set("aaaa", 1);
    memo.set("bbbb", 2);
    memo.set("cc", 3);
    expect([memo.get("aaaa"), memo.get("bbbb"), memo.get("cc")]).toEqual([1, 2, 3]);
    memo.set("dddd", 4); // 14 characters: the oldest goes
    expect([memo.get("aaaa"), memo.get("bbbb"), memo.get("cc"), memo.get("dddd")]).toEqual([undefined, 2, 3, 4]);
    memo.set("e", 5); // four entries: the oldest goes
    expect([memo.get("bbbb"), memo.get("cc"), memo.get("dddd"), memo.get("e")]).toEqual([undefined, 3, 4, 5]);
    memo.set("x".repeat(11), 6);
    expect([memo.get("x".repeat(11)), memo.get("cc"), memo.get("dddd"), memo.get("e")]).toEqual([undefined, 3, 4, 5]);
  });
});

describe("FileReads", () => {
  it("gives a value back only while the file it was read from has the same text", () => {
    const reads = new FileReads<{ path: string }>(10, 1_000);
    const tree = new Map([["a.yaml", "one"]]);
    const read = { path: "a.yaml" };
    reads.set("key", "one", read);
    expect(reads.get("key", (v) => tree.get(v.path))).toBe(read);
    tree.set("a.yaml", "two");
    expect(reads.get("key", (v) => tree.get(v.path))).toBeUndefined();
    tree.delete("a.yaml");
    expect(reads.get("key", (v) => tree.get(v.path))).toBeUndefined();
    expect(reads.get("other", () => "one")).toBeUndefined();
  });

  it("keeps the entries used last, within its count and the texts' total length", () => {
    const reads = new FileReads<number>(2, 10);
    reads.set("a", "aaaa", 1);
    reads.set("b", "bbbb", 2);
    expect(reads.get("a", () => "aaaa")).toBe(1);
    // A third entry: the one used least recently (b) goes.
    reads.set("c", "cc", 3);
    expect(reads.get("b", () => "bbbb")).toBeUndefined();
    expect(reads.get("a", () => "aaaa")).toBe(1);
    // Past 10 characters in all: the oldest goes.
    reads.set("d", "dddddddd", 4);
    expect([reads.get("a", () => "aaaa"), reads.get("c", () => "cc"), reads.get("d", () => "dddddddd")]).toEqual([
      undefined,
      undefined,
      4,
    ]);
  });
});
