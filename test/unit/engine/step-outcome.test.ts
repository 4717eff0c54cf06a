// A step applied on the default branch's head: what observe shows for a step to open, computed once per head commit.
import { describe, expect, it } from "vitest";
import { stepAhead, stepOutcome } from "../../../src/engine/observe.js";
import type { GitHubPort } from "../../../src/github/port.js";
import { applyStep } from "../../../src/plan/index.js";
import { PLACEHOLDER, type FileChange } from "../../../src/repo/index.js";
import {
  changesOf,
  GATES,
  HEAD,
  hiddenWith,
  IDS,
  ISSUE,
  mergedPull,
  NOW,
  PLAN,
  prOf,
  pull,
  snapshot,
  step,
} from "./helpers.js";

const BASE_SHA = "base0000000000000000000000000000000000000";
const OTHER_SHA = "head1111111111111111111111111111111111111";

describe("stepOutcome", () => {
  it("on the tree the migration was planned on, prepare's changes are the planned ones", async () => {
    const outcome = await stepOutcome(PLAN, BASE_SHA, PLAN.context.base, step("prepare"));
    expect("changes" in outcome ? outcome.changes : outcome).toEqual(changesOf("prepare"));
  });

  it("is computed once per head commit and step: a waiting step's next reconcile takes the same outcome", async () => {
    const prepared = applyStep(PLAN.context.base, PLAN.context, step("prepare")).tree;
    const first = await stepOutcome(PLAN, OTHER_SHA, prepared, step("release-canary"));
    expect("changes" in first ? first.changes : first).toEqual(changesOf("release-canary"));
    expect(await stepOutcome(PLAN, OTHER_SHA, prepared, step("release-canary"))).toBe(first);
    // Another head commit (the default branch moved) is computed again, even on the same files.
    const again = await stepOutcome(PLAN, `${OTHER_SHA.slice(0, -1)}2`, prepared, step("release-canary"));
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it("a step that cannot be applied on the head gives the user's problem, kept the same way", async () => {
    const broken = new Map(PLAN.context.base);
    broken.set(".github/handover.yml", "version: [");
    const first = await stepOutcome(PLAN, "broken", broken, step("release-canary"));
    expect(first).toEqual({
      problems: [
        ".github/handover.yml:1:11: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    });
    expect(await stepOutcome(PLAN, "broken", broken, step("release-canary"))).toBe(first);
  });
});

describe("stepAhead: the step after a running gate, applied on the head before its reconcile", () => {
  const prepared = applyStep(PLAN.context.base, PLAN.context, step("prepare")).tree;
  const holding = (held: Map<string, string> | undefined) => ({
    port: { heldTree: (sha: string) => (sha === HEAD ? held : undefined) } as unknown as GitHubPort,
  });
  const merged = { pr: mergedPull("prepare"), gate: GATES.soaking };

  it.each([
    ["soaking", GATES.soaking],
    ["pending", GATES.pending],
  ])(
    "a gate %s: the next step's outcome on the head, which the reconcile that opens it then finds",
    async (_state, gate) => {
      const hidden = hiddenWith({ steps: { prepare: { pr: prOf("prepare"), mergeSha: "m1", mergedAt: NOW } } });
      const ahead = stepAhead(holding(prepared), snapshot(hidden, { prepare: { ...merged, gate } }), PLAN);
      const outcome = await ahead?.();
      expect(outcome && "changes" in outcome ? outcome.changes : outcome).toEqual(changesOf("release-canary"));
      // A head sha of its own: this test's outcome is not one another test computed.
      expect(await stepOutcome(PLAN, HEAD, prepared, step("release-canary"))).toBe(outcome);
    },
  );

  it("writes the next step's commit too, once, when the invariant holds after it; not on a tree it would refuse", async () => {
    // The operator filled the prepare scaffold in: release-canary applies without a violation.
    const filled = new Map([...prepared].map(([path, text]) => [path, text.replaceAll(PLACEHOLDER, "deps.internal")]));
    const made: [string, FileChange[], string][] = [];
    // Heads of this test's own: outcomes are kept by head commit, and other tests computed some on HEAD.
    const filledHead = "fill".repeat(10);
    const unfilledHead = "unfl".repeat(10);
    const writing = (held: Map<string, string>, head: string) => ({
      port: {
        heldTree: (sha: string) => (sha === head ? held : undefined),
        createCommit: async (parent: string, changes: FileChange[], message: string) => {
          made.push([parent, changes, message]);
          return "ahead";
        },
      } as unknown as GitHubPort,
    });
    const hidden = hiddenWith({ steps: { prepare: { pr: prOf("prepare"), mergeSha: "m1", mergedAt: NOW } } });
    const views = { prepare: { ...merged, gate: GATES.soaking } };
    const on = (head: string) => ({ ...snapshot(hidden, views), headSha: head });
    const outcome = await stepAhead(writing(filled, filledHead), on(filledHead), PLAN)?.();
    expect(outcome && "trees" in outcome ? outcome.trees.violations : outcome).toEqual([]);
    const canary = step("release-canary");
    expect(made).toEqual([
      [
        filledHead,
        changesOf("release-canary"),
        `${canary.title}\n\nStep release-canary of Handover migration #${ISSUE}.\nCommitter: Handover`,
      ],
    ]);
    // The same changes (the outcome kept for this head) go to the port, whose memory makes them one commit.
    expect(made[0]?.[1]).toBe(outcome && "changes" in outcome ? outcome.changes : undefined);
    // The scaffold left as it was: the step would be refused, so nothing is written.
    made.length = 0;
    const unfilled = await stepAhead(writing(prepared, unfilledHead), on(unfilledHead), PLAN)?.();
    expect(unfilled && "trees" in unfilled ? unfilled.trees.violations.length : 0).toBeGreaterThan(0);
    expect(made).toEqual([]);
  });

  it.each([
    ["the gate passed (the step opens in this reconcile)", { prepare: { ...merged, gate: GATES.passed } }, prepared],
    ["the gate failed", { prepare: { ...merged, gate: GATES.failed } }, prepared],
    ["no gate runs (a step open for review)", { prepare: { pr: pull("prepare") } }, prepared],
    ["the head's files are not in memory (nothing is read for it)", { prepare: merged }, undefined],
    ["the gate before the last step: nothing after it", { [IDS.at(-1) as string]: merged }, prepared],
  ])("nothing to do when %s", (_name, views, held) => {
    expect(stepAhead(holding(held), snapshot(hiddenWith(), views), PLAN)).toBeUndefined();
  });
});
