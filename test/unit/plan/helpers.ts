// Shared helpers for the plan tests: fixture repos, migration issues, and walking a plan step by step.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { diffLines } from "diff";
import { parseAllDocuments } from "yaml";
import { planMigration, type Plan, type PlannedStep } from "../../../src/plan/index.js";
import { readDirTree } from "../../../src/cli/disk.js";
import type { FileChange, FileMap } from "../../../src/repo/index.js";
import type { Violation } from "../../../src/spec/violation.js";
import { formBody, parseIssueBody, type MigrationRequest } from "../../../src/spec/issue.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/repos/", import.meta.url));

/** A fixture repo under test/fixtures/repos as an in-memory tree. */
export function fixture(name: string): Promise<Map<string, string>> {
  return readDirTree(join(FIXTURES, name));
}

/** The request of a rendered migration issue (groups: one `name: ids` per line, or none). */
export function request(source: string, target: string, version: string, groups?: string): MigrationRequest {
  const body = formBody({ source, target, version, groups });
  const parsed = parseIssueBody(body);
  if (!parsed.ok) throw new Error(`test issue does not parse: ${parsed.problems.join("; ")}`);
  return parsed.request;
}

/** planMigration that must succeed. */
/** planMigration's answer when `step`'s tree would break the invariant with `violations`. */
export function refusedAt(step: string, violations: Violation[]) {
  return { ok: false, kind: "invariant", step, violations };
}

export function planOk(tree: FileMap, req: MigrationRequest, issue = 42): Plan {
  const result = planMigration(tree, req, issue);
  if (!result.ok) throw new Error(`plan failed: ${JSON.stringify(result, null, 2)}`);
  return result.plan;
}

/** Trees before the first step and after each step, in order (index i + 1 is the tree after step i). */
export function walk(tree: FileMap, plan: Plan): Map<string, string>[] {
  const trees: Map<string, string>[] = [new Map(tree)];
  for (const step of plan.steps) trees.push(applyChanges(trees[trees.length - 1] as FileMap, step.changes));
  return trees;
}

export function stepNamed(plan: Plan, id: string): PlannedStep {
  const step = plan.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in ${plan.steps.map((s) => s.id).join(", ")}`);
  return step;
}

/** The tree after step `id` (all steps up to and including it applied). */
export function treeAfter(tree: FileMap, plan: Plan, id: string): Map<string, string> {
  const index = plan.steps.findIndex((s) => s.id === id);
  if (index < 0) throw new Error(`no step ${id}`);
  return walk(tree, plan)[index + 1] as Map<string, string>;
}

/** `[action, path]` of a step's changes, in the order the plan lists them. */
export function actions(step: PlannedStep): [string, string][] {
  return step.changes.map((c) => [c.action, c.path]);
}

/** Value at key path in document `doc` of a YAML text. */
export function valueAt(text: string, key: (string | number)[], doc = 0): unknown {
  const documents = parseAllDocuments(text);
  const document = Array.isArray(documents) ? documents[doc] : undefined;
  if (!document) throw new Error(`no document ${doc}`);
  return getIn(document.toJS(), key);
}

function getIn(value: unknown, key: (string | number)[]): unknown {
  let node = value;
  for (const k of key) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[k];
  }
  return node;
}

/** Lines removed from `before` and lines added in `after`, by a line diff. */
export function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, "").split("\n");
    if (part.removed) removed.push(...lines);
    else if (part.added) added.push(...lines);
  }
  return { removed, added };
}

/** Replace each `from` (which must occur exactly once) with `to`: an exact hand-written edit of a text. */
export function edit(text: string, replacements: [string, string][]): string {
  let out = text;
  for (const [from, to] of replacements) {
    const count = out.split(from).length - 1;
    if (count !== 1) throw new Error(`test edit: ${JSON.stringify(from)} occurs ${count} times`);
    out = out.replace(from, () => to);
  }
  return out;
}

/** The tree after changes, without touching the input. */
function applyChanges(tree: FileMap, changes: readonly FileChange[]): Map<string, string> {
  const next = new Map(tree);
  for (const change of changes) {
    if (change.content === null) next.delete(change.path);
    else next.set(change.path, change.content);
  }
  return next;
}

/** Runs work that yields to its end: what it gives, and how many times it let the event loop through. */
export function pieces<T>(work: Generator<void, T>): { value: T; yields: number } {
  let yields = 0;
  for (;;) {
    const next = work.next();
    if (next.done) return { value: next.value, yields };
    yields++;
  }
}
