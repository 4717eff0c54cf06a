// One test per failure class the corpus harness found on real files (issue 11): each minimal repro, fixed or refused.
import { describe, expect, test } from "vitest";
import {
  EditError,
  appendSeqItems,
  insertMapEntry,
  readEntryRaw,
  readSeqItems,
  removeKey,
  removeSeqItems,
  setScalar,
} from "../../../src/edit/index.js";

describe("aliases and anchors: EditError, never another exception", () => {
  test("appending an alias whose anchor is nowhere before it is refused, naming the alias and line", () => {
    expect(() => appendSeqItems("l:\n  - a\n", ["l"], ["*nope"])).toThrow(
      new EditError(
        "cannot edit l: the alias *nope would stand on line 3 of the result with no anchor &nope before it (an alias refers back to an anchor)",
      ),
    );
  });

  test("an alias whose anchor stands before it is appended and takes the anchor's value", () => {
    expect(appendSeqItems("l:\n  - &x a\n", ["l"], ["*x"])).toBe("l:\n  - &x a\n  - *x\n");
    expect(insertMapEntry("d: &x {p: 1}\nm:\n  k: 1\n", ["m"], "j: *x")).toBe("d: &x {p: 1}\nm:\n  k: 1\n  j: *x\n");
  });

  test("removing a node whose anchor an alias uses later is refused", () => {
    expect(() => removeKey("a: &x 1\nb: *x\n", ["a"])).toThrow(
      new EditError(
        "cannot edit a: the alias *x would stand on line 1 of the result with no anchor &x before it (an alias refers back to an anchor)",
      ),
    );
    expect(() => removeSeqItems("l:\n  - &x a\n  - *x\n", ["l"], (_, i) => i === 0)).toThrow(EditError);
  });

  test("a key without a value (`? a`) is no alias trouble", () => {
    expect(setScalar("? a\nc: 1\n", ["c"], "2")).toBe('? a\nc: "2"\n');
  });

  test("a file with an alias before its anchor is refused up front", () => {
    expect(() => setScalar("a: *x\nb: 1\n", ["b"], "2")).toThrow(
      new EditError("cannot edit b: the alias *x on line 1 has no anchor before it"),
    );
  });
});

describe("comments survive", () => {
  test("removing the first key of a `- ` item keeps the comment and blank lines above the next key", () => {
    expect(removeKey("env:\n  - name: P\n    # change this\n    value: s\n", ["env", 0, "name"])).toBe(
      "env:\n  -\n    # change this\n    value: s\n",
    );
    expect(removeKey("env:\n  - name: P\n\n    value: s\n", ["env", 0, "name"])).toBe("env:\n  -\n\n    value: s\n");
  });

  test("a multi-line flow list is spliced, not rewritten on one line", () => {
    const text = "l: [\n  a,  # one\n  b,  # two\n  c\n]\nx: 1\n";
    expect(removeSeqItems(text, ["l"], (v) => v === "b")).toBe("l: [\n  a,  # one\n  c\n]\nx: 1\n");
    expect(removeSeqItems(text, ["l"], (v) => v === "c")).toBe("l: [\n  a,  # one\n  b,  # two\n]\nx: 1\n");
    expect(removeSeqItems("l: [a, b,  # ab\n  c]\n", ["l"], (v) => v === "b")).toBe("l: [a,  # ab\n  c]\n");
    expect(appendSeqItems(text, ["l"], ["d"])).toBe("l: [\n  a,  # one\n  b,  # two\n  c,\n  d\n]\nx: 1\n");
    expect(appendSeqItems("l: [\n  a,  # one\n]\n", ["l"], ["b", "c"])).toBe("l: [\n  a,  # one\n  b,\n  c,\n]\n");
  });

  test("a multi-line flow map is spliced too", () => {
    expect(removeKey("m: {\n  a: 1,  # one\n  b: 2\n}\n", ["m", "b"])).toBe("m: {\n  a: 1,  # one\n}\n");
    expect(removeKey("m: {\n  a: 1,  # one\n  b: 2\n}\n", ["m", "a"])).toBe("m: {\n  b: 2\n}\n");
  });

  test("multi-line items into a flow list that holds comments are refused: a block list could not keep them", () => {
    expect(() => appendSeqItems("l: [\n  a,  # one\n]\n", ["l"], ["u: 1\nv: 2"])).toThrow(
      new EditError(
        "cannot append multi-line items to l (line 1): it is a flow sequence with comments inside, which a block sequence could not keep in place",
      ),
    );
  });

  test("setting a value over a block scalar keeps the comment on its header line", () => {
    expect(setScalar("a: |  # note\n  x\nb: 1\n", ["a"], "z")).toBe("a: z  # note\nb: 1\n");
    expect(setScalar("a: >-\n  x\n", ["a"], "z")).toBe("a: z\n");
  });
});

