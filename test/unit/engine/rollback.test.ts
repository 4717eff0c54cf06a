import { describe, expect, it } from "vitest";
import { decide } from "../../../src/engine/decide.js";
import type { Snapshot } from "../../../src/engine/types.js";
import { rollbackStep } from "../../../src/engine/observe.js";
import type { StepView } from "../../../src/engine/types.js";
import type { HiddenState } from "../../../src/engine/state.js";
import type { Violation } from "../../../src/spec/violation.js";
import {
  GATES,
  HEAD,
  ISSUE,
  MIN,
  NOW,
  changesOf,
  doneBefore,
  hiddenWith,
  mergedPull,
  prOf,
  pull,
  snapshot,
  step,
} from "./helpers.js";

// Rolling back adopt-canary (merged, gate passed) while release-wave-1's PR is open.
const TARGET = step("adopt-canary");
const RB = rollbackStep(TARGET, ISSUE, 1);
const DONE = doneBefore("release-wave-1");
const MAYA = { step: "adopt-canary", attempt: 1, by: "maya", at: NOW - MIN };
const BASE_HIDDEN: HiddenState = hiddenWith({ steps: DONE, rollback: MAYA });

function rollbackSnapshot(hidden: HiddenState, view: Omit<StepView, "step">, nextPrOpen = true): Snapshot {
  const base = snapshot(hidden, nextPrOpen ? { "release-wave-1": { pr: pull("release-wave-1") } } : {});
  return { ...base, rollback: { of: TARGET, view: { step: RB, ...view } } };
}

const CLOSE_NEXT = {
  kind: "close",
  step: step("release-wave-1"),
  pr: prOf("release-wave-1"),
  why: { kind: "rolling-back", by: "maya", step: "adopt-canary" },
} as const;

