import type { z } from "zod";

/** Input the user must fix: one line per problem, each naming the file, the field and the value. */
export class InputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "InputError";
  }
}

/** `a.b[0].c` from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** The value at a path of keys and indexes, undefined where the path leaves the objects. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** A short rendering of a user value for an error line. */
export function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A union whose options are a keyword and a list (`health: none` or checks): when only one option has the right shape,
 * its own issues say what is wrong, deeper and more precisely than "expected one of".
 */
function expandUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || !issue.errors?.length) return [issue];
  const shapeOnly = (branch: z.core.$ZodIssue[]) =>
    branch.length === 1 && branch[0]?.path.length === 0 && ["invalid_type", "invalid_value"].includes(branch[0].code);
  const candidates = issue.errors.filter((branch) => !shapeOnly(branch));
  if (candidates.length !== 1) return [issue];
  return (candidates[0] ?? []).flatMap((inner) => expandUnion({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** One line per zod issue: `FILE: FIELD: VALUE: MESSAGE`. */
export function formatZodIssues(file: string, issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap(expandUnion).map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const where = issue.path.length ? `${fieldPath(issue.path)}: ` : "";
      return `${file}: ${where}unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (a typo must not silently turn a setting off)`;
    }
    if (issue.code === "invalid_key") {
      // zod puts the record key at the end of the path; the value at that path is the entry, not the key.
      const key = issue.path[issue.path.length - 1];
      const parent = fieldPath(issue.path.slice(0, -1)) || "(top level)";
      return `${file}: ${parent}: key ${show(String(key))}: ${issue.issues.map((i) => i.message).join("; ")}`;
    }
    const field = fieldPath(issue.path) || "(top level)";
    const value = valueAt(input, issue.path);
    if (value === undefined) return `${file}: ${field}: is required (${issue.message})`;
    return `${file}: ${field}: ${show(value)}: ${issue.message}`;
  });
}
