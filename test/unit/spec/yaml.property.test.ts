// The line reader of simple discovery files against the YAML parser: the same value whenever it answers, on lines
// built from the shapes it reads and from near misses (numbers, bools, nulls, comments, odd indents, duplicate keys).
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { type Document, parseAllDocuments } from "yaml";
import { readYamlDocuments, simpleList } from "../../../src/spec/yaml.js";

const scalar = fc.constantFrom(
  "store-0001",
  "'http://a-1.data:37017'",
  "'it''s'",
  "'a #b'",
  "''",
  "Yes",
  "no",
  "true",
  "False",
  "null",
  "~",
  "0x1F",
  "12",
  "1.5",
  ".inf",
  "a: b",
  "a #c",
  "'a",
  '"quoted"',
  "_x.y/z",
  "-x",
  "[a]",
  "'  '",
);
const key = fc.constantFrom(
  "cluster_id",
  "cluster",
  "nodes",
  "display_name",
  "a1",
  "__proto__",
  "Key",
  "1",
  "constructor",
);
const line = fc.oneof(
  fc.tuple(key, scalar).map(([k, v]) => `- ${k}: ${v}`),
  fc.tuple(key, scalar).map(([k, v]) => `  ${k}: ${v}`),
  key.map((k) => `- ${k}:`),
  key.map((k) => `  ${k}:`),
  scalar.map((v) => `    - ${v}`),
  scalar.map((v) => `  - ${v}`),
  fc.constantFrom("", "# comment", "---", "   ", "-", "  nodes: []", "\t- a: b"),
);

function parsed(text: string): unknown {
  const docs: unknown = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? (docs as Document.Parsed[]) : [];
  if (list.length !== 1 || list.some((d) => d.errors.length > 0)) return "refused";
  return list[0]?.toJS();
}

/** Lines of the shape it reads, mostly with values it reads, keys that may repeat, and now and then a near miss. */
const readable = fc.constantFrom("store-0001", "'http://a-1.data:37017'", "'it''s'", "'a #b'", "''", "Yes", "_x.y/z");
const likelyScalar = fc.oneof({ arbitrary: readable, weight: 6 }, { arbitrary: scalar, weight: 1 });
const likely = fc.oneof(
  fc.tuple(key, likelyScalar).map(([k, v]) => `- ${k}: ${v}`),
  fc.tuple(key, likelyScalar).map(([k, v]) => `  ${k}: ${v}`),
  key.map((k) => `  ${k}:`),
  likelyScalar.map((v) => `    - ${v}`),
);

describe("simpleList", () => {
  it("reads what the YAML parser reads on lines of its shape, and answers for many of them", () => {
    let answered = 0;
    fc.assert(
      fc.property(
        fc.array(likely, { minLength: 1, maxLength: 6 }).map((lines) => `- cluster_id: s\n${lines.join("\n")}\n`),
        (text) => {
          const simple = simpleList(text);
          if (simple === undefined) return;
          answered++;
          expect(simple).toEqual(parsed(text));
        },
      ),
      { numRuns: 400 },
    );
    expect(answered).toBeGreaterThan(15);
  });

  test.prop([fc.array(line, { minLength: 1, maxLength: 8 }), fc.boolean()])(
    "reads what the YAML parser reads, or leaves the text to it",
    (lines, newline) => {
      const text = `${lines.join("\n")}${newline ? "\n" : ""}`;
      const simple = simpleList(text);
      if (simple !== undefined) expect(simple).toEqual(parsed(text));
    },
  );

  it("reads a discovery file, and leaves a commented, numeric or duplicated one to the parser", () => {
    const text = "- cluster_id: store-1\n  nodes:\n    - 'http://a:1'\n    - 'it''s'\n- cluster_id: b\n  x: y\n";
    const value = [
      { cluster_id: "store-1", nodes: ["http://a:1", "it's"] },
      { cluster_id: "b", x: "y" },
    ];
    expect(simpleList(text)).toEqual(value);
    expect(readYamlDocuments("conf.d/simple.yaml", text)).toEqual({ ok: true, value: [value] });
    expect(simpleList("- cluster_id: a # c\n")).toBeUndefined();
    expect(simpleList("- cluster_id: 12\n")).toBeUndefined();
    expect(simpleList("- a: x\n  a: y\n")).toBeUndefined();
    expect(simpleList("- nodes:\n- a: b\n")).toBeUndefined();
    expect(readYamlDocuments("conf.d/dup.yaml", "- a: x\n  a: y\n").ok).toBe(false);
  });
});
