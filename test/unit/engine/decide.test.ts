import { describe, expect, it } from "vitest";
import { decide, waitsToOpen } from "../../../src/engine/decide.js";
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

/** Everything before decommission done, no `/handover decommission` yet: it waits, whatever its branch. */
const AWAITING_DECOMMISSION: Decision = {
  hidden: ALL_BUT_DECOM,
  actions: [],
  again: false,
  phase: {
    label: "handover:waiting",
    current: "decommission",
    reason: { kind: "awaiting-decommission", cluster: "replicore-a" },
  },
};

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
        reason: { kind: "cannot-start", problems: ["Target version: missing", 'Source cluster: "x" is not a cluster'] },
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
      phase: { label: "handover:failed", reason: { kind: "cannot-start", problems: ["bad"] } },
    },
  },
  {
    name: "no base yet: the head (the plan was made on it) is recorded as the base, and the first step opens at once",
    in: snapshot(hiddenWith({ base: null }), { prepare: { changes: changesOf("prepare") } }),
    out: {
      hidden: hiddenWith({ base: HEAD }),
      actions: [
        { kind: "open", step: step("prepare"), changes: changesOf("prepare"), baseSha: HEAD, previousPr: null },
      ],
      again: true,
      phase: { label: "handover:running", current: "prepare", reason: { kind: "opening" } },
    },
  },
  {
    name: "aborted: every open step PR is closed, saying who aborted and why; a PR with people's commits says how to get them back; a branch a closed PR left goes too",
    in: snapshot(
      hiddenWith({
        steps: doneBefore("release-canary"),
        aborted: { by: "alice", at: NOW - MIN, reason: "wrong target" },
      }),
      {
        prepare: { pr: mergedPull("prepare") },
        "release-canary": { pr: pull("release-canary") },
        "adopt-canary": { pr: pull("adopt-canary", { draft: true }), humanCommits: true },
        "release-wave-1": { pr: pull("release-wave-1", { state: "closed" }) },
        // Closed by someone before the abort, its branch still there with a commit the default branch lacks.
        "adopt-wave-1": { pr: pull("adopt-wave-1", { state: "closed" }), reopenable: true },
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
          why: { kind: "aborted", by: "alice", reason: "wrong target" },
        },
        {
          kind: "close",
          step: step("adopt-canary"),
          pr: 103,
          why: { kind: "aborted", by: "alice", reason: "wrong target" },
          // Its head is a person's commit: the close comment says how to restore the branch.
          peopleCommits: true,
        },
        { kind: "delete-branch", step: step("adopt-wave-1"), headSha: pull("adopt-wave-1").headSha },
      ],
      again: false,
      phase: { label: "handover:aborted", reason: { kind: "aborted", by: "alice", reason: "wrong target" } },
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
      phase: { label: "handover:aborted", reason: { kind: "aborted", by: "alice", reason: "" } },
    },
  },
  {
    name: "no view yet for the current step: checking, again",
    in: snapshot(AT_RC),
    out: {
      hidden: AT_RC,
      actions: [],
      again: true,
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "checking" } },
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
      phase: { label: "handover:running", current: "prepare", reason: { kind: "opening" } },
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
      phase: { label: "handover:running", current: "adopt-canary", reason: { kind: "opening" } },
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
      phase: { label: "handover:running", current: "adopt-canary", reason: { kind: "opening" } },
    },
  },
  {
    name: "no diff: noDiff recorded on the head at now, again, no action",
    in: snapshot(AT_RC, { "release-canary": { changes: [], violations: [] } }),
    out: {
      hidden: withStep(AT_RC, "release-canary", { noDiff: { sha: HEAD, at: NOW } }),
      actions: [],
      again: true,
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "no-diff" } },
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
        reason: {
          kind: "step-violations",
          violations: [
            "backend mongo is referenced by replicore-a and replicore-b",
            "replicore-a and replicore-b share the coordinator ensemble zk:2181",
          ],
        },
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
        reason: { kind: "step-violations", violations: ["backend mongo is referenced by replicore-a and replicore-b"] },
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
        reason: {
          kind: "step-problems",
          problems: [
            "clusters/replicore-a/replicante.yaml: backend mongo.yaml is not in the list",
            "restart key missing",
          ],
        },
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
      phase: { label: "handover:paused", current: "release-canary", reason: { kind: "paused-before-open", by: "bob" } },
    },
  },
  {
    name: "paused: a no-diff step is not recorded either",
    in: snapshot({ ...AT_RC, paused: BOB }, { "release-canary": { changes: [] } }),
    out: {
      hidden: { ...AT_RC, paused: BOB },
      actions: [],
      again: false,
      phase: { label: "handover:paused", current: "release-canary", reason: { kind: "paused-before-open", by: "bob" } },
    },
  },
  {
    name: "changes not computed yet: running, no action",
    in: snapshot(AT_RC, { "release-canary": {} }),
    out: {
      hidden: AT_RC,
      actions: [],
      again: false,
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "not-computed" } },
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
        reason: { kind: "review", pr: 102, draft: false, peopleCommits: false },
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
        reason: { kind: "review", pr: 101, draft: true, peopleCommits: false },
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
        reason: { kind: "review", pr: 101, draft: true, peopleCommits: true },
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
        reason: { kind: "review", pr: 102, draft: false, peopleCommits: true },
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
      phase: { label: "handover:paused", current: "release-canary", reason: { kind: "closed-unmerged", pr: 102 } },
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
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "reopening", pr: 102 } },
    },
  },
  {
    name: "PR closed, retry asked, but GitHub would not reopen it (branch gone or in main): the PR is undone, no reopen",
    in: snapshot(withStep(AT_RC, "release-canary", { reopen: true }), {
      "release-canary": { pr: pull("release-canary", { state: "closed" }), reopenable: false },
    }),
    out: {
      hidden: { ...withStep(AT_RC, "release-canary", { reopen: false }), undone: [102] },
      again: true,
      actions: [],
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "opening" } },
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
      phase: { label: "handover:paused", current: "release-canary", reason: { kind: "closed-unmerged", pr: 102 } },
    },
  },
  {
    name: "merged, gate not read yet: merge recorded, again",
    in: snapshot(AT_RC, { "release-canary": { pr: mergedPull("release-canary") } }),
    out: {
      hidden: withStep(AT_RC, "release-canary", mergeFacts("release-canary")),
      actions: [],
      again: true,
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "reading-gate" } },
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
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "reading-gate" } },
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
        label: "handover:running",
        current: "release-canary",
        reason: { kind: "gate-waiting", cluster: "replicore-a", state: "pending", deadline: NOW + 115 * MIN },
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
        label: "handover:running",
        current: "release-canary",
        reason: {
          kind: "gate-waiting",
          cluster: "replicore-a",
          state: "soaking",
          soakEndsAt: NOW + 10 * MIN,
          deadline: NOW + 115 * MIN,
        },
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
        label: "handover:running",
        current: "adopt-canary",
        reason: { kind: "gate-waiting", cluster: "replicore-b", state: "pending", deadline: NOW + 115 * MIN },
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
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "gate-passed" } },
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
        reason: { kind: "gate-failed", reason: "deployment replicore-a failed at 11:59:00 UTC: CrashLoopBackOff" },
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
        reason: {
          kind: "gate-failed",
          reason:
            "the gate timed out: not healthy for 15m within 2h (deadline 11:59:00 UTC); still waiting for deployment replicore-a (nothing reported yet)",
        },
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
      phase: { label: "handover:failed", current: "release-canary", reason: { kind: "gate-failed", reason: "boom" } },
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
        label: "handover:running",
        current: "release-canary",
        reason: {
          kind: "gate-waiting",
          cluster: "replicore-a",
          state: "soaking",
          soakEndsAt: NOW + 10 * MIN,
          deadline: NOW + 115 * MIN,
        },
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
        label: "handover:running",
        current: "release-canary",
        reason: {
          kind: "gate-waiting",
          cluster: "replicore-a",
          state: "soaking",
          soakEndsAt: NOW + 10 * MIN,
          deadline: NOW + 115 * MIN,
        },
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
      phase: { label: "handover:running", current: "release-canary", reason: { kind: "gate-passed" } },
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
      phase: { label: "handover:paused", current: "release-canary", reason: { kind: "paused-gate", by: "bob" } },
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
      phase: { label: "handover:running", current: "adopt-canary", reason: { kind: "opening" } },
    },
  },
  {
    name: "decommission without approval: waiting, no action",
    in: snapshot(ALL_BUT_DECOM, { decommission: { changes: changesOf("decommission"), violations: [] } }),
    out: AWAITING_DECOMMISSION,
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
      phase: { label: "handover:running", current: "decommission", reason: { kind: "opening" } },
    },
  },
  {
    name: "decommission waiting, its branch not read: waiting all the same",
    in: snapshot(ALL_BUT_DECOM, {
      decommission: { changes: changesOf("decommission"), violations: [], branchUnread: true },
    }),
    out: AWAITING_DECOMMISSION,
  },
  {
    name: "decommission approved by a command of this reconcile, its branch not read yet: another round reads it first",
    in: snapshot(
      { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
      { decommission: { changes: changesOf("decommission"), violations: [], branchUnread: true } },
    ),
    out: {
      hidden: { ...ALL_BUT_DECOM, decommission: { by: "mia", at: NOW - MIN } },
      again: true,
      actions: [],
      phase: { label: "handover:running", current: "decommission", reason: { kind: "checking" } },
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
        reason: { kind: "review", pr: 108, draft: false, peopleCommits: false },
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
      phase: { label: "handover:done", reason: { kind: "done", source: "replicore-a", target: "replicore-b" } },
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
      phase: { label: "handover:done", reason: { kind: "done", source: "replicore-a", target: "replicore-b" } },
    },
  },
];

