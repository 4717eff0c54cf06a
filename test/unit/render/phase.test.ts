// decide gives each phase a structured reason; these are the exact words the dashboard and `/handover status` show
// for every one of them (the same words decide itself used to write).
import { describe, expect, it } from "vitest";
import type { PhaseReason } from "../../../src/engine/types.js";
import { closeComment, phaseWords, type PhaseWords } from "../../../src/render/phase.js";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const MIN = 60_000;
const RETRY_ABORT =
  "`/handover retry` to try again, `/handover rollback` to revert the last merged step, or `/handover abort` to stop";
const PEOPLE = " It has commits pushed by people; Handover leaves them as they are.";
const DRAFT = " It is a draft: fill in every REPLACE-ME (the new cluster's own dependencies), then mark it ready.";

/** Every reason kind (the type fails to compile when one is added and not listed). */
const KINDS: Record<PhaseReason["kind"], true> = {
  "cannot-start": true,
  aborted: true,
  checking: true,
  "gate-failed": true,
  "awaiting-decommission": true,
  "paused-gate": true,
  "reading-gate": true,
  "gate-passed": true,
  "gate-waiting": true,
  "step-problems": true,
  "stray-merges": true,
  "step-violations": true,
  "paused-before-open": true,
  "not-computed": true,
  "no-diff": true,
  opening: true,
  reopening: true,
  "closed-unmerged": true,
  "conflict-with-people": true,
  refreshing: true,
  "paused-pr-open": true,
  review: true,
  "rollback-failed": true,
  "rolled-back": true,
  "rollback-problems": true,
  held: true,
  "rollback-violations": true,
  "rollback-computing": true,
  "rollback-opening": true,
  "rollback-review": true,
  "rollback-refreshing": true,
  "rollback-cancelled": true,
  "rollback-overtaken": true,
  "rollback-reading-gate": true,
  "rollback-gate-failed": true,
  "rollback-gate-waiting": true,
  done: true,
  blocked: true,
};

