// Variants of a corpus file that must read as the same value: other line endings, a byte order mark, tabs as
// separators, long lines and Unicode. A variant that does not read the same is dropped (it is a different file).
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments } from "yaml";

export type VariantName = "original" | "crlf" | "bom" | "tabs" | "long-lines" | "unicode";
export const VARIANTS: readonly VariantName[] = ["original", "crlf", "bom", "tabs", "long-lines", "unicode"];

const LONG = ` # ${"long line, ".repeat(30)}end`;

const transforms: Record<VariantName, (text: string) => string> = {
  original: (text) => text,
  crlf: (text) => text.replace(/\r?\n/g, "\r\n"),
  bom: (text) => `\uFEFF${text}`,
  // A tab after `key:` and before a trailing comment, where YAML allows one as separation.
  tabs: (text) => text.replace(/^([ ]*[A-Za-z_][\w.-]*):[ ](?=[^\s#|>])/gm, "$1:\t").replace(/[ ]+#(?= )/g, "\t#"),
  // A long comment after every plain `key: value` line.
  "long-lines": (text) => text.replace(/^([ ]*[A-Za-z_][\w.-]*: [\w./:-]+)$/gm, `$1${LONG}`),
  unicode: (text) => `# Ünïcødé ✓ 日本語 🚀 — ${"\u00e9"}\n${text.replace(/^([ ]*#)(.*)$/gm, "$1 ✓ ü 🚀$2")}`,
};

/**
 * The JS values of every document, or undefined when the text has errors. A leading byte order mark is dropped
 * first: the yaml package misreads one right before a root block sequence (`\uFEFF- a`).
 */
export function valuesOf(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text.replace(/^\uFEFF/, ""));
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  try {
    return docs.map((d) => plain(d.toJS({ maxAliasCount: -1 }) ?? null));
  } catch {
    return undefined;
  }
}

/** `!!omap` and `!!set` read as Map and Set: compare them as the plain objects they are written as. */
export function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (value instanceof Set) return Object.fromEntries([...value].map((k) => [String(k), null]));
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The named variant of text, or undefined when it does not read as the same value or is the same text. */
export function variant(text: string, name: VariantName): string | undefined {
  const out = transforms[name](text);
  if (name === "original") return out;
  if (out === text) return undefined;
  const before = valuesOf(text);
  const after = valuesOf(out);
  return before && after && isDeepStrictEqual(before, after) ? out : undefined;
}
