import { describe, expect, it } from "vitest";
import { decide } from "../../../src/engine/decide.js";
import type { Decision, Snapshot } from "../../../src/engine/types.js";
import type { HiddenState } from "../../../src/engine/state.js";
import { evaluateGate } from "../../../src/health/index.js";
import type { Violation } from "../../../src/spec/violation.js";
import {
  GATES,
  HEAD,
  MIN,
  NOW,
  changesOf,
  doneBefore,
  hiddenWith,
  mergedPull,
  passedRecord,
  prOf,
  pull,
  snapshot,
  step,
} from "./helpers.js";

const RETRY_ABORT =
  "`/handover retry` to try again, `/handover rollback` to revert the last merged step, or `/handover abort` to stop";
const FIX_CLUSTER = `Fix the cluster, then ${RETRY_ABORT}.`;
const GATE_NEXT = (at: string) =>
  `Nothing to do: the next step opens by itself once the gate passes (time-out at ${at}). \`/handover pause\` holds it.`;
const MERGE_NEXT = "Merge it when it looks right; the gate starts at the merge.";
const BOB = { by: "bob", at: NOW - 30 * MIN };

const VIOLATIONS: Violation[] = [
  {
    rule: "shared-backend",
    message: "backend mongo is referenced by replicore-a and replicore-b",
    clusters: ["replicore-a", "replicore-b"],
    subject: "mongo",
    files: ["clusters/replicore-a/replicante.yaml"],
  },
  {
    rule: "shared-dependency",
    message: "replicore-a and replicore-b share the coordinator ensemble zk:2181",
    clusters: ["replicore-a", "replicore-b"],
    subject: "zk:2181",
    files: [],
  },
];

/** The hidden state with one step record patched. */
function withStep(hidden: HiddenState, id: string, patch: HiddenState["steps"][string]): HiddenState {
  return { ...hidden, steps: { ...hidden.steps, [id]: { ...(hidden.steps[id] ?? {}), ...patch } } };
}

/** Merge facts decide records from a merged PR built by mergedPull(id). */
const mergeFacts = (id: string, ago = 5) => ({ pr: prOf(id), mergeSha: `merge-${id}`, mergedAt: NOW - ago * MIN });

// Everything before release-canary done: release-canary is the current step in most rows.
const AT_RC = hiddenWith({ steps: doneBefore("release-canary") });
const ALL_BUT_DECOM = hiddenWith({ steps: doneBefore("decommission") });

interface Row {
  name: string;
  in: Snapshot;
  out: Decision;
}

