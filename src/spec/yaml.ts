import {
  Composer,
  Lexer,
  Parser,
  parseAllDocuments,
  type Document,
  type DocumentOptions,
  type ParseOptions,
} from "yaml";
import { isDeepStrictEqual } from "node:util";
import { LruCache, MEMO_CHARS } from "./lru.js";
import { TextMemo } from "./memo.js";

/** Aliases allowed in one file: enough for real configs, far too few for a billion-laughs bomb. */
const MAX_ALIAS_COUNT = 50;

export type YamlResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function docProblems(file: string, doc: Document.Parsed): string[] {
  return doc.errors.map((err) => {
    const pos = err.linePos?.[0];
    const where = pos ? `:${pos.line}:${pos.col}` : "";
    return `${file}${where}: malformed YAML: ${(err.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`;
  });
}

/**
 * Parsing is a pure function of (file, text), and planning re-reads the same unchanged files at every step:
 * results are memoized (bounded). A text that parses does so whatever its path (only problems name the file), so a
 * copy of a file (what an adopt step writes) is read from the original's parse. Callers treat the values as read-only.
 */
const parsed = new TextMemo<YamlResult<unknown[]>>(20_000, 4_000_000);
const refused = new TextMemo<YamlResult<unknown[]>>(2_000, 1_000_000);

/**
 * Documents parsed with their source tokens, by text, for the last few texts: what the edit code reads offsets from.
 * A long file parsed ahead for a plan lands here too, so the plan's edits of it do not parse it a second time.
 */
export const sourceDocuments = new LruCache<string, Document.Parsed[]>(16, (text) => text.length, MEMO_CHARS);

/** Every document of a YAML file as plain JS, or the reasons it cannot be read. */
export function readYamlDocuments(file: string, text: string): YamlResult<unknown[]> {
  const hit = parsed.get(text) ?? refused.get(`${file}\0${text}`);
  if (hit) return hit;
  // A text an edit just made was parsed to verify it (with the same options, and its source tokens besides): a load of
  // the tree holding it reads the values from those documents instead of parsing it again.
  const edited = sourceDocuments.get(text);
  const result = edited ? valuesOf(file, edited) : parseYamlDocuments(file, text);
  if (result.ok) parsed.set(text, result);
  else refused.set(`${file}\0${text}`, result);
  return result;
}

/**
 * Whether two texts of a file hold the same values, however commented or laid out: a reviewer's comment line in a
 * whole object Handover writes does not make it another object. Texts that do not parse, and files that are not YAML,
 * are the same only when equal.
 */
export function sameYamlValues(file: string, a: string, b: string): boolean {
  if (a === b) return true;
  if (!/\.ya?ml$/.test(file)) return false;
  const [x, y] = [readYamlDocuments(file, a), readYamlDocuments(file, b)];
  return x.ok && y.ok && isDeepStrictEqual(x.value, y.value);
}

/** Texts longer than this are parsed in pieces ahead of a plan. */
export const PIECEWISE_CHARS = 8_000;

/**
 * readYamlDocuments as work that yields while a long text is parsed (a 1,000-line config takes tens of ms). A text
 * already parsed, or made by an edit that parsed it to verify it (each step of a plan's general path), is read at once.
 */
export function* readingYamlDocuments(file: string, text: string): Generator<void, YamlResult<unknown[]>> {
  const values = parsed.get(text);
  const edited = values ? undefined : sourceDocuments.get(text);
  if (text.length <= PIECEWISE_CHARS || values || edited || simpleList(text) !== undefined) {
    // Documents an edit parsed, not yet turned into values: that alone takes tens of ms for a long text.
    if (edited && text.length > PIECEWISE_CHARS) yield;
    return readYamlDocuments(file, text);
  }
  const docs = yield* parsingDocuments(text, { uniqueKeys: true, keepSourceTokens: true });
  if (!docs) return readYamlDocuments(file, text);
  sourceDocuments.set(text, docs);
  // Composing a long document and turning it into values each take tens of ms: not in one piece.
  yield;
  const result = valuesOf(file, docs);
  if (result.ok) parsed.set(text, result);
  return result;
}

/** Lexemes read between two yields of a parse in pieces. */
const LEXEMES_PER_PIECE = 500;

/**
 * parseAllDocuments as work that yields every 500 lexemes: the same documents, for a text that parses
 * without an error or a warning; undefined for any other (the caller parses it at once, for the messages).
 */