/** Every reason kind, with the step it is about and the exact words. */
const WORDS: [PhaseReason, string | undefined, PhaseWords][] = [
  [
    { kind: "stray-merges", prs: [5, 7] },
    "release-canary",
    {
      headline:
        "#5 and #7 merged without the changes of release-canary, so Handover stopped opening it again: another PR would most likely merge empty too.",
      next: "Check what the default branch holds of release-canary (a PR retargeted to another branch, a branch protection or merge setting that drops commits), then `/handover retry release-canary` opens it once more; `/handover abort` stops.",
    },
  ],
  [
    { kind: "rollback-overtaken", step: "adopt-canary", pr: 4 },
    "release-canary",
    {
      headline:
        "The rollback of release-canary was cancelled before its revert opened: adopt-canary (#4) merged after it was asked, and a rollback reverts only the last merged step. The chain is paused.",
      next: "`/handover rollback` reverts adopt-canary (run it again for release-canary); `/handover resume` goes on without a rollback.",
    },
  ],
  [
    {
      kind: "blocked",
      error: "invalid",
      status: 422,
      request: "POST /repos/acme/config/pulls",
      message: "Validation Failed: title is too long (maximum is 256)",
    },
    "release-canary",
    {
      headline:
        "GitHub refused POST /repos/acme/config/pulls (422): Validation Failed: title is too long (maximum is 256)",
      next: "Retrying the same request by itself would fail again, so Handover waits. Fix the cause (a permission, branch protection, a deleted branch or comment), then `/handover retry`; `/handover abort` stops.",
    },
  ],
  [
    { kind: "blocked", error: "bug", message: "Cannot read properties of undefined (reading 'sha')" },
    undefined,
    {
      headline:
        "Handover stopped on an error that is not GitHub's (a bug in Handover, please report it): Cannot read properties of undefined (reading 'sha')",
      next: "Retrying by itself would fail the same way, so Handover waits. `/handover retry` tries again (after an upgrade, say); `/handover abort` stops.",
    },
  ],
  [
    { kind: "held", hold: { kind: "approval", permission: "maintain" } },
    "adopt-canary",
    {
      headline: "adopt-canary waits for approval before its PR opens.",
      next: "Someone with **maintain** permission or more comments `/handover approve`.",
    },
  ],
  [
    { kind: "held", hold: { kind: "label", label: "freeze" } },
    "adopt-canary",
    {
      headline: "Frozen: adopt-canary opens once the label `freeze` is removed from this issue.",
      next: "Nothing to do: it opens by itself then. `/handover pause` holds it longer.",
    },
  ],
  [
    { kind: "cannot-start", problems: ["Target version: missing", "bad"] },
    undefined,
    {
      headline: "Handover cannot start: 2 problems to fix.",
      next: "Edit the issue (or fix the repo); Handover re-reads it on every edit.",
      problems: ["Target version: missing", "bad"],
    },
  ],
  [
    { kind: "cannot-start", problems: ["bad"] },
    undefined,
    {
      headline: "Handover cannot start: 1 problem to fix.",
      next: "Edit the issue (or fix the repo); Handover re-reads it on every edit.",
      problems: ["bad"],
    },
  ],
  [
    { kind: "aborted", by: "alice", reason: "wrong target" },
    undefined,
    {
      headline: "Aborted by @alice: wrong target.",
      next: "Nothing more will be opened. File a new issue to start again.",
    },
  ],
  [
    { kind: "aborted", by: "alice", reason: "" },
    undefined,
    {
      headline: "Aborted by @alice: no reason given.",
      next: "Nothing more will be opened. File a new issue to start again.",
    },
  ],
  [{ kind: "checking" }, "release-canary", { headline: "Checking release-canary.", next: "" }],
  [
    { kind: "gate-failed", reason: "boom" },
    "release-canary",
    { headline: "Gate of release-canary failed: boom", next: `Fix the cluster, then ${RETRY_ABORT}.` },
  ],
  [
    { kind: "awaiting-decommission", cluster: "replicore-a" },
    "decommission",
    {
      headline: "Every backend moved and every adopt gate passed: the old cluster is ready to be decommissioned.",
      next: "Deleting replicore-a's files is a human decision: comment `/handover decommission` (needs elevated permission).",
    },
  ],
  [
    { kind: "paused-gate", by: "bob" },
    "release-canary",
    { headline: "Paused by @bob: the gate of release-canary is not advanced.", next: "`/handover resume` continues." },
  ],
  [{ kind: "reading-gate" }, "release-canary", { headline: "Reading the gate of release-canary.", next: "" }],
  [{ kind: "gate-passed" }, "release-canary", { headline: "Gate of release-canary passed.", next: "" }],
  [
    { kind: "gate-waiting", cluster: "replicore-a", state: "pending", deadline: NOW + 115 * MIN },
    "release-canary",
    {
      headline: "Waiting for the replicore-a health gate of release-canary: pending",
      next: "Nothing to do: the next step opens by itself once the gate passes (time-out at 13:55:00 UTC). `/handover pause` holds it.",
    },
  ],
  [
    {
      kind: "gate-waiting",
      cluster: "replicore-a",
      state: "soaking",
      soakEndsAt: NOW + 10 * MIN,
      deadline: NOW + 115 * MIN,
    },
    "release-canary",
    {
      headline:
        "Waiting for the replicore-a health gate of release-canary: soaking (soak ends 12:10:00 UTC if it stays green)",
      next: "Nothing to do: the next step opens by itself once the gate passes (time-out at 13:55:00 UTC). `/handover pause` holds it.",
    },
  ],
  [
    { kind: "step-problems", problems: ["restart key missing", "x"] },
    "release-canary",
    {
      headline: "Step release-canary cannot be computed on the default branch: restart key missing; x",
      next: "Fix the repo (or the issue body); Handover re-checks on every push.",
    },
  ],
  [
    { kind: "step-violations", violations: ["backend m is referenced by a and b", "zk shared"] },
    "release-canary",
    {
      headline: "Step release-canary would break the invariant: backend m is referenced by a and b; zk shared",
      next: "Fix the repo so no two clusters share a datastore; Handover re-checks on every push. Nothing was opened.",
    },
  ],
  [
    { kind: "paused-before-open", by: "bob" },
    "release-canary",
    { headline: "Paused by @bob before opening release-canary.", next: "`/handover resume` continues." },
  ],
  [
    { kind: "not-computed" },
    "release-canary",
    { headline: "Step release-canary is not computed yet.", next: "Handover re-checks shortly." },
  ],
  [
    { kind: "no-diff" },
    "release-canary",
    {
      headline: "release-canary: already on the default branch (skipped, no diff).",
      next: "Its gate is checked next.",
    },
  ],
  [{ kind: "opening" }, "prepare", { headline: "Opening prepare.", next: "Review and merge the pull request." }],
  [{ kind: "reopening", pr: 102 }, "release-canary", { headline: "Reopening #102.", next: "Review and merge it." }],
  [
    { kind: "closed-unmerged", pr: 102 },
    "release-canary",
    {
      headline: "#102 (release-canary) was closed without merging: the chain is paused.",
      next: "Reopen it, or `/handover retry` to have Handover reopen it, or `/handover abort` to stop.",
    },
  ],
  [
    { kind: "conflict-with-people", pr: 102 },
    "release-canary",
    {
      headline:
        "#102 (release-canary) conflicts with the default branch and has commits pushed by people, so Handover leaves it alone.",
      next: "Resolve the conflict on the branch by hand; the chain continues once it is merged.",
    },
  ],
  [
    { kind: "refreshing", pr: 102 },
    "release-canary",
    {
      headline: "The default branch moved under #102: release-canary is re-planned on the new head.",
      next: "Review and merge it.",
    },
  ],
  [
    { kind: "paused-pr-open", by: "bob", pr: 102, peopleCommits: false },
    "release-canary",
    {
      headline: "Paused by @bob; #102 (release-canary) stays open.",
      next: "`/handover resume` continues: no gate advances and no PR opens while paused.",
    },
  ],
  [
    { kind: "paused-pr-open", by: "bob", pr: 102, peopleCommits: true },
    "release-canary",
    {
      headline: `Paused by @bob; #102 (release-canary) stays open.${PEOPLE}`,
      next: "`/handover resume` continues: no gate advances and no PR opens while paused.",
    },
  ],
  [
    { kind: "review", pr: 102, draft: false, peopleCommits: false },
    "release-canary",
    {
      headline: "Waiting for #102 (release-canary) to be reviewed and merged.",
      next: "Merge it when it looks right; the gate starts at the merge.",
    },
  ],
  [
    { kind: "review", pr: 101, draft: true, peopleCommits: true },
    "prepare",
    {
      headline: `Waiting for #101 (prepare) to be reviewed and merged.${DRAFT}${PEOPLE}`,
      next: "Merge it when it looks right; the gate starts at the merge.",
    },
  ],
  [
    { kind: "review", pr: 103, draft: false, peopleCommits: true, behind: true },
    "adopt-canary",
    {
      headline: `Waiting for #103 (adopt-canary) to be reviewed and merged.${PEOPLE} The default branch moved since, and this repo requires a PR to be up to date with it before it merges.`,
      next: 'Press "Update branch" on it (or rebase it), then merge it; the gate starts at the merge.',
    },
  ],
  [
    { kind: "rollback-failed", reason: "boom" },
    "adopt-canary",
    {
      headline: "Rollback of adopt-canary failed: boom",
      next: "Fix the cluster, then `/handover retry`, or `/handover abort`.",
    },
  ],
  [
    { kind: "rolled-back" },
    "adopt-canary",
    {
      headline: "Rolled back adopt-canary; the chain is paused.",
      next: "`/handover resume` opens adopt-canary again; `/handover abort` stops.",
    },
  ],
  [
    { kind: "rollback-problems", problems: ["a", "b"] },
    "adopt-canary",
    {
      headline: "The rollback of adopt-canary cannot be computed: a; b",
      next: "Fix the repo; Handover re-checks on every push.",
    },
  ],
  [
    { kind: "rollback-violations", violations: ["x is reachable from a and b"] },
    "adopt-canary",
    {
      headline: "Rolling back adopt-canary would break the invariant: x is reachable from a and b",
      next: "Nothing was opened. Fix the repo, or `/handover abort`.",
    },
  ],
  [
    { kind: "rollback-violations", violations: ["x is reachable from a and b"], pr: 110 },
    "adopt-canary",
    {
      headline: "Rolling back adopt-canary would break the invariant: x is reachable from a and b",
      next: "The rollback PR #110 was not re-planned on the moved default branch, and cannot merge as it is. Fix the repo, or `/handover abort`.",
    },
  ],
  [{ kind: "rollback-computing" }, "adopt-canary", { headline: "Computing the rollback of adopt-canary.", next: "" }],
  [
    { kind: "rollback-opening" },
    "adopt-canary",
    { headline: "Opening the rollback of adopt-canary.", next: "Review and merge the revert PR." },
  ],
  [
    { kind: "rollback-review", pr: 110 },
    "adopt-canary",
    {
      headline: "Waiting for the rollback PR #110 (adopt-canary) to be reviewed and merged.",
      next: "Merge it to revert; its gate follows like any step.",
    },
  ],
  [
    { kind: "rollback-review", pr: 110, peopleCommits: true, conflict: true },
    "adopt-canary",
    {
      headline:
        "Waiting for the rollback PR #110 (adopt-canary) to be reviewed and merged. It has commits pushed by people; Handover leaves them as they are. It conflicts with the default branch.",
      next: "Resolve the conflict on its branch by hand, then merge it to revert; its gate follows like any step.",
    },
  ],
  [
    { kind: "rollback-review", pr: 110, peopleCommits: true, behind: true },
    "adopt-canary",
    {
      headline:
        "Waiting for the rollback PR #110 (adopt-canary) to be reviewed and merged. It has commits pushed by people; Handover leaves them as they are. The default branch moved since, and this repo requires a PR to be up to date with it before it merges.",
      next: 'Press "Update branch" on it (or rebase it), then merge it to revert; its gate follows like any step.',
    },
  ],
  [
    { kind: "rollback-refreshing", pr: 110 },
    "adopt-canary",
    {
      headline:
        "The default branch moved under the rollback PR #110: the revert of adopt-canary is re-planned on the new head.",
      next: "Review and merge it to revert.",
    },
  ],
  [
    { kind: "rollback-cancelled", pr: 110 },
    "adopt-canary",
    {
      headline: "The rollback PR #110 was closed without merging: rollback cancelled; the chain is paused.",
      next: "`/handover rollback` to try again, `/handover resume` to go on.",
    },
  ],
  [
    { kind: "rollback-reading-gate" },
    "adopt-canary",
    { headline: "Reading the gate of the rollback of adopt-canary.", next: "" },
  ],
  [
    { kind: "rollback-gate-failed", reason: "boom" },
    "adopt-canary",
    {
      headline: "Gate of the rollback of adopt-canary failed: boom",
      next: "Fix the cluster, then `/handover abort` or resolve by hand.",
    },
  ],
  [
    { kind: "rollback-gate-waiting", cluster: "replicore-b", state: "soaking", soakEndsAt: NOW + 5 * MIN },
    "adopt-canary",
    {
      headline:
        "Waiting for the replicore-b health gate of the rollback of adopt-canary: soaking (soak ends 12:05:00 UTC if it stays green)",
      next: "Nothing to do: the chain pauses once it passes.",
    },
  ],
  [
    { kind: "rollback-gate-waiting", cluster: "replicore-b", state: "pending" },
    "adopt-canary",
    {
      headline: "Waiting for the replicore-b health gate of the rollback of adopt-canary: pending",
      next: "Nothing to do: the chain pauses once it passes.",
    },
  ],
  [
    { kind: "done", source: "replicore-a", target: "replicore-b" },
    undefined,
    {
      headline: "Done: every backend moved from replicore-a to replicore-b, and replicore-a is decommissioned.",
      next: "Close this issue.",
    },
  ],
  [
    { kind: "done" },
    undefined,
    {
      headline:
        "Done: every backend moved from the old cluster to the new cluster, and the old cluster is decommissioned.",
      next: "Close this issue.",
    },
  ],
];