describe("waitsToOpen: a step without a PR whose branch need not be read yet", () => {
  const at = (hidden: HiddenState) => snapshot(hidden, {});
  it("waits for the decommission command, a resume, an approval, a freeze or window; not otherwise", () => {
    expect(waitsToOpen(at(ALL_BUT_DECOM), step("decommission"))).toBe(true);
    expect(waitsToOpen(at({ ...ALL_BUT_DECOM, decommission: BOB }), step("decommission"))).toBe(false);
    expect(waitsToOpen(at(AT_RC), step("release-canary"))).toBe(false);
    expect(waitsToOpen(at({ ...AT_RC, paused: BOB }), step("release-canary"))).toBe(true);
    const approvals = { steps: ["release-canary"], permission: "maintain" };
    expect(waitsToOpen({ ...at(AT_RC), approvals }, step("release-canary"))).toBe(true);
    expect(waitsToOpen({ ...at(AT_RC), approvals }, step("adopt-canary"))).toBe(false);
    const approved = withStep(AT_RC, "release-canary", { approved: BOB });
    expect(waitsToOpen({ ...at(approved), approvals }, step("release-canary"))).toBe(false);
    const schedule = { windows: [], freezes: [], frozenByLabel: "handover:freeze" };
    expect(waitsToOpen({ ...at(AT_RC), schedule }, step("release-canary"))).toBe(true);
  });
});

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

  it("paused with an open step PR: label paused, the reason says so, no action", () => {
    const decision = decide(
      snapshot({ ...AT_RC, paused: BOB }, { "release-canary": { pr: pull("release-canary"), humanCommits: false } }),
    );
    expect(decision.phase).toStrictEqual({
      label: "handover:paused",
      current: "release-canary",
      reason: { kind: "paused-pr-open", by: BOB.by, pr: pull("release-canary").number, peopleCommits: false },
    });
    expect(decision.actions).toStrictEqual([]);
  });
});