export function* parsingDocuments(
  text: string,
  options: ParseOptions & DocumentOptions,
): Generator<void, Document.Parsed[] | undefined> {
  const parser = new Parser();
  const composer = new Composer(options);
  const docs: Document.Parsed[] = [];
  let lexemes = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) docs.push(...(composer.next(token) as Iterable<Document.Parsed>));
    if (++lexemes % LEXEMES_PER_PIECE === 0) yield;
  }
  // A document is composed when its end is read (at the end of the text for the last one): a long one apart.
  if (lexemes >= LEXEMES_PER_PIECE) yield;
  for (const token of parser.end()) docs.push(...(composer.next(token) as Iterable<Document.Parsed>));
  docs.push(...(composer.end() as Iterable<Document.Parsed>));
  return clean(docs) ? docs : undefined;
}

/** Documents the edit code may read offsets from: at least one, none with an error or a warning. */
function clean(docs: readonly Document.Parsed[]): boolean {
  return docs.length > 0 && docs.every((d) => d.errors.length === 0 && d.warnings.length === 0);
}

function parseYamlDocuments(file: string, text: string): YamlResult<unknown[]> {
  const simple = simpleList(text) ?? simpleObject(text);
  if (simple !== undefined) return { ok: true, value: [simple] };
  // A long text (a Core config listing many backends) is parsed with its source tokens and kept for the edit code,
  // which reads the same text's list items next: one parse instead of two.
  const long = text.length > PIECEWISE_CHARS;
  const documents: unknown = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, keepSourceTokens: long });
  // parseAllDocuments returns an EmptyStream (not an array) for a file with no documents.
  const list = Array.isArray(documents) ? (documents as Document.Parsed[]) : [];
  if (long && clean(list)) sourceDocuments.set(text, list);
  return valuesOf(file, list);
}

function valuesOf(file: string, list: Document.Parsed[]): YamlResult<unknown[]> {
  const problems = list.flatMap((doc) => docProblems(file, doc));
  if (problems.length) return { ok: false, problems };
  try {
    return { ok: true, value: list.map((doc) => doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })) };
  } catch (err) {
    return { ok: false, problems: [`${file}: YAML rejected: ${(err as Error).message}`] };
  }
}

/** The single (or first) document of a YAML file as plain JS. */
export function readYaml(file: string, text: string, document = 0): YamlResult<unknown> {
  const all = readYamlDocuments(file, text);
  if (!all.ok) return all;
  if (document >= all.value.length && !(document === 0 && all.value.length === 0)) {
    return {
      ok: false,
      problems: [`${file}: has ${all.value.length} YAML document(s); document ${document} does not exist`],
    };
  }
  return { ok: true, value: all.value[document] ?? null };
}

/** A key of the simple shape: lower-case, so never a number, a bool, a null, nor `__proto__`. */
const SIMPLE_KEY = /^[a-z][a-z0-9_]*$/;
/** A plain scalar that YAML 1.2's core schema reads as a string: starts with a letter, no spaces, quotes nor `:`. */
const SIMPLE_PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const NOT_STRINGS = new Set(["true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"]);
/** A single-quoted scalar of printable ASCII (`''` is a quote). */
const SIMPLE_QUOTED = /^'((?:[\x20-\x26\x28-\x7e]|'')*)'$/;
const ITEM_PAIR = /^- ([a-z][a-z0-9_]*):(?: (.+))?$/;
const PAIR = /^ {2}([a-z][a-z0-9_]*):(?: (.+))?$/;
const NESTED_ITEM = /^ {4}- (.+)$/;

function simpleScalar(raw: string): string | undefined {
  if (SIMPLE_PLAIN.test(raw)) return NOT_STRINGS.has(raw) ? undefined : raw;
  const quoted = SIMPLE_QUOTED.exec(raw);
  return quoted ? (quoted[1] ?? "").replaceAll("''", "'") : undefined;
}

/**
 * The value of a file in the one shape discovery files are written in: a block list of maps (`- key: value`, keys
 * two spaces in), whose values are plain or single-quoted strings or block lists of them (four spaces in), every
 * line ending in `\n`; read line by line, as the YAML parser reads it. Undefined for anything else (a comment, a
 * blank line, a number, a duplicate key...), which the parser then reads. A repo lists a thousand such files, and the
 * parser takes a tenth of a millisecond for each.
 */