describe("phaseWords", () => {
  it.each(WORDS)("%o at %s", (reason, current, words) => {
    const phase = { label: "handover:running" as const, reason, ...(current ? { current } : {}) };
    expect(phaseWords(phase)).toStrictEqual(words);
  });

  it.each([
    [
      {
        kind: "gate-waiting",
        cluster: "replicore-a",
        state: "soaking",
        soakEndsAt: NOW + 10 * MIN,
        deadline: NOW + 115 * MIN,
      },
      {
        headline: "Waiting for the replicore-a health gate of release-canary.",
        next: "Nothing to do: the next step opens by itself once the gate passes (time-out at 13:55:00 UTC). `/handover status` replies with each check's state now. `/handover pause` holds it.",
      },
    ],
    [
      { kind: "rollback-gate-waiting", cluster: "replicore-a", state: "pending" },
      {
        headline: "Waiting for the replicore-a health gate of the rollback of release-canary.",
        next: "Nothing to do: the chain pauses once it passes. `/handover status` replies with each check's state now.",
      },
    ],
  ] as [PhaseReason, PhaseWords][])(
    "the dashboard's words leave out a running gate's progress: %o",
    (reason, words) => {
      expect(phaseWords({ label: "handover:running", reason, current: "release-canary" }, false)).toStrictEqual(words);
    },
  );

  it("every reason kind has its words here", () => {
    expect([...new Set(WORDS.map(([reason]) => reason.kind))].sort()).toStrictEqual(Object.keys(KINDS).sort());
  });
});

