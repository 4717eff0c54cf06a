// Writing a string as a YAML scalar: plain when that reads back as the same string under
// both YAML 1.2 and 1.1 rules (so `yes`, `0x1F`, `1_000` are quoted), quoted otherwise.
import { isMap, isScalar, isSeq, parseDocument } from "yaml";

export type QuoteStyle = "plain" | "single" | "double";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

function readsBack(source: string, pick: (contents: unknown) => unknown, value: string): boolean {
  for (const version of ["1.2", "1.1"] as const) {
    const doc = parseDocument(source, { version, uniqueKeys: false });
    if (doc.errors.length || doc.warnings.length) return false;
    const got = pick(doc.contents);
    if (!isScalar(got) || got.type !== "PLAIN" || got.value !== value) return false;
  }
  return true;
}

/**
 * Words joined by dashes with a letter that no YAML 1.1 or 1.2 number, boolean, null or timestamp contains (a sign
 * only leads, an exponent is `e`, hex digits stop at `f`, a timestamp needs `:`): a plain string in every schema and
 * position, known without parsing (restart values such as `42-release-canary`, or an http-era step's
 * `42-release-https---inventory-corp-8443`, are set at every step).
 */
const PLAIN_WORDS = /^[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)+$/;
const WORD_LETTER = /[g-wyzG-WYZ]/;

/** True when value can be written unquoted as a map value or key (and, when inFlow, inside [ ]). */
export function plainSafe(value: string, inFlow: boolean): boolean {
  if (PLAIN_WORDS.test(value) && WORD_LETTER.test(value)) return true;
  if (value === "" || value.trim() !== value || CONTROL.test(value) || value.includes("#")) return false;
  const asValue = (c: unknown) => (isMap(c) ? c.items[0]?.value : undefined);
  const asKey = (c: unknown) => (isMap(c) ? c.items[0]?.key : undefined);
  const asItem = (c: unknown) => (isSeq(c) && c.items.length === 1 ? c.items[0] : undefined);
  return (
    readsBack(`k: ${value}\n`, asValue, value) &&
    readsBack(`${value}: k\n`, asKey, value) &&
    (!inFlow || readsBack(`[${value}]\n`, asItem, value))
  );
}

/** YAML source for value: the preferred style when it can hold value, double quotes otherwise. */
export function formatScalar(value: string, preferred: QuoteStyle, inFlow: boolean): string {
  if (preferred === "plain" && plainSafe(value, inFlow)) return value;
  if (preferred === "single" && !CONTROL.test(value)) return `'${value.replaceAll("'", "''")}'`;
  return JSON.stringify(value);
}

/** The quote style of an existing scalar node type. */
export function styleOf(type: string | undefined): QuoteStyle {
  if (type === "QUOTE_SINGLE") return "single";
  if (type === "QUOTE_DOUBLE") return "double";
  return "plain";
}
