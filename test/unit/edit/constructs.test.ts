// One test per construct of the YAML test suite that the splicer once left to its last line of defence (the
// re-parse check): each minimal repro, now edited or refused up front with an EditError naming it and its line.
import { describe, expect, test } from "vitest";
import {
  EditError,
  appendSeqItems,
  insertMapEntry,
  readSeqItems,
  removeKey,
  removeSeqItems,
  setScalar,
} from "../../../src/edit/index.js";

describe("a node that an alias repeats", () => {
  test("setting, appending to or adding under it is refused, naming the anchor and the alias", () => {
    const text = "a: &anchor\nb: *anchor\n";
    const refusal =
      "cannot edit a: it holds the anchor &anchor (line 1) that the alias *anchor on line 2 repeats, so the alias would change too";
    expect(() => setScalar(text, ["a"], "yes")).toThrow(new EditError(refusal));
    expect(() => appendSeqItems(text, ["a"], ["x"])).toThrow(new EditError(refusal));
    expect(() => setScalar(text, ["a", "k"], "v")).toThrow(
      new EditError(
        "cannot edit a.k: a node holding it has the anchor &anchor (line 1) that the alias *anchor on line 2 repeats, so the alias would change too",
      ),
    );
  });

  test("editing inside it is refused; inside a node no alias repeats it is done", () => {
    expect(() => removeKey("a: &x {p: 1, q: 2}\nb: *x\n", ["a", "p"])).toThrow(
      new EditError(
        "cannot edit a.p: a node holding it has the anchor &x (line 1) that the alias *x on line 2 repeats, so the alias would change too",
      ),
    );
    expect(setScalar("a: &x {p: 1}\nb: 2\n", ["a", "p"], "3")).toBe('a: &x {p: "3"}\nb: 2\n');
  });

  test("the alias repeats the last node anchored so before it", () => {
    expect(setScalar("first: &a Foo\nsecond: *a\noverride: &a Bar\n", ["override"], "Baz")).toBe(
      "first: &a Foo\nsecond: *a\noverride: &a Baz\n",
    );
    expect(() => setScalar("first: &a Foo\nsecond: *a\noverride: &a Bar\nreuse: *a\n", ["override"], "Baz")).toThrow(
      new EditError(
        "cannot edit override: it holds the anchor &a (line 3) that the alias *a on line 4 repeats, so the alias would change too",
      ),
    );
  });

  test("removing a node whose anchor an alias repeats, when an earlier node has the same anchor, is refused", () => {
    const text = "first: &a Foo\nsecond: *a\noverride: &a Bar\nreuse: *a\n";
    expect(() => removeKey(text, ["override"])).toThrow(
      new EditError(
        "cannot remove override: the alias *a on line 4 repeats the anchor &a on line 3, and would repeat another node anchored &a without it",
      ),
    );
    expect(() => removeSeqItems("- &a x\n- &a y\n- *a\n", [], (_, i) => i === 1)).toThrow(
      new EditError(
        "cannot remove (document root): the alias *a on line 3 repeats the anchor &a on line 2, and would repeat another node anchored &a without it",
      ),
    );
  });
});

describe("a single-pair map without braces in a flow list (`[a: b]`)", () => {
  test("a new key gives it its braces, so the list keeps its length", () => {
    expect(setScalar("[\nfoo: bar\n]\n", [0, "k"], "v")).toBe("[\n{foo: bar, k: v}\n]\n");
    expect(insertMapEntry("- [ YAML : separate ]\n", [0, 0], "k: v")).toBe("- [ {YAML : separate, k: v} ]\n");
    expect(appendSeqItems("- [: empty key]\n", [0, 0, "k"], ["x"])).toBe("- [{: empty key, k: [x]}]\n");
  });

  test("an explicit key spanning lines keeps its `? ` and its line break", () => {
    const text = "[\n? foo\n bar : baz\n]\n";
    expect(setScalar(text, [0, "k"], "v")).toBe("[\n{? foo\n bar : baz, k: v}\n]\n");
    expect(removeKey(text, [0, "foo bar"])).toBe("[\n{}\n]\n");
    expect(removeSeqItems(text, [], () => true)).toBe("[\n]\n");
  });
});