const ROWS: Row[] = [
  {
    name: "problems with the issue or plan: failed, nothing happens",
    in: snapshot(hiddenWith(), {}, ["Target version: missing", 'Source cluster: "x" is not a cluster']),
    out: {
      hidden: hiddenWith(),
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        headline: "Handover cannot start: 2 problems to fix.",
        next: "Edit the issue (or fix the repo); Handover re-reads it on every edit.",
        problems: ["Target version: missing", 'Source cluster: "x" is not a cluster'],
      },
    },
  },
  {
    name: "problems win over a missing base",
    in: snapshot(hiddenWith({ base: null }), {}, ["bad"]),
    out: {
      hidden: hiddenWith({ base: null }),
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        headline: "Handover cannot start: 1 problem to fix.",
        next: "Edit the issue (or fix the repo); Handover re-reads it on every edit.",
        problems: ["bad"],
      },
    },
  },
  {
    name: "no base yet: the head is recorded as the base, and again",
    in: snapshot(hiddenWith({ base: null }), { prepare: { changes: changesOf("prepare") } }),
    out: {
      hidden: hiddenWith({ base: HEAD }),
      actions: [],
      again: true,
      phase: { label: "handover:running", headline: "Planning.", next: "" },
    },
  },
  {
    name: "aborted: every open step PR is closed with the exact comment",
    in: snapshot(
      hiddenWith({
        steps: doneBefore("release-canary"),
        aborted: { by: "alice", at: NOW - MIN, reason: "wrong target" },
      }),
      {
        prepare: { pr: mergedPull("prepare") },
        "release-canary": { pr: pull("release-canary") },
        "adopt-canary": { pr: pull("adopt-canary", { draft: true }) },
        "release-wave-1": { pr: pull("release-wave-1", { state: "closed" }) },
      },
    ),
    out: {
      hidden: hiddenWith({
        steps: doneBefore("release-canary"),
        aborted: { by: "alice", at: NOW - MIN, reason: "wrong target" },
      }),
      actions: [
        {
          kind: "close",
          step: step("release-canary"),
          pr: 102,
          comment:
            "Closed by Handover: @alice aborted the migration (#42): wrong target.\nThe step branch is deleted; nothing else will be opened.",
        },
        {
          kind: "close",
          step: step("adopt-canary"),
          pr: 103,
          comment:
            "Closed by Handover: @alice aborted the migration (#42): wrong target.\nThe step branch is deleted; nothing else will be opened.",
        },
      ],
      again: false,
      phase: {
        label: "handover:aborted",
        headline: "Aborted by @alice: wrong target.",
        next: "Nothing more will be opened. File a new issue to start again.",
      },
    },
  },
  {
    name: "aborted without a reason and nothing open: no action",
    in: snapshot(hiddenWith({ aborted: { by: "alice", at: NOW, reason: "" } }), {
      prepare: { changes: changesOf("prepare") },
    }),
    out: {
      hidden: hiddenWith({ aborted: { by: "alice", at: NOW, reason: "" } }),
      actions: [],
      again: false,
      phase: {
        label: "handover:aborted",
        headline: "Aborted by @alice: no reason given.",
        next: "Nothing more will be opened. File a new issue to start again.",
      },
    },
  },
  {
    name: "no view yet for the current step: checking, again",
    in: snapshot(AT_RC),
    out: {
      hidden: AT_RC,
      actions: [],
      again: true,
      phase: { label: "handover:running", current: "release-canary", headline: "Checking release-canary.", next: "" },
    },
  },
  {
    name: "first step with changes: one open action on the head, no previous PR",
    in: snapshot(hiddenWith(), { prepare: { changes: changesOf("prepare"), violations: [] } }),
    out: {
      hidden: hiddenWith(),
      again: true,
      actions: [
        { kind: "open", step: step("prepare"), changes: changesOf("prepare"), baseSha: HEAD, previousPr: null },
      ],
      phase: {
        label: "handover:running",
        current: "prepare",
        headline: "Opening prepare.",
        next: "Review and merge the pull request.",
      },
    },
  },
  {
    name: "later step: previousPr is the PR of the step before",
    in: snapshot(hiddenWith({ steps: doneBefore("adopt-canary") }), {
      prepare: { pr: mergedPull("prepare") },
      "release-canary": { pr: mergedPull("release-canary") },
      "adopt-canary": { changes: changesOf("adopt-canary") },
    }),
    out: {
      hidden: hiddenWith({ steps: doneBefore("adopt-canary") }),
      again: true,
      actions: [
        {
          kind: "open",
          step: step("adopt-canary"),
          changes: changesOf("adopt-canary"),
          baseSha: HEAD,
          previousPr: 102,
        },
      ],
      phase: {
        label: "handover:running",
        current: "adopt-canary",
        headline: "Opening adopt-canary.",
        next: "Review and merge the pull request.",
      },
    },
  },
  {
    name: "later step after a no-diff step: previousPr is the last recorded PR",
    in: snapshot(
      hiddenWith({
        steps: {
          prepare: passedRecord("prepare"),
          "release-canary": { noDiff: { sha: "old", at: NOW - 60 * MIN }, gatePassedAt: NOW - 40 * MIN },
        },
      }),
      { "adopt-canary": { changes: changesOf("adopt-canary") } },
    ),
    out: {
      hidden: hiddenWith({
        steps: {
          prepare: passedRecord("prepare"),
          "release-canary": { noDiff: { sha: "old", at: NOW - 60 * MIN }, gatePassedAt: NOW - 40 * MIN },
        },
      }),
      again: true,
      actions: [
        {
          kind: "open",
          step: step("adopt-canary"),
          changes: changesOf("adopt-canary"),
          baseSha: HEAD,
          previousPr: 101,
        },
      ],
      phase: {
        label: "handover:running",
        current: "adopt-canary",
        headline: "Opening adopt-canary.",
        next: "Review and merge the pull request.",
      },
    },
  },
  {
    name: "no diff: noDiff recorded on the head at now, again, no action",
    in: snapshot(AT_RC, { "release-canary": { changes: [], violations: [] } }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { noDiff: { sha: HEAD, at: NOW } }),
      actions: [],
      again: true,
      phase: {
        label: "handover:running",
        current: "release-canary",
        headline: "release-canary: already on the default branch (skipped, no diff).",
        next: "Its gate is checked next.",
      },
    },
  },
  {
    name: "violations: failed, never opened",
    in: snapshot(AT_RC, { "release-canary": { changes: changesOf("release-canary"), violations: VIOLATIONS } }),
    out: {
      hidden: AT_RC,
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        current: "release-canary",
        headline:
          "Step release-canary would break the invariant: backend mongo is referenced by replicore-a and replicore-b; replicore-a and replicore-b share the coordinator ensemble zk:2181",
        next: "Fix the repo so no two clusters share a datastore; Handover re-checks on every push. Nothing was opened.",
      },
    },
  },
  {
    name: "violations win over pause",
    in: snapshot(
      { ...AT_RC, paused: BOB },
      { "release-canary": { changes: changesOf("release-canary"), violations: VIOLATIONS.slice(0, 1) } },
    ),
    out: {
      hidden: { ...AT_RC, paused: BOB },
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        current: "release-canary",
        headline:
          "Step release-canary would break the invariant: backend mongo is referenced by replicore-a and replicore-b",
        next: "Fix the repo so no two clusters share a datastore; Handover re-checks on every push. Nothing was opened.",
      },
    },
  },
  {
    name: "view problems: failed, no action",
    in: snapshot(AT_RC, {
      "release-canary": {
        problems: [
          "clusters/replicore-a/replicante.yaml: backend mongo.yaml is not in the list",
          "restart key missing",
        ],
      },
    }),
    out: {
      hidden: AT_RC,
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        current: "release-canary",
        headline:
          "Step release-canary cannot be computed on the default branch: clusters/replicore-a/replicante.yaml: backend mongo.yaml is not in the list; restart key missing",
        next: "Fix the repo (or the issue body); Handover re-checks on every push.",
      },
    },
  },
  {
    name: "paused before opening: no open, label paused",
    in: snapshot(
      { ...AT_RC, paused: BOB },
      { "release-canary": { changes: changesOf("release-canary"), violations: [] } },
    ),
    out: {
      hidden: { ...AT_RC, paused: BOB },
      actions: [],
      again: false,
      phase: {
        label: "handover:paused",
        current: "release-canary",
        headline: "Paused by @bob before opening release-canary.",
        next: "`/handover resume` continues.",
      },
    },
  },
  {
    name: "paused: a no-diff step is not recorded either",
    in: snapshot({ ...AT_RC, paused: BOB }, { "release-canary": { changes: [] } }),
    out: {
      hidden: { ...AT_RC, paused: BOB },
      actions: [],
      again: false,
      phase: {
        label: "handover:paused",
        current: "release-canary",
        headline: "Paused by @bob before opening release-canary.",
        next: "`/handover resume` continues.",
      },
    },
  },
  {
    name: "changes not computed yet: running, no action",
    in: snapshot(AT_RC, { "release-canary": {} }),
    out: {
      hidden: AT_RC,
      actions: [],
      again: false,
      phase: {
        label: "handover:running",
        current: "release-canary",
        headline: "Step release-canary is not computed yet.",
        next: "Handover re-checks shortly.",
      },
    },
  },
  {
    name: "open PR: running, no action",
    in: snapshot(AT_RC, { "release-canary": { pr: pull("release-canary"), humanCommits: false } }),
    out: {
      hidden: AT_RC,
      actions: [],
      again: false,
      phase: {
        label: "handover:running",
        current: "release-canary",
        headline: "Waiting for #102 (release-canary) to be reviewed and merged.",
        next: MERGE_NEXT,
      },
    },
  },
  {
    name: "open draft prepare: the headline asks for every REPLACE-ME",
    in: snapshot(hiddenWith(), { prepare: { pr: pull("prepare", { draft: true }), humanCommits: false } }),
    out: {
      hidden: hiddenWith(),
      actions: [],
      again: false,
      phase: {
        label: "handover:running",
        current: "prepare",
        headline:
          "Waiting for #101 (prepare) to be reviewed and merged. It is a draft: fill in every REPLACE-ME (the new cluster's own dependencies), then mark it ready.",
        next: MERGE_NEXT,
      },
    },
  },
  {
    name: "open draft prepare with people's commits: still no action (never overwrite)",
    in: snapshot(hiddenWith(), {
      prepare: { pr: pull("prepare", { draft: true }), humanCommits: true, changes: changesOf("prepare") },
    }),
    out: {
      hidden: hiddenWith(),
      actions: [],
      again: false,
      phase: {
        label: "handover:running",
        current: "prepare",
        headline:
          "Waiting for #101 (prepare) to be reviewed and merged. It is a draft: fill in every REPLACE-ME (the new cluster's own dependencies), then mark it ready. It has commits pushed by people; Handover leaves them as they are.",
        next: MERGE_NEXT,
      },
    },
  },
  {
    name: "open PR with people's commits: no action",
    in: snapshot(AT_RC, {
      "release-canary": { pr: pull("release-canary"), humanCommits: true, changes: changesOf("release-canary") },
    }),
    out: {
      hidden: AT_RC,
      actions: [],
      again: false,
      phase: {
        label: "handover:running",
        current: "release-canary",
        headline:
          "Waiting for #102 (release-canary) to be reviewed and merged. It has commits pushed by people; Handover leaves them as they are.",
        next: MERGE_NEXT,
      },
    },
  },
  {
    name: "PR closed without merging: paused",
    in: snapshot(AT_RC, { "release-canary": { pr: pull("release-canary", { state: "closed" }) } }),
    out: {
      hidden: AT_RC,
      actions: [],
      again: false,
      phase: {
        label: "handover:paused",
        current: "release-canary",
        headline: "#102 (release-canary) was closed without merging: the chain is paused.",
        next: "Reopen it, or `/handover retry` to have Handover reopen it, or `/handover abort` to stop.",
      },
    },
  },
  {
    name: "PR closed and retry asked to reopen it: reopen action, flag cleared",
    in: snapshot(withStep(AT_RC, "release-canary", { reopen: true }), {
      "release-canary": { pr: pull("release-canary", { state: "closed" }) },
    }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { reopen: false }),
      again: true,
      actions: [{ kind: "reopen", step: step("release-canary"), pr: 102 }],
      phase: {
        label: "handover:running",
        current: "release-canary",
        headline: "Reopening #102.",
        next: "Review and merge it.",
      },
    },
  },
  {
    name: "PR closed, reopen asked but paused: stays paused, flag kept",
    in: snapshot(
      { ...withStep(AT_RC, "release-canary", { reopen: true }), paused: BOB },
      { "release-canary": { pr: pull("release-canary", { state: "closed" }) } },
    ),
    out: {
      hidden: { ...withStep(AT_RC, "release-canary", { reopen: true }), paused: BOB },
      actions: [],
      again: false,
      phase: {
        label: "handover:paused",
        current: "release-canary",
        headline: "#102 (release-canary) was closed without merging: the chain is paused.",
        next: "Reopen it, or `/handover retry` to have Handover reopen it, or `/handover abort` to stop.",
      },
    },
  },
  {
    name: "merged, gate not read yet: merge recorded, again",
    in: snapshot(AT_RC, { "release-canary": { pr: mergedPull("release-canary") } }),
    out: {
      hidden: withStep(AT_RC, "release-canary", mergeFacts("release-canary")),
      actions: [],
      again: true,
      phase: {
        label: "handover:waiting",
        current: "release-canary",
        headline: "Reading the gate of release-canary.",
        next: "",
      },
    },
  },
  {
    name: "merged without mergedAt / merge commit: head sha and now are recorded",
    in: snapshot(AT_RC, {
      "release-canary": { pr: pull("release-canary", { state: "closed", merged: true, headSha: "prhead-rc" }) },
    }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { pr: 102, mergeSha: "prhead-rc", mergedAt: NOW }),
      actions: [],
      again: true,
      phase: {
        label: "handover:waiting",
        current: "release-canary",
        headline: "Reading the gate of release-canary.",
        next: "",
      },
    },
  },
  {
    name: "merged, already recorded: the record is not rewritten",
    in: snapshot(withStep(AT_RC, "release-canary", { pr: 102, mergeSha: "first", mergedAt: 1 }), {
      "release-canary": { pr: mergedPull("release-canary"), gate: GATES.pending },
    }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { pr: 102, mergeSha: "first", mergedAt: 1 }),
      actions: [],
      again: false,
      recheckAt: NOW + 115 * MIN,
      phase: {
        label: "handover:waiting",
        current: "release-canary",
        headline: "Waiting for the replicore-a health gate of release-canary: pending",
        next: GATE_NEXT("13:55:00 UTC"),
      },
    },
  },
  {
    name: "merged, gate soaking: waiting with the soak left",
    in: snapshot(AT_RC, { "release-canary": { pr: mergedPull("release-canary"), gate: GATES.soaking } }),
    out: {
      hidden: withStep(AT_RC, "release-canary", mergeFacts("release-canary")),
      actions: [],
      again: false,
      recheckAt: NOW + 10 * MIN,
      phase: {
        label: "handover:waiting",
        current: "release-canary",
        headline:
          "Waiting for the replicore-a health gate of release-canary: soaking (soak ends 12:10:00 UTC if it stays green)",
        next: GATE_NEXT("13:55:00 UTC"),
      },
    },
  },
  {
    name: "adopt merged, gate pending: waiting on the target cluster",
    in: snapshot(hiddenWith({ steps: doneBefore("adopt-canary") }), {
      "adopt-canary": { pr: mergedPull("adopt-canary"), gate: GATES.pending },
    }),
    out: {
      hidden: hiddenWith({ steps: { ...doneBefore("adopt-canary"), "adopt-canary": mergeFacts("adopt-canary") } }),
      actions: [],
      again: false,
      recheckAt: NOW + 115 * MIN,
      phase: {
        label: "handover:waiting",
        current: "adopt-canary",
        headline: "Waiting for the replicore-b health gate of adopt-canary: pending",
        next: GATE_NEXT("13:55:00 UTC"),
      },
    },
  },
  {
    name: "merged, gate passed: gatePassedAt = passedAt, again",
    in: snapshot(AT_RC, { "release-canary": { pr: mergedPull("release-canary", 25), gate: GATES.passed } }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { ...mergeFacts("release-canary", 25), gatePassedAt: NOW - 5 * MIN }),
      actions: [],
      again: true,
      phase: {
        label: "handover:running",
        current: "release-canary",
        headline: "Gate of release-canary passed.",
        next: "",
      },
    },
  },
  {
    name: "merged, gate failed: failed recorded with the reason",
    in: snapshot(AT_RC, { "release-canary": { pr: mergedPull("release-canary"), gate: GATES.failed } }),
    out: {
      hidden: withStep(AT_RC, "release-canary", {
        ...mergeFacts("release-canary"),
        failed: { reason: "deployment replicore-a failed at 11:59:00 UTC: CrashLoopBackOff", at: NOW },
      }),
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        current: "release-canary",
        headline: "Gate of release-canary failed: deployment replicore-a failed at 11:59:00 UTC: CrashLoopBackOff",
        next: FIX_CLUSTER,
      },
    },
  },
  {
    name: "merged, gate timed out: failed recorded as timed out",
    in: snapshot(withStep(AT_RC, "release-canary", mergeFacts("release-canary", 121)), {
      "release-canary": { pr: mergedPull("release-canary", 121), gate: GATES.timedOut },
    }),
    out: {
      hidden: withStep(AT_RC, "release-canary", {
        ...mergeFacts("release-canary", 121),
        failed: { reason: `the gate timed out: ${GATES.timedOut.reason}`, at: NOW },
      }),
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        current: "release-canary",
        headline: `Gate of release-canary failed: the gate timed out: ${GATES.timedOut.reason}`,
        next: FIX_CLUSTER,
      },
    },
  },
  {
    name: "failed recorded: stays failed even when the gate now reads passed",
    in: snapshot(
      withStep(AT_RC, "release-canary", { ...mergeFacts("release-canary"), failed: { reason: "boom", at: NOW - MIN } }),
      { "release-canary": { pr: mergedPull("release-canary"), gate: GATES.passed } },
    ),
    out: {
      hidden: withStep(AT_RC, "release-canary", {
        ...mergeFacts("release-canary"),
        failed: { reason: "boom", at: NOW - MIN },
      }),
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        current: "release-canary",
        headline: "Gate of release-canary failed: boom",
        next: FIX_CLUSTER,
      },
    },
  },
  {
    name: "after retry (failed cleared, new window): soaking again",
    in: snapshot(withStep(AT_RC, "release-canary", { ...mergeFacts("release-canary"), windowStart: NOW - 5 * MIN }), {
      "release-canary": { pr: mergedPull("release-canary"), gate: GATES.soaking },
    }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { ...mergeFacts("release-canary"), windowStart: NOW - 5 * MIN }),
      actions: [],
      again: false,
      recheckAt: NOW + 10 * MIN,
      phase: {
        label: "handover:waiting",
        current: "release-canary",
        headline:
          "Waiting for the replicore-a health gate of release-canary: soaking (soak ends 12:10:00 UTC if it stays green)",
        next: GATE_NEXT("13:55:00 UTC"),
      },
    },
  },
  {
    name: "no-diff step: its gate is read on the recorded commit",
    in: snapshot(withStep(AT_RC, "release-canary", { noDiff: { sha: HEAD, at: NOW - 5 * MIN } }), {
      "release-canary": { gate: GATES.soaking },
    }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { noDiff: { sha: HEAD, at: NOW - 5 * MIN } }),
      actions: [],
      again: false,
      recheckAt: NOW + 10 * MIN,
      phase: {
        label: "handover:waiting",
        current: "release-canary",
        headline:
          "Waiting for the replicore-a health gate of release-canary: soaking (soak ends 12:10:00 UTC if it stays green)",
        next: GATE_NEXT("13:55:00 UTC"),
      },
    },
  },
  {
    name: "no-diff step, gate passed: done, again",
    in: snapshot(withStep(AT_RC, "release-canary", { noDiff: { sha: HEAD, at: NOW - 25 * MIN } }), {
      "release-canary": { gate: GATES.passed },
    }),
    out: {
      hidden: withStep(AT_RC, "release-canary", {
        noDiff: { sha: HEAD, at: NOW - 25 * MIN },
        gatePassedAt: NOW - 5 * MIN,
      }),
      actions: [],
      again: true,
      phase: {
        label: "handover:running",
        current: "release-canary",
        headline: "Gate of release-canary passed.",
        next: "",
      },
    },
  },
  {
    name: "paused after the merge: merge recorded, the gate is not advanced",
    in: snapshot(
      { ...AT_RC, paused: BOB },
      { "release-canary": { pr: mergedPull("release-canary"), gate: GATES.passed } },
    ),
    out: {
      hidden: { ...withStep(AT_RC, "release-canary", mergeFacts("release-canary")), paused: BOB },
      actions: [],
      again: false,
      phase: {
        label: "handover:paused",
        current: "release-canary",
        headline: "Paused by @bob: the gate of release-canary is not advanced.",
        next: "`/handover resume` continues.",
      },
    },
  },
  {
    name: "skipped gate counts as done: the next step opens",
    in: snapshot(
      withStep(AT_RC, "release-canary", { ...mergeFacts("release-canary"), skipped: { by: "mia", at: NOW - MIN } }),
      {
        "release-canary": { pr: mergedPull("release-canary"), gate: GATES.failed },
        "adopt-canary": { changes: changesOf("adopt-canary"), violations: [] },
      },
    ),
    out: {
      hidden: withStep(AT_RC, "release-canary", {
        ...mergeFacts("release-canary"),
        skipped: { by: "mia", at: NOW - MIN },
      }),
      again: true,
      actions: [
        {
          kind: "open",
          step: step("adopt-canary"),
          changes: changesOf("adopt-canary"),
          baseSha: HEAD,
          previousPr: 102,
        },
      ],
      phase: {
        label: "handover:running",
        current: "adopt-canary",
        headline: "Opening adopt-canary.",
        next: "Review and merge the pull request.",
      },
    },
  },
  {
    name: "decommission without approval: waiting, no action",
    in: snapshot(ALL_BUT_DECOM, { decommission: { changes: changesOf("decommission"), violations: [] } }),
    out: {
      hidden: ALL_BUT_DECOM,
      actions: [],
      again: false,
      phase: {
        label: "handover:waiting",
        current: "decommission",
        headline: "Every backend moved and every adopt gate passed: the old cluster is ready to be decommissioned.",
        next: "Deleting replicore-a's files is a human decision: comment `/handover decommission` (needs elevated permission).",
      },
    },
  },
  {
    name: "decommission approved: opened after the last adopt PR",
    in: snapshot(
      { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
      { decommission: { changes: changesOf("decommission"), violations: [] } },
    ),
    out: {
      hidden: { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
      again: true,
      actions: [
        {
          kind: "open",
          step: step("decommission"),
          changes: changesOf("decommission"),
          baseSha: HEAD,
          previousPr: prOf("adopt-rest"),
        },
      ],
      phase: {
        label: "handover:running",
        current: "decommission",
        headline: "Opening decommission.",
        next: "Review and merge the pull request.",
      },
    },
  },
  {
    name: "decommission PR open: running",
    in: snapshot(
      { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
      { decommission: { pr: pull("decommission") } },
    ),
    out: {
      hidden: { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
      actions: [],
      again: false,
      phase: {
        label: "handover:running",
        current: "decommission",
        headline: "Waiting for #108 (decommission) to be reviewed and merged.",
        next: MERGE_NEXT,
      },
    },
  },
  {
    name: "decommission merged: merge recorded, done",
    in: snapshot(
      { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
      { decommission: { pr: mergedPull("decommission") } },
    ),
    out: {
      hidden: withStep(
        { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
        "decommission",
        mergeFacts("decommission"),
      ),
      actions: [],
      again: false,
      phase: {
        label: "handover:done",
        headline: "Done: every backend moved from replicore-a to replicore-b, and replicore-a is decommissioned.",
        next: "Close this issue.",
      },
    },
  },
  {
    name: "everything done: done, state unchanged",
    in: snapshot(
      hiddenWith({
        steps: { ...doneBefore("decommission"), decommission: mergeFacts("decommission") },
        decommission: { by: "mia", at: 1 },
      }),
    ),
    out: {
      hidden: hiddenWith({
        steps: { ...doneBefore("decommission"), decommission: mergeFacts("decommission") },
        decommission: { by: "mia", at: 1 },
      }),
      actions: [],
      again: false,
      phase: {
        label: "handover:done",
        headline: "Done: every backend moved from replicore-a to replicore-b, and replicore-a is decommissioned.",
        next: "Close this issue.",
      },
    },
  },
];

describe("decide: state in, decision out", () => {
  it.each(ROWS)("$name", (row) => {
    expect(decide(row.in)).toStrictEqual(row.out);
  });

  it("every step kind is covered by an open row", () => {
    const opened = ROWS.flatMap((r) => r.out.actions.filter((a) => a.kind === "open").map((a) => a.step.kind));
    expect([...new Set(opened)].sort()).toStrictEqual(["adopt", "decommission", "prepare"]);
  });

  it("opens a release step after prepare passed", () => {
    const hidden = hiddenWith({ steps: doneBefore("release-canary") });
    expect(
      decide(snapshot(hidden, { "release-canary": { changes: changesOf("release-canary"), violations: [] } })).actions,
    ).toStrictEqual([
      {
        kind: "open",
        step: step("release-canary"),
        changes: changesOf("release-canary"),
        baseSha: HEAD,
        previousPr: 101,
      },
    ]);
  });

  it("decide does not mutate its input", () => {
    for (const row of ROWS) {
      const before = JSON.stringify({ ...row.in, views: [...row.in.views] });
      decide(row.in);
      expect(JSON.stringify({ ...row.in, views: [...row.in.views] })).toBe(before);
    }
  });

  it("a gate built by evaluateGate drives the same decision as the hand-written one", () => {
    const mergedAt = NOW - 25 * MIN;
    const gate = evaluateGate({
      checks: [
        {
          label: "flux/kustomization/replicore-a*",
          spec: { kind: "status", pattern: "flux/kustomization/replicore-a*" },
          observations: [{ at: mergedAt + MIN, state: "success", detail: "Applied" }],
        },
        {
          label: "deployment replicore-a",
          spec: { kind: "deployment", environment: "replicore-a" },
          observations: [{ at: mergedAt + 2 * MIN, state: "success", detail: "success" }],
        },
      ],
      windowStart: mergedAt,
      soakMs: 15 * MIN,
      timeoutMs: 120 * MIN,
      now: NOW,
    });
    expect(gate.state).toBe("passed");
    const decision = decide(snapshot(AT_RC, { "release-canary": { pr: mergedPull("release-canary", 25), gate } }));
    expect(decision.hidden.steps["release-canary"]).toStrictEqual({
      ...mergeFacts("release-canary", 25),
      gatePassedAt: mergedAt + 17 * MIN,
    });
    expect(decision.again).toBe(true);
  });

  it("paused with an open step PR: label paused, the headline says so, no action", () => {
    const decision = decide(
      snapshot({ ...AT_RC, paused: BOB }, { "release-canary": { pr: pull("release-canary"), humanCommits: false } }),
    );
    expect(decision.phase.label).toBe("handover:paused");
    expect(decision.phase.headline).toBe(
      `Paused by @${BOB.by}; #${pull("release-canary").number} (release-canary) stays open.`,
    );
    expect(decision.actions).toStrictEqual([]);
  });
});
