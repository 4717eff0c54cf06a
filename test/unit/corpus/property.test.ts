// The corpus checks over generated YAML: anchors and aliases, tags, flow and block collections, comments on every
// kind of line; every primitive, seeded random targets, plain and CRLF, with or without a byte order mark.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { runOp } from "../../../src/corpus/check.js";
import { OP_KINDS, parseForTargets, randomOp, targetsOf } from "../../../src/corpus/ops.js";
import { seeded } from "../../../src/corpus/random.js";
import { valuesOf } from "../../../src/corpus/variants.js";
import * as engine from "../../../src/edit/index.js";

type Node =
  | { kind: "scalar"; text: string }
  | { kind: "map"; flow: boolean; entries: { key: string; value: Node; comment: string | null; above: boolean }[] }
  | { kind: "seq"; flow: boolean; items: { value: Node; comment: string | null; above: boolean }[] };

const scalar = fc
  .constantFrom(
    "plain",
    "'single quoted'",
    '"double # not a comment"',
    "42",
    "yes",
    "~",
    "!!str 7",
    "!!int 3",
    "&a1 anchored",
    "&a2 other",
    "*a1",
    "*a2",
    "ünï ✓",
    "a long value with spaces",
  )
  .map((text): Node => ({ kind: "scalar", text }));
const key = fc.constantFrom("name", "url", "files", "spec", "a", "b-c", "'quoted key'", "x.y");
const comment = fc.option(fc.constantFrom("note", "# twice", "ünï", "key: value"), { nil: null });

const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc
      .record({
        flow: fc.boolean(),
        entries: fc.uniqueArray(fc.record({ key, value: tie("node"), comment, above: fc.boolean() }), {
          maxLength: 4,
          selector: (e) => e.key,
        }),
      })
      .map((m): Node => ({ kind: "map", ...m })),
    fc
      .record({
        flow: fc.boolean(),
        items: fc.array(fc.record({ value: tie("node"), comment, above: fc.boolean() }), { maxLength: 4 }),
      })
      .map((s): Node => ({ kind: "seq", ...s })),
  ),
})).node;

function flowText(n: Node): string {
  if (n.kind === "scalar") return n.text;
  if (n.kind === "map") return `{${n.entries.map((e) => `${e.key}: ${flowText(e.value)}`).join(", ")}}`;
  return `[${n.items.map((i) => flowText(i.value)).join(", ")}]`;
}

const isBlock = (n: Node) =>
  n.kind !== "scalar" && !n.flow && (n.kind === "map" ? n.entries.length : n.items.length) > 0;

/** Block lines for n at indent; every comment is on its own line above an entry or after its value. */
function render(n: Node, indent: number): string[] {
  const pad = " ".repeat(indent);
  const tail = (c: string | null) => (c === null ? "" : `  # ${c}`);
  if (!isBlock(n)) return [`${pad}${flowText(n)}`];
  if (n.kind === "map") {
    return n.entries.flatMap((e) => [
      ...(e.above ? [`${pad}# about ${e.key}`] : []),
      ...(isBlock(e.value)
        ? [`${pad}${e.key}:${tail(e.comment)}`, ...render(e.value, indent + 2)]
        : [`${pad}${e.key}: ${flowText(e.value)}${tail(e.comment)}`]),
    ]);
  }
  if (n.kind === "scalar") return [];
  return n.items.flatMap((i) => [
    ...(i.above ? [`${pad}# an item`] : []),
    ...(isBlock(i.value)
      ? [`${pad}-${tail(i.comment)}`, ...render(i.value, indent + 2)]
      : [`${pad}- ${flowText(i.value)}${tail(i.comment)}`]),
  ]);
}

describe("generated YAML", () => {
  test.prop(
    [node, fc.constantFrom("\n", "\r\n"), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 })],
    { numRuns: 40 },
  )("every primitive keeps the four promises", (root, eol, bom, finalNewline, seed) => {
    const body = ["# generated", ...render(root, 0)].join(eol);
    const text = `${bom ? "\uFEFF" : ""}${body}${finalNewline ? eol : ""}`;
    const docs = parseForTargets(text);
    // An alias before its anchor, or a duplicate key: not a file anyone has.
    fc.pre(docs !== undefined && valuesOf(text) !== undefined);
    const targets = targetsOf(docs ?? []);
    const rng = seeded(seed);
    const copies = (doc: number, path: readonly (string | number)[]) => {
      try {
        return engine.readSeqItems(text, path, doc).map((i) => i.raw);
      } catch {
        return [];
      }
    };
    for (const kind of OP_KINDS) {
      const op = randomOp(kind, text, targets, rng, copies);
      if (!op) continue;
      const outcome = runOp(engine, text, op);
      expect(
        ["pass", "refused"],
        `${JSON.stringify(op)} on ${JSON.stringify(text)}: ${JSON.stringify(outcome)}`,
      ).toContain(outcome.kind);
    }
  });
});