describe("an anchor or tag standing alone on the line before its node", () => {
  test("emptying the list or map keeps them, and `[]` or `{}` goes right after them", () => {
    expect(removeSeqItems("e:\n &node # note\n - x: y\nblock: 1\n", ["e"], () => true)).toBe(
      "e:\n &node [] # note\nblock: 1\n",
    );
    expect(removeSeqItems("---\nseq:\n &anchor\n- a\n- b\n", ["seq"], () => true)).toBe("---\nseq:\n &anchor []\n");
    expect(removeKey("key: &anchor\n !!map\n  a: b\n", ["key", "a"])).toBe("key: &anchor\n !!map {}\n");
    expect(removeKey("top:\n  &node\n  &k key: four\nnext: 1\n", ["top", "key"])).toBe("top:\n  &node {}\nnext: 1\n");
  });

  test("an empty value gets its value after them", () => {
    expect(setScalar("f:\n  &n\ng: 1\n", ["f"], "v")).toBe("f:\n  &n v\ng: 1\n");
  });
});

describe("an empty value right after its tag", () => {
  test("setting it puts a space between the tag and the value", () => {
    expect(setScalar("- !!str\n", [0], "x")).toBe("- !!str x\n");
    expect(setScalar("a: 1\nb: !!str\n", ["b"], " lead")).toBe('a: 1\nb: !!str " lead"\n');
    expect(setScalar("{\n  foo : !!str,\n}\n", ["foo"], "~")).toBe('{\n  foo : !!str "~",\n}\n');
  });

  test("a map or list made under it drops a `!!null` tag, which would contradict it", () => {
    expect(insertMapEntry("- !!str : !!null\n", [0, ""], "k: v")).toBe("- !!str :\n    k: v\n");
    expect(setScalar("a: !!null\n", ["a", "k"], "v")).toBe("a:\n  k: v\n");
  });
});

describe("a list created inside a flow map", () => {
  test("a string item that would read as two items inside brackets is quoted", () => {
    expect(appendSeqItems("{x: 1}\n", ["n"], ["a, b", "42"])).toBe('{x: 1, "n": ["a, b", 42]}\n');
  });

  test("a block collection item is refused: it has no flow form without rewriting it", () => {
    expect(() => appendSeqItems("{x: 1}\n", ["n"], ["- {}"])).toThrow(
      new EditError('cannot create n: its parent is a flow map and the item "- {}" is a block collection'),
    );
  });
});

describe("flow entries whose comma stands on a later line", () => {
  test("removing one removes its comma too, and the lines between stay", () => {
    expect(removeSeqItems("---\n[ word1\n# comment\n, word2]\n", [], (_, i) => i === 0)).toBe(
      "---\n[ \n# comment\nword2]\n",
    );
    expect(removeKey('- { "a"  : b\n   , c : \'d\' ,\n   e   : "f"\n  }\n', [0, "a"])).toBe(
      "- { \n   c : 'd' ,\n   e   : \"f\"\n  }\n",
    );
    expect(removeSeqItems("[\n  a\n  , b\n]\n", [], (_, i) => i === 0)).toBe("[\n  b\n]\n");
  });
});

describe("an explicit key holding a map (`? a: b`)", () => {
  test("a new key of the map is indented like the `?`", () => {
    expect(setScalar("- sun: yellow\n- ? earth: blue\n  : moon: white\n", [1, "k"], "x")).toBe(
      "- sun: yellow\n- ? earth: blue\n  : moon: white\n  k: x\n",
    );
  });
});

describe("a custom tag the yaml package cannot resolve", () => {
  test("copying an item that has one is no new doubt; a tag the file does not use yet is", () => {
    expect(appendSeqItems("- !local foo\n- bar\n", [], ["!local foo"])).toBe("- !local foo\n- bar\n- !local foo\n");
    expect(() => appendSeqItems("- !local foo\n", [], ["!other foo"])).toThrow(
      new EditError("editing (document root) would produce doubtful YAML: Unresolved tag: !other at line 2, column 3:"),
    );
  });
});

describe("a comment line starting with a tab between a key and its value", () => {
  test("adding a key after that entry is refused: the yaml package would read value and key as one key", () => {
    const text = "key:\t# Comment\n\t# lines\n  value\n";
    const refusal =
      "cannot insert into (document root) after the entry on line 1: the comment on line 2 starts with a tab, after which the yaml package reads the entry's value and the next key as one key";
    expect(() => setScalar(text, ["n"], "x")).toThrow(new EditError(refusal));
    expect(() => insertMapEntry(text, [], "n: x")).toThrow(new EditError(refusal));
    expect(setScalar(text, ["key"], "x")).toBe("key:\t# Comment\n\t# lines\n  x\n");
  });
});