export function simpleList(text: string): unknown[] | undefined {
  if (!text.endsWith("\n") || !text.startsWith("- ")) return undefined;
  const lines = text.split("\n");
  lines.pop();
  const items: Record<string, unknown>[] = [];
  let item: Record<string, unknown> | undefined;
  let nested: string[] | undefined;
  for (const line of lines) {
    const inner = NESTED_ITEM.exec(line);
    if (inner) {
      const value = simpleScalar(inner[1] ?? "");
      if (!nested || value === undefined) return undefined;
      nested.push(value);
      continue;
    }
    if (nested?.length === 0) return undefined; // a key with no value: null, left to the parser
    nested = undefined;
    const first = ITEM_PAIR.exec(line);
    const pair = first ?? PAIR.exec(line);
    if (!pair) return undefined;
    if (first) {
      item = {};
      items.push(item);
    }
    const key = pair[1] ?? "";
    if (!item || !SIMPLE_KEY.test(key) || Object.hasOwn(item, key)) return undefined;
    if (pair[2] === undefined) {
      nested = [];
      item[key] = nested;
      continue;
    }
    const value = simpleScalar(pair[2]);
    if (value === undefined) return undefined;
    item[key] = value;
  }
  return nested?.length === 0 || items.length === 0 ? undefined : items;
}

/** A key of an object's shape (`apiVersion`, `namespace`): a letter, then letters, digits or `_`. */
const OBJECT_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
/** A double-quoted scalar of printable ASCII with no escape. */
const SIMPLE_DOUBLE_QUOTED = /^"([\x20\x21\x23-\x5b\x5d-\x7e]*)"$/;
/** A decimal integer YAML's core schema reads as that number (no sign, no leading zero, below 2^53). */
const SIMPLE_INT = /^(?:0|[1-9][0-9]{0,14})$/;
/** `key: value` or `key:` (a map follows, two spaces further in), at any indent. */
export const OBJECT_LINE = /^( *)([^ :]+):(?: (.+))?$/;
/** A line the parser skips: blank, or only a comment. */
export const SKIPPED_LINE = /^ *(?:#.*)?$/;

function objectScalar(raw: string): unknown {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (SIMPLE_INT.test(raw)) return Number(raw);
  const quoted = SIMPLE_DOUBLE_QUOTED.exec(raw);
  return quoted ? quoted[1] : simpleScalar(raw);
}

/**
 * The value of a file in the shape Replicante's apply objects are written in (a DiscoverySettings file): a block map
 * of maps, each two spaces further in, whose values are plain, single- or double-quoted strings, `true`, `false` or
 * decimal integers, every line ending in `\n`, with whole-line comments and blank lines between; read line by line,
 * as the YAML parser reads it. Undefined for anything else (a list, a trailing comment, a duplicate key, a document
 * marker...), which the parser then reads. A settings folder holds a file per backend, and the parser takes a fifth of
 * a millisecond for each.
 */
export function simpleObject(text: string): Record<string, unknown> | undefined {
  if (!text.endsWith("\n") || text.includes("\r") || text.includes("\t")) return undefined;
  const lines = text.split("\n");
  lines.pop();
  const root: Record<string, unknown> = {};
  // The maps open at each depth; a map opened by `key:` must get a key on the next line read.
  const open: Record<string, unknown>[] = [root];
  let empty = false;
  for (const line of lines) {
    if (SKIPPED_LINE.test(line)) continue;
    const pair = OBJECT_LINE.exec(line);
    const indent = pair?.[1]?.length ?? -1;
    const key = pair?.[2] ?? "";
    const depth = indent / 2;
    if (!pair || !Number.isInteger(depth) || depth >= open.length || (empty && depth !== open.length - 1)) {
      return undefined;
    }
    if (!OBJECT_KEY.test(key) || NOT_STRINGS.has(key)) return undefined;
    open.length = depth + 1;
    const map = open[depth] as Record<string, unknown>;
    if (Object.hasOwn(map, key)) return undefined;
    if (pair[3] === undefined) {
      const inner: Record<string, unknown> = {};
      map[key] = inner;
      open.push(inner);
      empty = true;
      continue;
    }
    const value = objectScalar(pair[3]);
    if (value === undefined) return undefined;
    map[key] = value;
    empty = false;
  }
  return empty || Object.keys(root).length === 0 ? undefined : root;
}