describe("decide: a rollback in progress", () => {
  it("the synthetic step has its own branch, title and the reverted step's gate", () => {
    expect([RB.id, RB.branch, RB.title, RB.cluster, RB.gate]).toEqual([
      "rollback-adopt-canary-1",
      `handover/${ISSUE}/rollback-adopt-canary-1`,
      `[handover #${ISSUE}] Roll back adopt-canary (${TARGET.summary})`,
      TARGET.cluster,
      TARGET.gate,
    ]);
  });

  it("aborted while the revert PR is under review: the revert PR is closed like a step PR, saying who aborted", () => {
    const aborted = { ...BASE_HIDDEN, aborted: { by: "alice", at: NOW, reason: "wrong target" } };
    const revert = pull(RB.id, { headSha: "revert1" });
    const decision = decide(rollbackSnapshot(aborted, { pr: revert }, false));
    expect(decision.actions).toEqual([
      { kind: "close", step: RB, pr: revert.number, why: { kind: "aborted", by: "alice", reason: "wrong target" } },
    ]);
    expect(decision.phase.label).toBe("handover:aborted");
  });

  it("no PR yet: closes the later step's open PR and opens the revert PR; the close counts once it is seen", () => {
    const changes = changesOf("adopt-canary");
    const decision = decide(rollbackSnapshot(BASE_HIDDEN, { changes, violations: [] }));
    expect(decision.actions).toEqual([
      CLOSE_NEXT,
      { kind: "open", step: RB, changes, baseSha: HEAD, previousPr: prOf("adopt-canary"), rollbackOf: "adopt-canary" },
    ]);
    // Not undone yet: that PR may merge before the close reaches GitHub (the next round sees it closed, test below).
    expect(decision.hidden.undone).toEqual([]);
    expect(decision.phase).toEqual({
      label: "handover:running",
      current: "adopt-canary",
      reason: { kind: "rollback-opening" },
    });
  });

  it("a later step's PR closed unmerged (by the rollback, or by a person before): undone, so it opens anew after the resume", () => {
    const changes = changesOf("adopt-canary");
    const base = rollbackSnapshot(BASE_HIDDEN, { changes, violations: [] }, false);
    const closed = new Map(base.views);
    closed.set("release-wave-1", { step: step("release-wave-1"), pr: pull("release-wave-1", { state: "closed" }) });
    const decision = decide({ ...base, views: closed });
    expect(decision.actions).toEqual([
      { kind: "open", step: RB, changes, baseSha: HEAD, previousPr: prOf("adopt-canary"), rollbackOf: "adopt-canary" },
    ]);
    expect(decision.hidden.undone).toEqual([prOf("release-wave-1")]);
  });

  it("the later step's PR has a person's commit: its close says how to restore the branch", () => {
    const changes = changesOf("adopt-canary");
    const base = rollbackSnapshot(BASE_HIDDEN, { changes, violations: [] });
    const withPeople = new Map(base.views);
    withPeople.set("release-wave-1", { ...(base.views.get("release-wave-1") as StepView), humanCommits: true });
    expect(decide({ ...base, views: withPeople }).actions[0]).toEqual({ ...CLOSE_NEXT, peopleCommits: true });
  });

  it("a revert that would break the invariant is never opened", () => {
    const violations: Violation[] = [
      {
        rule: "shared-datastore",
        message: "datastore cluster_id x is reachable from a and b",
        clusters: ["a", "b"],
        subject: "x",
        files: [],
      },
    ];
    const decision = decide(rollbackSnapshot(BASE_HIDDEN, { changes: changesOf("adopt-canary"), violations }, false));
    expect(decision.actions).toEqual([]);
    expect(decision.phase.label).toBe("handover:failed");
    expect(decision.phase.reason).toStrictEqual({
      kind: "rollback-violations",
      violations: ["datastore cluster_id x is reachable from a and b"],
    });
  });

  it("the revert PR open: waits for review", () => {
    const decision = decide(rollbackSnapshot(BASE_HIDDEN, { pr: pull(RB.id) }, false));
    expect(decision.actions).toEqual([]);
    expect(decision.phase).toStrictEqual({
      label: "handover:running",
      current: "adopt-canary",
      reason: { kind: "rollback-review", pr: prOf(RB.id) },
    });
  });

  it("Handover's own revert PR the default branch moved under (a conflict, or behind where PRs must be up to date): re-planned on the new head", () => {
    const changes = changesOf("adopt-canary");
    for (const moved of [{ pr: pull(RB.id, { mergeable: false }) }, { pr: pull(RB.id), behind: true }]) {
      const decision = decide(
        rollbackSnapshot(BASE_HIDDEN, { ...moved, humanCommits: false, changes, violations: [] }),
      );
      expect(decision.actions).toEqual([
        CLOSE_NEXT,
        { kind: "refresh", step: RB, pr: prOf(RB.id), headSha: "prhead", changes, baseSha: HEAD },
      ]);
      expect(decision.again).toBe(true);
      expect(decision.phase).toStrictEqual({
        label: "handover:running",
        current: "adopt-canary",
        reason: { kind: "rollback-refreshing", pr: prOf(RB.id) },
      });
    }
  });

  it("a re-planned revert that would break the invariant is not pushed", () => {
    const violations: Violation[] = [
      {
        rule: "shared-datastore",
        message: "datastore x is reachable from a and b",
        clusters: [],
        subject: "x",
        files: [],
      },
    ];
    const view = { pr: pull(RB.id, { mergeable: false }), humanCommits: false, changes: [], violations };
    const decision = decide(rollbackSnapshot(BASE_HIDDEN, view, false));
    expect(decision.actions).toEqual([]);
    expect(decision.phase).toStrictEqual({
      label: "handover:failed",
      current: "adopt-canary",
      reason: { kind: "rollback-violations", violations: ["datastore x is reachable from a and b"], pr: prOf(RB.id) },
    });
  });

  it("a revert PR with people's commits that conflicts or is behind is theirs: nothing pushed, the dashboard says why", () => {
    const cases = [
      [{ pr: pull(RB.id, { mergeable: false }) }, { conflict: true }],
      [{ pr: pull(RB.id), behind: true }, { behind: true }],
      [{ pr: pull(RB.id) }, {}],
    ] as const;
    for (const [moved, flags] of cases) {
      const decision = decide(rollbackSnapshot(BASE_HIDDEN, { ...moved, humanCommits: true }, false));
      expect(decision.actions).toEqual([]);
      expect(decision.recheckAt).toBeUndefined();
      expect(decision.phase).toStrictEqual({
        label: "handover:running",
        current: "adopt-canary",
        reason: { kind: "rollback-review", pr: prOf(RB.id), peopleCommits: true, ...flags },
      });
    }
  });

  it("GitHub still working out whether Handover's own revert PR merges: looked at again in a minute", () => {
    const decision = decide(
      rollbackSnapshot(BASE_HIDDEN, { pr: pull(RB.id, { mergeable: null }), humanCommits: false }, false),
    );
    expect(decision.actions).toEqual([]);
    expect(decision.recheckAt).toBe(NOW + MIN);
    expect(decision.phase.reason).toStrictEqual({ kind: "rollback-review", pr: prOf(RB.id) });
  });

  it("the revert PR closed without merging: the rollback is cancelled and the chain paused by the requester", () => {
    const decision = decide(rollbackSnapshot(BASE_HIDDEN, { pr: pull(RB.id, { state: "closed" }) }, false));
    expect(decision.hidden.rollback).toBeNull();
    // Paused for real, so that the `/handover resume` the dashboard offers is taken.
    expect(decision.hidden.paused).toEqual({ by: "maya", at: NOW });
    expect(decision.phase).toEqual({
      label: "handover:paused",
      current: "adopt-canary",
      reason: { kind: "rollback-cancelled", pr: prOf(RB.id) },
    });
  });

  it("the later step's PR merged before it could be closed: no revert opens, the rollback is cancelled, paused", () => {
    const base = rollbackSnapshot(BASE_HIDDEN, { changes: changesOf("adopt-canary"), violations: [] }, false);
    const decision = decide({
      ...base,
      views: new Map([["release-wave-1", { step: step("release-wave-1"), pr: mergedPull("release-wave-1") }]]),
    });
    expect(decision.actions).toEqual([]);
    expect(decision.hidden.rollback).toBeNull();
    expect(decision.hidden.paused).toEqual({ by: "maya", at: NOW });
    expect(decision.phase).toEqual({
      label: "handover:paused",
      current: "adopt-canary",
      reason: { kind: "rollback-overtaken", step: "release-wave-1", pr: prOf("release-wave-1") },
    });
  });

  it("a rollback applied after the snapshot was taken: nothing else is decided this round, not even a step to open", () => {
    // release-wave-1's gate passed, so adopt-wave-1 would open, but maya's rollback was applied in this round.
    const changes = changesOf("adopt-wave-1");
    const hidden = hiddenWith({ steps: doneBefore("adopt-wave-1"), rollback: MAYA });
    const decision = decide(snapshot(hidden, { "adopt-wave-1": { changes, violations: [] } }));
    expect(decision.actions).toEqual([]);
    expect(decision.again).toBe(true);
    expect(decision.phase).toEqual({
      label: "handover:running",
      current: "adopt-canary",
      reason: { kind: "rollback-computing" },
    });
    // Without the rollback, the same snapshot opens adopt-wave-1.
    expect(
      decide(snapshot({ ...hidden, rollback: null }, { "adopt-wave-1": { changes, violations: [] } })).actions,
    ).toEqual([
      { kind: "open", step: step("adopt-wave-1"), changes, baseSha: HEAD, previousPr: prOf("release-wave-1") },
    ]);
  });

  it("merged, gate soaking: the merge is recorded, nothing else", () => {
    const merged = mergedPull(RB.id);
    const decision = decide(rollbackSnapshot(BASE_HIDDEN, { pr: merged, gate: GATES.soaking }, false));
    expect(decision.hidden.rollback).toEqual({
      ...MAYA,
      pr: merged.number,
      mergeSha: merged.mergeCommitSha,
      mergedAt: merged.mergedAt,
    });
    expect(decision.actions).toEqual([]);
    expect(decision.phase.label).toBe("handover:running");
  });

  it("merged, gate passed: the step is not done any more, its PR undone, the chain paused by the requester", () => {
    const hidden: HiddenState = {
      ...BASE_HIDDEN,
      rollback: { ...MAYA, pr: prOf(RB.id), mergeSha: "m", mergedAt: NOW - 20 * MIN },
    };
    const decision = decide(rollbackSnapshot(hidden, { pr: mergedPull(RB.id, 20), gate: GATES.passed }, false));
    expect(decision.hidden.steps["adopt-canary"]).toBeUndefined();
    expect(decision.hidden.rollback).toBeNull();
    expect(decision.hidden.undone).toEqual([prOf("adopt-canary")]);
    expect(decision.hidden.rollbacks).toEqual({ "adopt-canary": 1 });
    expect(decision.hidden.paused).toEqual({ by: "maya", at: NOW });
    expect(decision.again).toBe(true);
    expect(decision.phase).toEqual({
      label: "handover:paused",
      current: "adopt-canary",
      reason: { kind: "rolled-back" },
    });
  });

  it("merged, gate failed: the rollback is marked failed", () => {
    const decision = decide(rollbackSnapshot(BASE_HIDDEN, { pr: mergedPull(RB.id), gate: GATES.failed }, false));
    expect(decision.hidden.rollback?.failed).toEqual({ reason: GATES.failed.reason, at: NOW });
    expect(decision.phase.label).toBe("handover:failed");
    expect(decision.actions).toEqual([]);
  });

  it("after the rollback, resuming: the undone PR does not count and the step is opened again", () => {
    const steps = Object.fromEntries(Object.entries(DONE).filter(([id]) => id !== "adopt-canary"));
    const after = hiddenWith({ steps, undone: [prOf("adopt-canary")], rollbacks: { "adopt-canary": 1 } });
    const changes = changesOf("adopt-canary");
    const decision = decide(snapshot(after, { "adopt-canary": { changes, violations: [] } }));
    expect(decision.actions).toEqual([
      { kind: "open", step: TARGET, changes, baseSha: HEAD, previousPr: prOf("release-canary") },
    ]);
  });
});
