import { describe, expect, it } from "vitest";
import { applyEdits, type TextEdit } from "../../../src/edit/index.js";
import { FileHistory } from "../../../src/plan/history.js";

describe("FileHistory", () => {
  it("gives back every version of a file kept as edits, across the versions it keeps whole", () => {
    const history = new FileHistory("a\n");
    const texts = ["a\n"];
    let text = "a\n";
    for (let i = 1; i <= 100; i++) {
      // Two groups a version: a line appended, then its first character replaced (against the text the first left).
      const append: TextEdit[] = [{ start: text.length, end: text.length, insert: `line ${i}\n` }];
      const appended = applyEdits(text, append);
      const replace: TextEdit[] = [{ start: 0, end: 1, insert: String(i % 10) }];
      text = applyEdits(appended, replace);
      expect(history.add(text, [append, replace])).toBe(i);
      texts.push(text);
    }
    expect(history.newest).toBe(100);
    expect(Array.from({ length: 101 }, (_, n) => history.text(n))).toEqual(texts);
    expect(history.text(37)).toBe(`7\n${Array.from({ length: 37 }, (_, i) => `line ${i + 1}\n`).join("")}`);
  });

  it("keeps whole a version given without its edits, and a file that did not exist reads undefined", () => {
    const history = new FileHistory(undefined);
    expect(history.add("created\n", undefined)).toBe(1);
    expect(history.add("created\nmore\n", [[{ start: 8, end: 8, insert: "more\n" }]])).toBe(2);
    expect(history.add("replaced\n", undefined)).toBe(3);
    expect([0, 1, 2, 3].map((n) => history.text(n))).toEqual([undefined, "created\n", "created\nmore\n", "replaced\n"]);
    expect(() => history.text(4)).toThrow("no version 4 of this file");
  });
});