describe("exact bytes", () => {
  test("a file without a final newline keeps the blank line before a removed last item", () => {
    expect(removeSeqItems("l:\n  - a\n\n  - b", ["l"], (v) => v === "b")).toBe("l:\n  - a\n\n");
    expect(removeSeqItems("l:\n  - a\n  - b", ["l"], (v) => v === "b")).toBe("l:\n  - a");
  });

  test("removing the first key on a `- !!str k: v` line takes its tag along", () => {
    expect(removeKey("l:\n  - !!str k: v\n    m: 1\n", ["l", 0, "k"])).toBe("l:\n  - m: 1\n");
    expect(removeKey("&a k: v\nm: 1\n", ["k"])).toBe("m: 1\n");
  });

  test("a core tag the new value contradicts goes; !!str and custom tags stay", () => {
    expect(setScalar("replicas: !!int 3\n", ["replicas"], "three")).toBe("replicas: three\n");
    expect(setScalar("replicas: !!int 3  # n\n", ["replicas"], "4")).toBe('replicas: "4"  # n\n');
    expect(setScalar("a: &p !!int 3\nb: 1\n", ["a"], "x")).toBe("a: &p x\nb: 1\n");
    expect(setScalar("a: !!str 3\n", ["a"], "4")).toBe('a: !!str "4"\n');
    expect(setScalar("a: !secret x\n", ["a"], "z")).toBe("a: !secret z\n");
  });

  test("keep-chomped `|+` items keep their trailing blank lines in raw, so a copy has the same value", () => {
    const text = "l:\n  - |+\n    x\n\n  - b\n";
    const items = readSeqItems(text, ["l"]);
    expect(items).toEqual([
      { raw: "|+\nx\n\n", value: "x\n\n" },
      { raw: "b", value: "b" },
    ]);
    expect(appendSeqItems("m:\n  - a\n", ["m"], [items[0]?.raw ?? ""])).toBe("m:\n  - a\n  - |+\n    x\n\n");
    expect(readEntryRaw("c: |+\n  x\n\nd: 1\n", ["c"])).toBe("c: |+\n  x\n\n");
  });

  test("inserted lines take the file's dominant line ending", () => {
    expect(appendSeqItems("l:\n  - a\r\n  - b\r\n", ["l"], ["c"])).toBe("l:\n  - a\r\n  - b\r\n  - c\r\n");
    expect(appendSeqItems("l:\r\n  - a\n  - b\n", ["l"], ["c"])).toBe("l:\r\n  - a\n  - b\n  - c\n");
  });
});

describe("edits a user expects are made", () => {
  test("`key: # note` with an empty value is set, the comment kept", () => {
    expect(setScalar("key: # note\nb: 1\n", ["key"], "v")).toBe("key: v # note\nb: 1\n");
    expect(setScalar("key:   # note\nb: 1\n", ["key", "sub"], "v")).toBe("key:   # note\n  sub: v\nb: 1\n");
  });

  test("a leading byte order mark is not a column: root map edits work and the mark stays", () => {
    const bom = "\uFEFF";
    expect(setScalar(`${bom}a: 1\nb: 2\n`, ["c"], "3")).toBe(`${bom}a: 1\nb: 2\nc: "3"\n`);
    expect(removeKey(`${bom}a: 1\nb: 2\n`, ["a"])).toBe(`${bom}b: 2\n`);
    expect(insertMapEntry(`${bom}a: 1\n`, [], "b: 2")).toBe(`${bom}a: 1\nb: 2\n`);
    expect(readSeqItems(`${bom}- a\n`, [])).toEqual([{ raw: "a", value: "a" }]);
  });

  test("removing the last item of a root-level list leaves `[]`, the file's header comment kept", () => {
    expect(removeSeqItems("- a\n", [], () => true)).toBe("[]\n");
    expect(removeSeqItems("# fleet\n- a\n# b\n- b\n", [], () => true)).toBe("# fleet\n[]\n");
    expect(removeSeqItems("x: 1\n---\n- a\n- b", [], () => true, 1)).toBe("x: 1\n---\n[]");
  });

  test("a list with a multi-line item is created under `{}` as a block", () => {
    expect(appendSeqItems("m: {}  # later\n", ["m", "l"], ["a: 1\nb: 2"])).toBe(
      "m:  # later\n  l:\n    - a: 1\n      b: 2\n",
    );
    expect(appendSeqItems("m: {}\n", ["m", "l"], ["a"])).toBe("m: {l: [a]}\n");
  });
});

describe("readability", () => {
  test("emptying a list removes the comments that introduced each item; a comment after the list stays", () => {
    expect(removeSeqItems("l:\n  # first\n  - a\n  # second\n  - b\n  # after\nx: 1\n", ["l"], () => true)).toBe(
      "l: []\n  # after\nx: 1\n",
    );
  });

  test("a partial removal still leaves the comments above a removed item", () => {
    expect(removeSeqItems("l:\n  # first\n  - a\n  - b\n", ["l"], (v) => v === "a")).toBe("l:\n  # first\n  - b\n");
  });
});

