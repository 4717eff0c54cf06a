import { describe, expect, it } from "vitest";
import { decide } from "../../../src/engine/decide.js";
import type { AutoMergeView, Phase } from "../../../src/engine/types.js";
import { renderDashboard } from "../../../src/render/dashboard.js";
import { doneBefore, hiddenWith, NOW, pull, snapshot, step } from "./helpers.js";

const AUTO = { automerge: ["release-canary", "release-wave-1", "release-rest"] };
const HIDDEN = hiddenWith({ steps: doneBefore("release-canary") });
const open = (patch = {}) => ({ "release-canary": { pr: pull("release-canary", { nodeId: "PR_kw1", ...patch }) } });
const review = (autoMerge?: AutoMergeView): Phase => ({
  label: "handover:running",
  current: "release-canary",
  reason: { kind: "review", pr: 102, draft: false, peopleCommits: false, ...(autoMerge ? { autoMerge } : {}) },
});

describe("decide: GitHub's auto-merge on a step PR", () => {
  it("an open PR of a configured step: enable it, at the head decide saw, then look again", () => {
    expect(decide({ ...snapshot(HIDDEN, open()), ...AUTO })).toStrictEqual({
      hidden: HIDDEN,
      actions: [{ kind: "automerge", step: step("release-canary"), pr: 102, nodeId: "PR_kw1", headSha: "prhead" }],
      again: true,
      phase: review({ state: "enabling" }),
    });
  });

  it.each([
    ["a step not configured", {}, open(), HIDDEN, undefined],
    ["a draft", AUTO, open({ draft: true }), HIDDEN, undefined],
    [
      "on already (GitHub's auto_merge, a duplicated webhook)",
      AUTO,
      open({ autoMerge: { method: "merge", enabledBy: "handover[bot]" } }),
      HIDDEN,
      { state: "on", method: "merge" } as AutoMergeView,
    ],
    [
      "asked once and refused",
      AUTO,
      open(),
      hiddenWith({
        steps: {
          ...doneBefore("release-canary"),
          "release-canary": { autoMerge: { pr: 102, at: NOW, refused: "no" } },
        },
      }),
      { state: "refused", reason: "no" } as AutoMergeView,
    ],
    [
      "asked once, and a person turned it off",
      AUTO,
      open(),
      hiddenWith({
        steps: {
          ...doneBefore("release-canary"),
          "release-canary": { autoMerge: { pr: 102, at: NOW, method: "merge" } },
        },
      }),
      { state: "off" } as AutoMergeView,
    ],
  ])("%s: nothing is asked of GitHub", (_, auto, views, hidden, shown) => {
    const decision = decide({ ...snapshot(hidden, views), ...auto });
    const draft = views["release-canary"].pr.draft;
    const phase = review(shown);
    expect([decision.actions, decision.again, decision.phase]).toStrictEqual([
      [],
      false,
      { ...phase, reason: { ...phase.reason, draft } },
    ]);
  });

  it("people pushed to the branch: a person merges", () => {
    const views = { "release-canary": { ...open()["release-canary"], humanCommits: true } };
    const decision = decide({ ...snapshot(HIDDEN, views), ...AUTO });
    expect(decision.actions).toStrictEqual([]);
    expect(decision.phase.reason).toStrictEqual({
      ...review().reason,
      peopleCommits: true,
      autoMerge: { state: "people-commits" },
    });
  });

  const clean = (patch = {}) =>
    hiddenWith({
      steps: {
        ...doneBefore("release-canary"),
        "release-canary": { autoMerge: { pr: 102, at: NOW, method: "squash", clean: true, ...patch } },
      },
    });

  /** The merge of the open PR, at its head, with the method GitHub's answer named (queued instead where it must be). */
  const MERGE_SQUASH = {
    kind: "merge",
    step: step("release-canary"),
    pr: 102,
    headSha: "prhead",
    nodeId: "PR_kw1",
    method: "squash",
  } as const;

  it("GitHub called it clean when asked: merge it, at the head decide saw, with the method kept, then look again", () => {
    expect(decide({ ...snapshot(clean(), open()), ...AUTO })).toStrictEqual({
      hidden: clean(),
      actions: [MERGE_SQUASH],
      again: true,
      phase: review({ state: "merging", method: "squash" }),
    });
  });

  it("added to the merge queue at this head (the base takes no direct merge): nothing more is asked of GitHub", () => {
    const queued = clean({ queued: "prhead" });
    expect(decide({ ...snapshot(queued, open()), ...AUTO })).toStrictEqual({
      hidden: queued,
      actions: [],
      again: false,
      phase: review({ state: "queued" }),
    });
  });

  it("added to the merge queue at another head (Handover re-planned the PR since; GitHub took it out): merged again", () => {
    const decision = decide({ ...snapshot(clean({ queued: "oldhead" }), open()), ...AUTO });
    expect([decision.actions, decision.phase]).toStrictEqual([
      [MERGE_SQUASH],
      review({ state: "merging", method: "squash" }),
    ]);
  });

  it("GitHub calls the PR clean before it is asked (a state lost after asking, say): merged, GitHub not asked", () => {
    expect(decide({ ...snapshot(HIDDEN, open({ mergeableState: "clean" })), ...AUTO })).toStrictEqual({
      hidden: HIDDEN,
      actions: [{ kind: "merge", step: step("release-canary"), pr: 102, headSha: "prhead", nodeId: "PR_kw1" }],
      again: true,
      phase: review({ state: "merging" }),
    });
  });

  it("clean, but people pushed to the branch since: not merged, a person merges", () => {
    const views = { "release-canary": { ...open()["release-canary"], humanCommits: true } };
    const decision = decide({ ...snapshot(clean(), views), ...AUTO });
    expect([decision.actions, decision.phase.reason]).toStrictEqual([
      [],
      { ...review().reason, peopleCommits: true, autoMerge: { state: "people-commits" } },
    ]);
  });

  it("clean and the merge refused: the reason is shown, nothing is tried again", () => {
    const decision = decide({ ...snapshot(clean({ refused: "Head branch was modified" }), open()), ...AUTO });
    expect([decision.actions, decision.phase.reason]).toStrictEqual([
      [],
      { ...review().reason, autoMerge: { state: "refused", reason: "Head branch was modified" } },
    ]);
  });

  it("paused: not enabled while paused", () => {
    const paused = { ...HIDDEN, paused: { by: "dave", at: NOW } };
    expect(decide({ ...snapshot(paused, open()), ...AUTO }).actions).toStrictEqual([]);
  });
});

