import { describe, expect, it } from "vitest";
import { TextMemo } from "../../../src/spec/memo.js";

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
