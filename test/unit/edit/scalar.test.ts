// plainSafe's shortcut for words joined by dashes must say what parsing says: a plain string in YAML 1.1 and 1.2, as a
// value, a key and a flow item.
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { formatScalar } from "../../../src/edit/scalar.js";

function readsAsPlainString(source: string, pick: (contents: unknown) => unknown, value: string): boolean {
  return (["1.1", "1.2"] as const).every((version) => {
    const doc = parseDocument(source, { version });
    const node = pick(doc.contents);
    return doc.errors.length === 0 && isScalar(node) && node.type === "PLAIN" && node.value === value;
  });
}

const words = fc
  .stringMatching(/^[A-Za-z0-9]{1,4}(-{1,3}[A-Za-z0-9]{1,4}){1,3}$/)
  .filter((s) => /[g-wyzG-WYZ]/.test(s));

describe("formatScalar of hyphenated words", () => {
  test.prop([words, fc.boolean()])(
    "writes them plain only where they read back as the same string",
    (value, inFlow) => {
      const asValue = (c: unknown) => (isMap(c) ? c.items[0]?.value : undefined);
      const asKey = (c: unknown) => (isMap(c) ? c.items[0]?.key : undefined);
      const asItem = (c: unknown) => (isSeq(c) ? c.items[0] : undefined);
      expect(formatScalar(value, "plain", inFlow)).toBe(value);
      expect(readsAsPlainString(`k: ${value}\n`, asValue, value)).toBe(true);
      expect(readsAsPlainString(`${value}: k\n`, asKey, value)).toBe(true);
      expect(readsAsPlainString(`[${value}]\n`, asItem, value)).toBe(true);
    },
  );

  it("still quotes words that read as numbers, booleans or dates", () => {
    expect(["1e-5", "2001-12-14", "0x1F", "yes", "1-2"].map((v) => formatScalar(v, "plain", false))).toEqual([
      '"1e-5"',
      '"2001-12-14"',
      '"0x1F"',
      '"yes"',
      "1-2",
    ]);
  });
});