describe("a line of only spaces or tabs after the entry an insertion follows", () => {
  test("the new lines go after it, so it cannot become content of an added block scalar", () => {
    expect(insertMapEntry("foo: 1\n\t\nbar: 2\n", [], "k: |\n  text\n  more", "foo")).toBe(
      "foo: 1\n\t\nk: |\n  text\n  more\nbar: 2\n",
    );
    expect(insertMapEntry("foo: 1\n\nbar: 2\n", [], "k: |\n  text", "foo")).toBe("foo: 1\nk: |\n  text\n\nbar: 2\n");
  });
});

describe("an explicit key without a value (`? b`)", () => {
  test("its value goes on a `:` line after the key, at the `?`'s column", () => {
    expect(setScalar("? a\n? b\nc:\n", ["b"], "x")).toBe("? a\n? b\n: x\nc:\n");
    expect(setScalar("? e\n  42\nc: 1\n", ["e 42"], "x")).toBe("? e\n  42\n: x\nc: 1\n");
    expect(appendSeqItems("? b\nc: 1\n", ["b"], ["x"])).toBe("? b\n:\n  - x\nc: 1\n");
    expect(insertMapEntry("- ? b\n  c: 1\n", [0, "b"], "k: v")).toBe("- ? b\n  :\n    k: v\n  c: 1\n");
  });
});

describe("a block scalar item with an indentation indicator (`- |2-`)", () => {
  test("its raw is a value of its own: the digit counts from the raw's first column, not the item's dash", () => {
    // The content stands left of the `|` (the digits count from the dash): it moves right to column 1 of the raw.
    const text = "l:\n  - |2-\n      lead\n     text\n  - >1+\n     folded\n\n  - x\n";
    expect(readSeqItems(text, ["l"])).toEqual([
      { raw: "|1-\n   lead\n  text", value: "  lead\n text" },
      { raw: ">1+\n   folded\n\n", value: "  folded\n\n" },
      { raw: "x", value: "x" },
    ]);
    // Content right of the `|` keeps its place, the digit says where it starts.
    expect(readSeqItems("- |7\n         text\n", [])).toEqual([{ raw: "|5\n       text", value: "  text\n" }]);
  });

  test("appended after a dash, the digit counts from that dash again", () => {
    expect(appendSeqItems("l:\n  - a\n", ["l"], ["|1-\n   lead\n  text"])).toBe(
      "l:\n  - a\n  - |3-\n       lead\n      text\n",
    );
    expect(appendSeqItems("l:\n  -   a\n", ["l"], [">1\n  x"])).toBe("l:\n  -   a\n  -   >5\n        x\n");
    // Past 9 the content moves left instead.
    expect(appendSeqItems("l:\n- a\n", ["l"], ["|8\n          x"])).toBe("l:\n- a\n- |9\n           x\n");
  });

  test("a copy reads as the original item", () => {
    const text = "src:\n  - |2\n     indented\n    line\ndst: []\n";
    const raws = readSeqItems(text, ["src"]).map((i) => i.raw);
    expect(raws).toEqual(["|1\n  indented\n line"]);
    const copied = appendSeqItems(text, ["dst"], raws);
    expect(copied).toBe("src:\n  - |2\n     indented\n    line\ndst:\n  - |3\n      indented\n     line\n");
    expect(readSeqItems(copied, ["dst"])[0]?.value).toBe(" indented\nline\n");
  });
});

describe("a comma-first flow collection (`[ a\\n  , b\\n  , c ]`)", () => {
  const list = "l: [ a\n  , b\n  , c ]\nk: 1\n";
  const drop = (text: string, ...indices: number[]) => removeSeqItems(text, ["l"], (_, i) => indices.includes(i));

  test("a later entry goes with its comma; after the last one the bracket moves up; the first takes the next comma", () => {
    expect(drop(list, 1)).toBe("l: [ a\n  , c ]\nk: 1\n");
    expect(drop(list, 2)).toBe("l: [ a\n  , b ]\nk: 1\n");
    expect(drop(list, 0)).toBe("l: [ b\n  , c ]\nk: 1\n");
    expect(drop(list, 0, 2)).toBe("l: [ b ]\nk: 1\n");
    expect(removeKey("m: { a: 1\n  , b: 2\n  , c: 3 }\n", ["m", "c"])).toBe("m: { a: 1\n  , b: 2 }\n");
  });

  test("comments stay: text holding one is never taken out", () => {
    const commented = "l: [ a # one\n  # two\n  , b\n  , c # three\n  ]\n";
    expect(drop(commented, 0)).toBe("l: [  # one\n  # two\n  b\n  , c # three\n  ]\n");
    expect(drop(commented, 2)).toBe("l: [ a # one\n  # two\n  , b\n   # three\n  ]\n");
  });

  test("new entries go on lines of their own after a comma", () => {
    expect(appendSeqItems(list, ["l"], ["d", "e"])).toBe("l: [ a\n  , b\n  , c\n  , d\n  , e ]\nk: 1\n");
    expect(insertMapEntry("m: { a: 1\n  , b: 2 }\n", ["m"], "d: 4")).toBe("m: { a: 1\n  , b: 2\n  , d: 4 }\n");
  });
});