describe("closeComment", () => {
  it.each([
    [
      { kind: "aborted", by: "alice", reason: "wrong target" } as const,
      "Closed by Handover: @alice aborted the migration (#42): wrong target.\nThe step branch is deleted; nothing else will be opened.",
    ],
    [
      { kind: "aborted", by: "alice", reason: "" } as const,
      "Closed by Handover: @alice aborted the migration (#42): no reason given.\nThe step branch is deleted; nothing else will be opened.",
    ],
    [
      { kind: "rolling-back", by: "maya", step: "adopt-canary" } as const,
      "Closed by Handover: @maya is rolling back adopt-canary (#42). This step opens again after `/handover resume`.",
    ],
  ])("%o", (why, text) => {
    expect(closeComment(42, why)).toBe(text);
  });

  it("a step closed for a rollback, with a person's commit, says how to restore the branch", () => {
    expect(closeComment(42, { kind: "rolling-back", by: "maya", step: "adopt-canary" }, true)).toBe(
      "Closed by Handover: @maya is rolling back adopt-canary (#42). This step opens again after `/handover resume`.\nThe step branch is deleted; its newest commit is a person's, and **Restore branch** on this PR brings the branch back with every commit.",
    );
  });

  it("an aborted step with a person's commit says how to restore the branch", () => {
    expect(closeComment(42, { kind: "aborted", by: "alice", reason: "wrong target" }, true)).toBe(
      "Closed by Handover: @alice aborted the migration (#42): wrong target.\nThe step branch is deleted; its newest commit is a person's, and **Restore branch** on this PR brings the branch back with every commit; nothing else will be opened.",
    );
  });
});
