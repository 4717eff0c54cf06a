import { parseAllDocuments, type Document } from "yaml";
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

/** Every document of a YAML file as plain JS, or the reasons it cannot be read. */
export function readYamlDocuments(file: string, text: string): YamlResult<unknown[]> {
  const hit = parsed.get(text) ?? refused.get(`${file}\0${text}`);
  if (hit) return hit;
  const result = parseYamlDocuments(file, text);
  if (result.ok) parsed.set(text, result);
  else refused.set(`${file}\0${text}`, result);
  return result;
}

function parseYamlDocuments(file: string, text: string): YamlResult<unknown[]> {
  const documents: unknown = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  // parseAllDocuments returns an EmptyStream (not an array) for a file with no documents.
  const list = Array.isArray(documents) ? (documents as Document.Parsed[]) : [];
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