describe("a null item (`- `)", () => {
  test("reads as an empty raw, and an empty raw appends a null item: `-` in a block list, `~` inside brackets", () => {
    expect(readSeqItems("- a\n- \n", [])).toEqual([
      { raw: "a", value: "a" },
      { raw: "", value: null },
    ]);
    expect(appendSeqItems("- a\n- \n", [], ["a", ""])).toBe("- a\n- \n- a\n-\n");
    expect(appendSeqItems("l: [a]\n", ["l"], [""])).toBe("l: [a, ~]\n");
    expect(appendSeqItems("m: {}\n", ["m", "k"], ["", "x"])).toBe("m: {k: [~, x]}\n");
  });
});

describe("an entry without a value inside a flow map (`{a, b: 1}`, `{a:, b: 1}`, `{a: ~}`)", () => {
  test("a key created under it gets a flow map value after its key or `:`, or in place of `~`", () => {
    expect(setScalar("{ a, b: 1 }\n", ["a", "k"], "v")).toBe("{ a: {k: v}, b: 1 }\n");
    expect(setScalar("{ a:, b: 1 }\n", ["a", "k"], "v")).toBe("{ a: {k: v}, b: 1 }\n");
    expect(setScalar("{ a: ~ }\n", ["a", "k", "j"], "v")).toBe("{ a: {k: {j: v}} }\n");
    expect(setScalar('{"empty":\n}\n', ["empty", "k"], "v")).toBe('{"empty": {k: v}\n}\n');
    expect(setScalar("- { multi\n  line, a: b}\n", [0, "multi line", "k"], "v")).toBe(
      "- { multi\n  line: {k: v}, a: b}\n",
    );
  });

  test("a `!!null` tag that would contradict it goes; lists and one-line entries are written in flow style", () => {
    expect(setScalar("{a: !!null }\n", ["a", "k"], "v")).toBe("{a: {k: v}}\n");
    expect(appendSeqItems("{ a: , b }\n", ["b", "k"], ["x"])).toBe("{ a: , b: {k: [x]} }\n");
    expect(insertMapEntry("{ a: , b }\n", ["a"], "n: 1")).toBe("{ a: {n: 1}, b }\n");
    expect(() => insertMapEntry("{ a: , b }\n", ["a"], "n:\n  - 1")).toThrow(
      new EditError("cannot create a: its parent is a flow map and the value spans lines"),
    );
  });
});

describe("a compact nested list (`- - a`)", () => {
  const text = "- - a\n  - b\n  - c\n- x\n";
  const drop = (t: string, ...indices: number[]) => removeSeqItems(t, [0], (_, i) => indices.includes(i));

  test("removing its first item moves the next kept item onto the parent's line; emptying it leaves `- []`", () => {
    expect(drop(text, 0)).toBe("- - b\n  - c\n- x\n");
    expect(drop(text, 0, 1)).toBe("- - c\n- x\n");
    expect(drop(text, 0, 2)).toBe("- - b\n- x\n");
    expect(drop(text, 1, 2)).toBe("- - a\n- x\n");
    expect(drop("# outer\n- - a\n  - b\n", 0, 1)).toBe("# outer\n- []\n");
    // The same on the `:` line of an explicit key.
    expect(removeSeqItems("? k\n: - one # c\n  - two\n", ["k"], () => true)).toBe("? k\n: []\n");
  });

  test("a comment between the first item and the next kept one is refused, not dropped", () => {
    expect(() => drop("- - a # note\n  - b\n", 0)).toThrow(
      new EditError(
        "cannot remove [0][0] (line 1): it shares its line with its parent's indicator, and the comment between it and the next item kept would go with it",
      ),
    );
  });

  test("new items go on lines of their own at the dash's column", () => {
    expect(appendSeqItems("- - a\n- x\n", [0], ["z"])).toBe("- - a\n  - z\n- x\n");
    expect(appendSeqItems("-   - a\n", [0], ["z", "y"])).toBe("-   - a\n    - z\n    - y\n");
  });
});

