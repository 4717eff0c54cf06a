// Generated block-style configs with comments and blank lines: edits change only their own lines.
import { fc, test } from "@fast-check/vitest";
import { diffArrays } from "diff";
import { describe, expect } from "vitest";
import { parse } from "yaml";
import { appendSeqItems, removeSeqItems, setScalar } from "../../../src/edit/index.js";

const files = ["discovery", "backends", "files"];

interface Item {
  raw: string;
  value: string;
  comment: string | null;
  above: string | null;
}

interface Model {
  eol: "\n" | "\r\n";
  trailingNewline: boolean;
  header: string[];
  bind: string;
  blank: boolean;
  indentless: boolean;
  items: Item[];
  afterSeq: string | null;
}

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const commentText = fc.stringMatching(/^[a-z0-9 #:'"-]{0,16}$/);

const item: fc.Arbitrary<Item> = fc
  .record({
    name: word,
    style: fc.constantFrom("plain", "single", "double"),
    comment: fc.option(commentText, { nil: null }),
    above: fc.option(commentText, { nil: null }),
  })
  .map(({ name, style, comment, above }) => {
    const value = `conf.d/${name}.yaml`;
    const raw = style === "single" ? `'${value}'` : style === "double" ? `"${value}"` : value;
    return { raw, value, comment, above };
  });

const model = (minItems: number): fc.Arbitrary<Model> =>
  fc.record({
    eol: fc.constantFrom("\n" as const, "\r\n" as const),
    trailingNewline: fc.boolean(),
    header: fc.array(commentText, { maxLength: 2 }),
    bind: fc.constantFrom("'0.0.0.0:16016'", '"127.0.0.1:16016"', "localhost:16016"),
    blank: fc.boolean(),
    indentless: fc.boolean(),
    items: fc.array(item, { minLength: minItems, maxLength: 6 }),
    afterSeq: fc.option(commentText, { nil: null }),
  });

/** Each item's lines (comment above it, then the item) so tests can name the lines of an item. */
function itemLines(m: Model, it: Item): { above: string[]; own: string[] } {
  const ind = m.indentless ? "    " : "      ";
  return {
    above: it.above === null ? [] : [`${ind}# ${it.above}`],
    own: [`${ind}- ${it.raw}${it.comment === null ? "" : `   # ${it.comment}`}`],
  };
}

function render(m: Model, items: Item[], keepAboveOf: Item[] = []): string {
  const ind = m.indentless ? "    " : "      ";
  const lines = [
    ...m.header.map((h) => `# ${h}`),
    "api:",
    `  bind: ${m.bind}`,
    ...(m.blank ? [""] : []),
    "discovery:",
    "  backends:",
    items.length === 0 ? "    files: []" : "    files:",
    ...[...items, ...keepAboveOf]
      .sort((a, b) => m.items.indexOf(a) - m.items.indexOf(b))
      .flatMap((it) => {
        const { above, own } = itemLines(m, it);
        return items.includes(it) ? [...above, ...own] : above;
      }),
    ...(m.afterSeq === null ? [] : [`${ind}# ${m.afterSeq}`]),
    "  interval: 60",
  ];
  const text = lines.join(m.eol) + m.eol;
  return m.trailingNewline ? text : text.slice(0, -m.eol.length);
}

function changed(before: string, after: string): { removed: string[]; added: string[] } {
  const parts = diffArrays(before.split(/\r?\n/), after.split(/\r?\n/));
  return {
    removed: parts.filter((p) => p.removed).flatMap((p) => p.value),
    added: parts.filter((p) => p.added).flatMap((p) => p.value),
  };
}

const sorted = (xs: string[]) => [...xs].sort();

describe("edit properties", () => {
  test.prop([model(0), fc.array(fc.boolean(), { maxLength: 6 })])(
    "removeSeqItems deletes exactly the removed items' lines (and their comments when it empties the list)",
    (m, mask) => {
      const before = render(m, m.items);
      const drop = (i: number) => mask[i] ?? false;
      const after = removeSeqItems(before, files, (_, i) => drop(i));
      const kept = m.items.filter((_, i) => !drop(i));
      const removed = m.items.filter((_, i) => drop(i));
      if (removed.length === 0) return void expect(after).toBe(before);
      // Emptying the list takes the comments that introduced its items with them; otherwise they stay.
      expect(after).toBe(render(m, kept, kept.length === 0 ? [] : removed));
      expect(parse(after).discovery.backends.files).toEqual(kept.map((i) => i.value));
      if (kept.length > 0) {
        const diff = changed(before, after);
        expect(diff.added).toEqual([]);
        expect(sorted(diff.removed)).toEqual(sorted(removed.flatMap((it) => itemLines(m, it).own)));
      }
    },
  );

  test.prop([model(1), fc.array(item, { minLength: 1, maxLength: 3 })])(
    "appendSeqItems adds only the new item lines after the last item",
    (m, extra) => {
      const before = render(m, m.items);
      const added = extra.map((it) => ({ ...it, comment: null, above: null }));
      const after = appendSeqItems(
        before,
        files,
        added.map((it) => it.raw),
      );
      const all = { ...m, items: [...m.items, ...added] };
      expect(after).toBe(render(all, all.items));
      expect(parse(after).discovery.backends.files).toEqual(all.items.map((i) => i.value));
      const diff = changed(before, after);
      expect(diff.removed).toEqual([]);
      expect(diff.added).toEqual(added.flatMap((it) => itemLines(m, it).own));
    },
  );

  test.prop([model(0), fc.string({ maxLength: 20 })])(
    "setScalar on an existing scalar changes only its line",
    (m, value) => {
      const before = render(m, m.items);
      const after = setScalar(before, ["api", "bind"], value);
      expect(parse(after).api.bind).toBe(value);
      const diff = changed(before, after);
      if (parse(before).api.bind === value) return void expect(after).toBe(before);
      expect(diff.removed).toEqual([`  bind: ${m.bind}`]);
      expect(diff.added).toHaveLength(1);
      expect(diff.added[0]).toMatch(/^ {2}bind: /);
    },
  );

  test.prop([model(0), word, fc.string({ maxLength: 20 })])(
    "setScalar on a missing key only adds lines",
    (m, key, value) => {
      const before = render(m, m.items);
      const after = setScalar(before, ["discovery", "backends", key, "cert"], value);
      expect(parse(after).discovery.backends[key].cert).toBe(value);
      const diff = changed(before, after);
      expect(diff.removed).toEqual([]);
      expect(diff.added).toHaveLength(2);
      expect(diff.added[0]).toMatch(/^ {4}\S.*:$/);
      expect(parse(diff.added[0] ?? "")).toEqual({ [key]: null });
    },
  );
});