describe("the dashboard of an auto-merge step", () => {
  const lines = (hidden = HIDDEN, patch = {}) => {
    const snap = { ...snapshot(hidden, open(patch)), ...AUTO };
    const decision = decide(snap);
    return renderDashboard(snap, decision.phase, decision.hidden)
      .split("\n")
      .filter((l) => l.startsWith("**") || l.startsWith("Next:") || l.startsWith("| 2 |"));
  };

  it("on: merges by itself", () => {
    expect(lines(HIDDEN, { autoMerge: { method: "squash", enabledBy: "handover[bot]" } })).toStrictEqual([
      "**#102 (release-canary) merges by itself (GitHub auto-merge, squash) once branch protection's required reviews and checks pass.**",
      "Next: Nothing to do unless a review is required; the gate starts at the merge. Turn auto-merge off on the PR to merge it yourself. With a merge queue, GitHub adds it to the queue once it can merge, but not again once it left: should it leave, add it again with Merge when ready.",
      "| 2 | release-canary | 👀 PR open, auto-merge on | #102 | replicore-a: 2 check(s), soak 15m |",
    ]);
  });

  it("clean: Handover merges it now, and says why GitHub does not", () => {
    const clean = hiddenWith({
      steps: {
        ...doneBefore("release-canary"),
        "release-canary": { autoMerge: { pr: 102, at: NOW, method: "merge", clean: true } },
      },
    });
    expect(lines(clean)).toStrictEqual([
      "**#102 (release-canary) has nothing left to wait for, so GitHub does not auto-merge it: Handover merges it now (merge).**",
      "Next: Nothing to do; the gate starts at the merge.",
      "| 2 | release-canary | 👀 PR open, merging now (nothing left to wait for) | #102 | replicore-a: 2 check(s), soak 15m |",
    ]);
  });

  it("added to the merge queue: says so, and what to do should GitHub take it out", () => {
    const queued = hiddenWith({
      steps: {
        ...doneBefore("release-canary"),
        "release-canary": { autoMerge: { pr: 102, at: NOW, method: "merge", clean: true, queued: "prhead" } },
      },
    });
    expect(lines(queued)).toStrictEqual([
      "**Handover added #102 (release-canary) to the merge queue: the default branch takes no direct merge. GitHub merges it once the required checks pass on its merge group.**",
      "Next: Nothing to do; the gate starts at the merge. Should GitHub take it out of the queue (a check failed on its group, or never reported), fix the cause and add it again with Merge when ready.",
      "| 2 | release-canary | 👀 PR open, added to the merge queue | #102 | replicore-a: 2 check(s), soak 15m |",
    ]);
  });

  it("refused: says why, and that a person merges", () => {
    const refused = hiddenWith({
      steps: {
        ...doneBefore("release-canary"),
        "release-canary": {
          autoMerge: { pr: 102, at: NOW, refused: "GitHub refused: Pull request Pull request is in unstable status" },
        },
      },
    });
    expect(lines(refused)).toStrictEqual([
      "**Waiting for #102 (release-canary) to be reviewed and merged. Auto-merge could not be enabled: GitHub refused: Pull request Pull request is in unstable status.**",
      "Next: Merge it when it looks right; the gate starts at the merge.",
      "| 2 | release-canary | 👀 PR open, auto-merge could not be enabled | #102 | replicore-a: 2 check(s), soak 15m |",
    ]);
  });
});