describe("a tag handle a `%TAG` directive defines (`!e!foo`)", () => {
  test("a raw item copied with it appends to the same document: the handle means there what it meant", () => {
    const text = '%TAG !e! tag:example.com,2000:app/\n---\n- !e!foo "bar"\n';
    expect(readSeqItems(text, [])).toEqual([{ raw: '!e!foo "bar"', value: "bar" }]);
    expect(appendSeqItems(text, [], ['!e!foo "bar"'])).toBe(`${text}- !e!foo "bar"\n`);
    expect(() => appendSeqItems("- a\n", [], ['!e!foo "bar"'])).toThrow(
      new EditError(
        'cannot append "!e!foo \\"bar\\"" to (document root): not a YAML value (Could not resolve tag: !e!foo at line 1, column 1)',
      ),
    );
  });
});

describe("an empty document or a null list item (`---` with nothing after it, `- `)", () => {
  test("a key created in an empty document goes on the lines after its start", () => {
    expect(setScalar("---\n---\n", ["k"], "v", 0)).toBe("---\nk: v\n---\n");
    expect(setScalar("Document\n---\n# Empty\n...\n", ["k"], "v", 1)).toBe("Document\n---\nk: v\n# Empty\n...\n");
    expect(insertMapEntry("--- # c\n", ["k"], "n: 1")).toBe("--- # c\nk:\n  n: 1\n");
  });

  test("a key created in a null item goes after its dash; a comment there stays on the dash's line", () => {
    expect(setScalar("- \n- a\n", [0, "k"], "v")).toBe("- k: v\n- a\n");
    expect(setScalar("-\n- a\n", [0, "k", "j"], "v")).toBe("- k:\n    j: v\n- a\n");
    expect(appendSeqItems("- # note\n- a\n", [0, "k"], ["x"])).toBe("- k: # note\n    - x\n- a\n");
    expect(setScalar("- # note", [0, "k"], "v")).toBe("- k: v # note");
  });

  test("a null written out is a scalar: the document is not a map", () => {
    expect(() => setScalar("--- ~\n", ["k"], "v")).toThrow(
      new EditError("cannot create k: (document root) is not a map"),
    );
  });
});

describe("a non-empty flow map under a block key taking a multi-line entry or value", () => {
  const text = "rules:\n  braces: {max: 1, min: 0} # note\n  other: x\n";

  test("becomes a block map: its entries as block entries, then the new one; a one-line entry stays inside", () => {
    expect(insertMapEntry(text, ["rules", "braces"], "k: |\n  text")).toBe(
      "rules:\n  braces: # note\n    max: 1\n    min: 0\n    k: |\n      text\n  other: x\n",
    );
    expect(appendSeqItems(text, ["rules", "braces", "l"], ["a: 1\nb: 2"])).toBe(
      "rules:\n  braces: # note\n    max: 1\n    min: 0\n    l:\n      - a: 1\n        b: 2\n  other: x\n",
    );
    expect(insertMapEntry(text, ["rules", "braces"], "k: v")).toBe(
      "rules:\n  braces: {max: 1, min: 0, k: v} # note\n  other: x\n",
    );
    expect(insertMapEntry(text, ["rules", "braces", "deep"], "k: v")).toBe(
      "rules:\n  braces: {max: 1, min: 0, deep: {k: v}} # note\n  other: x\n",
    );
  });

  test("its anchor stays on the key's line, a key spanning lines becomes `? `; comments inside are refused", () => {
    expect(insertMapEntry("k: &a {x: 1, ? multi\n  line : 2}\n", ["k"], "n:\n  - 1")).toBe(
      "k: &a\n  x: 1\n  ? multi\n    line\n  : 2\n  n:\n    - 1\n",
    );
    expect(() => insertMapEntry("k: { x: 1, # c\n  y: 2 }\n", ["k"], "n:\n  - 1")).toThrow(
      new EditError("cannot insert into k (line 1): it is a flow map and the entry spans lines or is not a flow entry"),
    );
  });

  test("a flow list turned into a block list keeps its anchor or tag on the key's line", () => {
    expect(appendSeqItems("k: &a [x]\n", ["k"], ["a: 1\nb: 2"])).toBe("k: &a\n  - x\n  - a: 1\n    b: 2\n");
    expect(appendSeqItems("k: !!seq [x] # c\n", ["k"], ["a: 1"])).toBe("k: !!seq # c\n  - x\n  - a: 1\n");
  });
});