describe("raw reads a copy can be made from (found by the corpus harness)", () => {
  test("an explicit key's `? ` and a tag before a key are part of the entry", () => {
    expect(readEntryRaw("? a\n: b\nc: 1\n", ["a"])).toBe("? a\n: b\n");
    expect(removeKey("? a\n: b\nc: 1\n", ["a"])).toBe("c: 1\n");
  });

  test("a flow map entry reads as a block entry; a key spanning lines as an explicit `? ` key", () => {
    expect(readEntryRaw('m: {"k":v, x: 1}\n', ["m", "k"])).toBe('"k": v\n');
    expect(readEntryRaw("m: {x: 1}\n", ["m", "x"])).toBe("x: 1\n");
    expect(readEntryRaw("m: {a: 1, multi\n  line: 2}\n", ["m", "multi line"])).toBe("? multi\n  line\n: 2\n");
    // A value spanning lines keeps its line breaks, its lines after the first indented under the key.
    expect(readEntryRaw('m: {k: [a,\n b], q: "x\n      y"}\n', ["m", "k"])).toBe("k: [a,\n  b]\n");
    expect(readEntryRaw('m: {k: [a,\n b], q: "x\n      y"}\n', ["m", "q"])).toBe('q: "x\n  y"\n');
    expect(readSeqItems("[\n? foo\n bar : baz\n]\n", [])).toEqual([
      { raw: "? foo\n  bar\n: baz", value: { "foo bar": "baz" } },
    ]);
  });

  test("a `[key: value]` item reads as `key: value`", () => {
    expect(readSeqItems('- [ a: b, "c":d ]\n', [0]).map((i) => i.raw)).toEqual(["a: b", '"c": d']);
  });

  test("a block scalar's line of more spaces than its indentation, or holding a tab, is content", () => {
    expect(readEntryRaw("foo: |\n  x\n   \nb: 1\n", ["foo"])).toBe("foo: |\n  x\n   \n");
    expect(readSeqItems("- >\n \t\n detected\n", []).map((i) => i.raw)).toEqual([">\n\t\ndetected"]);
    expect(setScalar("a: |\n  x\n\nb: 1\n", ["a"], "z")).toBe("a: z\n\nb: 1\n");
  });
});

describe("more edits the corpus showed a user would expect", () => {
  test("removing the only key of a root map or an item's map leaves `{}` (the document stays)", () => {
    expect(removeKey("a: 1\n---\nb: 2\n", ["a"])).toBe("{}\n---\nb: 2\n");
    expect(removeKey("l:\n  -\n    a: 1\n", ["l", 0, "a"])).toBe("l:\n  -\n    {}\n");
    expect(removeKey("k: &x\n  a: 1\n", ["k", "a"])).toBe("k: &x {}\n");
    expect(removeSeqItems("k: &x\n  - a\n", ["k"], () => true)).toBe("k: &x []\n");
  });

  test("an explicit `? key` is set in place", () => {
    expect(setScalar("? a\n: b\nc: 1\n", ["a"], "z")).toBe("? a\n: z\nc: 1\n");
    expect(appendSeqItems("? a\n:\nc: 1\n", ["a"], ["x"])).toBe("? a\n:\n  - x\nc: 1\n");
  });

  test("an item that reads differently inside brackets turns a flow list under a key into a block list", () => {
    expect(appendSeqItems("l: [a]\n", ["l"], ["b, c"])).toBe("l:\n  - a\n  - b, c\n");
  });

  test("entries into flow maps: one line inside the braces, multi-line under a block key or as a block list's item as a block map, else refused", () => {
    expect(insertMapEntry("m: {a: 1}  # c\n", ["m"], "b: 2")).toBe("m: {a: 1, b: 2}  # c\n");
    expect(insertMapEntry("m: {\n  a: 1,\n}\n", ["m"], "b: 2")).toBe("m: {\n  a: 1,\n  b: 2,\n}\n");
    expect(insertMapEntry("m: {}\n", ["m"], "b:\n  c: 1")).toBe("m:\n  b:\n    c: 1\n");
    expect(insertMapEntry("m: {a: 1}\n", ["m"], "b:\n  c: 1")).toBe("m:\n  a: 1\n  b:\n    c: 1\n");
    expect(insertMapEntry("- {a: 1}\n", [0], "b:\n  c: 1")).toBe("- a: 1\n  b:\n    c: 1\n");
    expect(() => insertMapEntry("- [{a: 1}]\n", [0, 0], "b:\n  c: 1")).toThrow(
      new EditError(
        "cannot insert into [0][0] (line 1): it is a flow map and the entry spans lines or is not a flow entry",
      ),
    );
  });
});
