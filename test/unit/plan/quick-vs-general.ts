// What the quick planner's property tests share: the restart keys their repos may have, the groups, and the
// comparison of the quick path's plan with the general path's.
import { fc } from "@fast-check/vitest";
import { expect } from "vitest";
import { planMigration, type PlanResult } from "../../../src/plan/index.js";
import type { FileMap } from "../../../src/repo/index.js";
import type { MigrationRequest } from "../../../src/spec/issue.js";

export const SOURCE = "replicore-a";
export const TARGET = "replicore-b";

/** A cluster's restart key: none, in a flow map, plain, quoted with a comment, or there but off by default. */
export type Restart = "none" | "flow" | "plain" | "quoted" | "off";
export const RESTARTS: readonly Restart[] = ["none", "flow", "plain", "quoted", "off"];

/** The StatefulSet holding each kind of restart key. */
export const STATEFULSET: Record<Restart, string | undefined> = {
  none: undefined,
  off: "kind: StatefulSet\nspec:\n  template:\n    metadata:\n      annotations: {}\n",
  flow: "kind: StatefulSet\nspec:\n  template:\n    metadata:\n      annotations: {}\n",
  plain:
    "kind: StatefulSet\nspec:\n  template:\n    metadata:\n      annotations:\n        handover.replicante.io/restart: 7-old\n",
  quoted:
    "kind: StatefulSet\nspec:\n  template:\n    metadata:\n      annotations:\n        handover.replicante.io/restart: '7-old' # bumped by Handover\n",
};

/** A cluster's `restart:` line in handover.yml, when it has a restart key. */
export function restartLines(name: string, restart: Restart): string[] {
  return restart === "none"
    ? []
    : [
        `    restart: { file: clusters/${name}/statefulset.yaml, key: [spec, template, metadata, annotations, handover.replicante.io/restart] }`,
      ];
}

/** How a Core config lists its backends, and what the target has when the migration starts. */
export interface ListShape {
  indent: "nested" | "flush";
  /** Spaces after each dash. */
  gap: 1 | 3;
  /** Whether the list ends the file: no; yes, with a final line break; yes, without one. */
  listLast: "no" | "newline" | "no-newline";
  /** A line of only spaces right after the backend lists (appended items go after it). */
  spacesAfter: boolean;
  crlf: boolean;
  restart: Restart;
  /** none: prepare scaffolds it; empty, null: listed without backends; own: one of its own; clash: the first's. */
  target: "none" | "empty" | "null" | "own" | "clash";
}

/** Arbitraries of every ListShape field, to spread into a repo's record. */
export const LIST_SHAPE = {
  indent: fc.constantFrom<ListShape["indent"]>("nested", "flush"),
  gap: fc.constantFrom<ListShape["gap"]>(1, 3),
  listLast: fc.constantFrom<ListShape["listLast"]>("no", "newline", "no-newline"),
  spacesAfter: fc.boolean(),
  crlf: fc.boolean(),
  restart: fc.constantFrom(...RESTARTS),
  target: fc.constantFrom<ListShape["target"]>("none", "none", "empty", "null", "own", "clash"),
};

/** Names of one to `max` backends (a group of discovery files or endpoints each), distinct. */
export function namesArb(max = 8): fc.Arbitrary<string[]> {
  return fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 1, maxLength: max });
}

/** The groups migrationOf takes for `count` backends: each backend's group among four, or null (one group each). */
export function groupsArb(count: number): fc.Arbitrary<number[] | null> {
  return fc.option(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: count, maxLength: count }), { nil: null });
}

/** The migration of SOURCE to TARGET; `groups[i]` is the group of the backend named `ids[i]` (null: one each). */
export function migrationOf(
  version: string,
  ids: readonly string[],
  groups: readonly number[] | null,
): MigrationRequest {
  return {
    source: SOURCE,
    target: TARGET,
    version,
    notesAcknowledged: true,
    groups:
      groups === null
        ? null
        : [...new Set(groups)].sort().map((g, line) => ({
            name: `g${g}`,
            items: ids.filter((_, i) => groups[i] === g),
            line: line + 1,
          })),
  };
}

/** Everything a plan or refusal says, with each diff rendered (diffs are computed when read). */
function shown(result: PlanResult): unknown {
  return JSON.parse(JSON.stringify(result));
}

/** The quick path plans exactly what the general path plans, or refuses the same way. */
export function expectSamePlans(tree: FileMap, request: MigrationRequest): void {
  const quick = planMigration(tree, request, 42);
  const general = planMigration(tree, request, 42, [], { incremental: false });
  expect(shown(quick)).toEqual(shown(general));
}