describe("comment lines after where a block scalar is added, which it would take in", () => {
  test("the block scalar goes after it: no line may start with a tab right after a block scalar's content", () => {
    expect(insertMapEntry("a:\n  b: 1\n\t# c\n  d: 2\n", ["a"], "k: |\n  text", "b")).toBe(
      "a:\n  b: 1\n\t# c\n  k: |\n    text\n  d: 2\n",
    );
    expect(appendSeqItems("l:\n- a\n\t# c\n", ["l"], ["|\n text"])).toBe("l:\n- a\n\t# c\n- |\n   text\n");
    expect(insertMapEntry("m: {x: 1}\n\t# c\n", ["m"], "k: |\n  text")).toBe("m:\n\t# c\n  x: 1\n  k: |\n    text\n");
  });

  test("comment lines indented deeper than the new lines, which it would read as content, are passed too", () => {
    expect(insertMapEntry("a: 1\nd: []\n  # list here\n\n  # more\nb: 2\n", [], "k: |\n  text", "d")).toBe(
      "a: 1\nd: []\n  # list here\n\n  # more\nk: |\n  text\nb: 2\n",
    );
    expect(insertMapEntry("a:\n  b: 1\n  # about d\n  d: 2\n", ["a"], "k: |\n  t", "b")).toBe(
      "a:\n  b: 1\n  k: |\n    t\n  # about d\n  d: 2\n",
    );
    expect(appendSeqItems("l:\n  - a\n    # deeper\n  # same\nm: 1\n", ["l"], ["|\n t"])).toBe(
      "l:\n  - a\n    # deeper\n  - |\n     t\n  # same\nm: 1\n",
    );
  });

  test("anything else still goes right after the entry", () => {
    expect(insertMapEntry("a:\n  b: 1\n\t# c\n  d: 2\n", ["a"], "k: v", "b")).toBe(
      "a:\n  b: 1\n  k: v\n\t# c\n  d: 2\n",
    );
  });
});

describe("a flow map or list that is an item of a block list", () => {
  test("taking a multi-line entry it becomes a block map on its own lines, the first entry on the dash's line", () => {
    expect(insertMapEntry("l:\n  - {a: 1, b: 2}\n  - x\n", ["l", 0], "k: |\n  one\n  two\n")).toBe(
      "l:\n  - a: 1\n    b: 2\n    k: |\n      one\n      two\n  - x\n",
    );
    expect(insertMapEntry("- - {a: 1}\n", [0, 0], "k:\n  - p\n")).toBe("- - a: 1\n    k:\n      - p\n");
    expect(insertMapEntry("l:\n  - {}\n", ["l", 0], "k:\n  z: 1\n")).toBe("l:\n  - k:\n      z: 1\n");
    // A one-line entry still goes inside the braces.
    expect(insertMapEntry("l:\n  - {a: 1}\n", ["l", 0], "k: v\n")).toBe("l:\n  - {a: 1, k: v}\n");
  });

  test("with a comment after it, or an anchor before its brace, it is refused: that text would move", () => {
    const refusal =
      "cannot insert into l[0] (line 2): it is a flow map and the entry spans lines or is not a flow entry";
    expect(() => insertMapEntry("l:\n  - {a: 1} # c\n", ["l", 0], "k:\n  z: 1\n")).toThrow(new EditError(refusal));
    expect(() => insertMapEntry("l:\n  - &x {a: 1}\n", ["l", 0], "k:\n  z: 1\n")).toThrow(new EditError(refusal));
  });

  test("a flow list taking a multi-line item becomes a block list in place (`- [a]` becomes `- - a`)", () => {
    expect(appendSeqItems("l:\n  - [a, b]\n  - x\n", ["l", 0], ["k: 1\nz: 2"])).toBe(
      "l:\n  - - a\n    - b\n    - k: 1\n      z: 2\n  - x\n",
    );
    expect(appendSeqItems("- []\n", [0], ["p:\n  q: 1"])).toBe("- - p:\n      q: 1\n");
    expect(appendSeqItems("- [a]\n", [0], ["b"])).toBe("- [a, b]\n");
    expect(() => appendSeqItems("- [a] # c\n", [0], ["p:\n  q: 1"])).toThrow(
      new EditError("cannot append multi-line items to [0] (line 1): it is a flow sequence not under a block map key"),
    );
  });
});
