import type { GateResult } from "../health/index.js";
import type { PlannedStep } from "../plan/index.js";
import { nextOpening, openAt, windowOpen } from "../schedule/index.js";
import type { PullInfo } from "../spec/github.js";
import type { StatusLabel } from "../spec/markers.js";
import {
  stepDone,
  type Action,
  type AutoMergeView,
  type Decision,
  type HiddenState,
  type Phase,
  type PhaseReason,
  type ScheduleHold,
  type Snapshot,
  type StepRecord,
  type StepSchedule,
  type StepView,
} from "./types.js";

/** Whether a step may open now, and if not why and until when. Pure: the clock is the snapshot's. */
export function scheduleHold(schedule: StepSchedule | undefined, now: number): ScheduleHold | undefined {
  if (!schedule) return undefined;
  if (schedule.frozenByLabel) return { kind: "label", label: schedule.frozenByLabel };
  if (openAt(schedule.windows, schedule.freezes, now)) return undefined;
  const until = nextOpening(schedule.windows, schedule.freezes, now);
  const freeze = schedule.freezes.find((f) => f.from <= now && now < f.to);
  if (freeze) return { kind: "freeze", freeze: freeze.text, until, zone: freeze.zone };
  // The opening is shown in the zone of the window it falls in (else the first window's).
  const zone =
    schedule.windows.find((w) => until !== undefined && windowOpen(w, until))?.zone ??
    schedule.windows[0]?.zone ??
    "UTC";
  return { kind: "window", windows: schedule.windows.map((w) => w.text), until, zone };
}

function record(hidden: HiddenState, id: string): StepRecord {
  return hidden.steps[id] ?? {};
}

/**
 * A step with no PR that would not open now whatever its branch shows: it waits for a person (the decommission
 * command, a resume, an approval) or a time (a change window, a freeze). Observe does not read its branch then (a
 * branch not made yet answers 404, a counted request on every resync of a migration that may wait for days); the
 * reconcile that ends the wait reads it in its next round.
 */
export function waitsToOpen(snapshot: Snapshot, step: PlannedStep): boolean {
  const { hidden } = snapshot;
  return (
    (step.kind === "decommission" && !hidden.decommission) ||
    Boolean(hidden.paused) ||
    awaitsApproval(snapshot, step.id) ||
    scheduleHold(snapshot.schedule, snapshot.now) !== undefined
  );
}

/** The step needs `/handover approve` (`approve:` in handover.yml) and has not had it. */
function awaitsApproval(snapshot: Snapshot, id: string): boolean {
  return snapshot.approvals?.steps.includes(id) === true && !record(snapshot.hidden, id).approved;
}

function withRecord(hidden: HiddenState, id: string, patch: Partial<StepRecord>): HiddenState {
  return { ...hidden, steps: { ...hidden.steps, [id]: { ...record(hidden, id), ...patch } } };
}

function previousPr(hidden: HiddenState, steps: PlannedStep[], index: number): number | null {
  for (let i = index - 1; i >= 0; i--) {
    const pr = record(hidden, (steps[i] as PlannedStep).id).pr;
    if (pr !== undefined) return pr;
  }
  return null;
}

function abortActions(snapshot: Snapshot, aborted: NonNullable<HiddenState["aborted"]>): Action[] {
  // A rollback's revert PR under review is closed like a step PR: nothing of the migration stays open.
  const views = [...snapshot.views.values(), ...(snapshot.rollback ? [snapshot.rollback.view] : [])];
  // A step PR someone closed before the abort left its branch: it goes too, unless a person pushed to it (act.ts).
  const leftBehind: Action[] = views.flatMap((v) =>
    v.pr?.state === "closed" && !v.pr.merged && v.reopenable === true
      ? [{ kind: "delete-branch" as const, step: v.step, headSha: v.pr.headSha }]
      : [],
  );
  return views
    .filter((v) => v.pr?.state === "open")
    .map(
      (v): Action => ({
        kind: "close",
        step: v.step,
        pr: (v.pr as PullInfo).number,
        why: { kind: "aborted", by: aborted.by, reason: aborted.reason },
        // The branch goes (DESIGN: abort deletes it); the comment tells whoever pushed to it how to get it back.
        ...(v.humanCommits ? { peopleCommits: true } : {}),
      }),
    )
    .concat(leftBehind);
}

/** A decision that only shows where the migration stands. */
function hold(hidden: HiddenState, label: StatusLabel, current: string | undefined, reason: PhaseReason): Decision {
  return { hidden, actions: [], again: false, phase: phase(label, current, reason) };
}

function phase(label: StatusLabel, current: string | undefined, reason: PhaseReason): Phase {
  return current === undefined ? { label, reason } : { label, current, reason };
}

/**
 * A gate being watched is `handover:running`, like the review before it: the migration moves on by itself, and a step
 * costs no label write on its way. `handover:waiting` is kept for a migration held until a person or a time acts (an
 * approval, a change window or freeze, the decommission command).
 */
function gatePhase(
  snapshot: Snapshot,
  step: PlannedStep,
  gate: GateResult,
  readAllAt = Number.POSITIVE_INFINITY,
): Decision | "passed" {
  const { hidden, now } = snapshot;
  if (gate.state === "passed") return "passed";
  if (gate.state === "failed" || gate.state === "timed-out") {
    const reason = gate.state === "timed-out" ? `the gate timed out: ${gate.reason}` : gate.reason;
    return hold(withRecord(hidden, step.id, { failed: { reason, at: now } }), "handover:failed", step.id, {
      kind: "gate-failed",
      reason,
    });
  }
  // Absolute times, so the dashboard text (and its edit) changes only when the state does, not on every resync.
  const soakEndsAt =
    gate.state === "soaking" && gate.passingSince !== undefined && gate.soakLeftMs !== undefined
      ? snapshot.now + gate.soakLeftMs
      : undefined;
  const soakEnd =
    gate.state === "soaking" && gate.soakLeftMs !== undefined ? snapshot.now + gate.soakLeftMs : gate.deadline;
  return {
    ...hold(hidden, "handover:running", step.id, {
      kind: "gate-waiting",
      ...(step.gate ? { cluster: step.gate.cluster } : {}),
      state: gate.state,
      ...(soakEndsAt === undefined ? {} : { soakEndsAt }),
      deadline: gate.deadline,
    }),
    recheckAt: Math.min(soakEnd, gate.deadline, readAllAt),
  };
}

function heldBySchedule(hidden: HiddenState, step: PlannedStep, hold: ScheduleHold): Decision {
  const timed = hold.kind === "freeze" || hold.kind === "window";
  return {
    hidden,
    actions: [],
    again: false,
    phase: phase("handover:waiting", step.id, { kind: "held", hold }),
    ...(timed && hold.until !== undefined ? { recheckAt: hold.until } : {}),
  };
}

function openPhase(snapshot: Snapshot, view: StepView, index: number): Decision {
  const { hidden, now } = snapshot;
  const step = view.step;
  const held = (reason: PhaseReason, label: StatusLabel = "handover:failed"): Decision =>
    hold(hidden, label, step.id, reason);
  if (view.strays) return held({ kind: "stray-merges", prs: view.strays });
  if (view.problems?.length) return held({ kind: "step-problems", problems: view.problems });
  if (view.violations?.length)
    return held({ kind: "step-violations", violations: view.violations.map((v) => v.message) });
  if (hidden.paused) return held({ kind: "paused-before-open", by: hidden.paused.by }, "handover:paused");
  if (view.changes === undefined) return held({ kind: "not-computed" }, "handover:running");
  if (view.changes.length === 0) {
    return {
      hidden: withRecord(hidden, step.id, { noDiff: { sha: snapshot.headSha, at: now } }),
      actions: [],
      again: true,
      phase: phase("handover:running", step.id, { kind: "no-diff" }),
    };
  }
  const approval = snapshot.approvals;
  if (approval && awaitsApproval(snapshot, step.id))
    return heldBySchedule(hidden, step, {
      kind: "approval",
      permission: approval.permission,
      ...(approval.teams?.length ? { teams: approval.teams } : {}),
    });
  const schedule = scheduleHold(snapshot.schedule, now);
  if (schedule) return heldBySchedule(hidden, step, schedule);
  // It waited when observed (its branch was not read), and a command of this reconcile ended the wait: read it first.
  if (view.branchUnread)
    return { hidden, actions: [], again: true, phase: phase("handover:running", step.id, { kind: "checking" }) };
  return {
    hidden,
    again: true,
    actions: [
      {
        kind: "open",
        step,
        changes: view.changes,
        baseSha: snapshot.headSha,
        previousPr: previousPr(hidden, snapshot.steps, index),
        ...(view.branchFree ? { branchFree: true } : {}),
        ...(view.mergedHead ? { mergedHead: view.mergedHead } : {}),
      },
    ],
    phase: phase("handover:running", step.id, { kind: "opening" }),
  };
}

function pullPhase(snapshot: Snapshot, view: StepView, pr: PullInfo): Decision | "merged" {
  const { hidden } = snapshot;
  const step = view.step;
  if (pr.merged) return "merged";
  const rec = record(hidden, step.id);
  if (pr.state === "closed") {
    if (rec.reopen && !hidden.paused && view.reopenable === false) {
      // GitHub would refuse to reopen it (its branch is gone, or already in the default branch): the step opens anew,
      // as a new PR, or as no diff when its changes are all there.
      return {
        hidden: { ...withRecord(hidden, step.id, { reopen: false }), undone: [...hidden.undone, pr.number] },
        actions: [],
        again: true,
        phase: phase("handover:running", step.id, { kind: "opening" }),
      };
    }
    if (rec.reopen && !hidden.paused) {
      return {
        hidden: withRecord(hidden, step.id, { reopen: false }),
        actions: [{ kind: "reopen", step, pr: pr.number }],
        again: true,
        phase: phase("handover:running", step.id, { kind: "reopening", pr: pr.number }),
      };
    }
    return hold(hidden, "handover:paused", step.id, { kind: "closed-unmerged", pr: pr.number });
  }
  // (A PR behind the default branch with people's commits waits for them: GitHub offers them "Update branch".)
  if (pr.mergeable === false || (view.behind && !view.humanCommits)) {
    if (view.humanCommits)
      return hold(hidden, "handover:paused", step.id, { kind: "conflict-with-people", pr: pr.number });
    if (view.problems?.length || view.violations?.length)
      return openPhase(snapshot, view, snapshot.steps.indexOf(step));
    if (view.changes?.length) {
      return {
        hidden,
        actions: [refreshOf(view, pr, view.changes, snapshot.headSha)],
        again: true,
        phase: phase("handover:running", step.id, { kind: "refreshing", pr: pr.number }),
      };
    }
  }
  const peopleCommits = view.humanCommits === true;
  if (hidden.paused)
    return hold(hidden, "handover:paused", step.id, {
      kind: "paused-pr-open",
      by: hidden.paused.by,
      pr: pr.number,
      peopleCommits,
    });
  const auto = autoMergeView(snapshot, view, pr, rec);
  const review: PhaseReason = {
    kind: "review",
    pr: pr.number,
    draft: pr.draft,
    peopleCommits,
    ...(auto ? { autoMerge: auto } : {}),
    ...(view.behind && peopleCommits ? { behind: true } : {}),
  };
  if (auto?.state === "enabling" && pr.nodeId !== undefined)
    return {
      hidden,
      actions: [{ kind: "automerge", step, pr: pr.number, nodeId: pr.nodeId, headSha: pr.headSha }],
      again: true,
      phase: phase("handover:running", step.id, review),
    };
  if (auto?.state === "merging")
    return {
      hidden,
      actions: [
        {
          kind: "merge",
          step,
          pr: pr.number,
          headSha: pr.headSha,
          ...(pr.nodeId !== undefined ? { nodeId: pr.nodeId } : {}),
          ...(auto.method !== undefined ? { method: auto.method } : {}),
        },
      ],
      again: true,
      phase: phase("handover:running", step.id, review),
    };
  // GitHub was still working out whether Handover's own PR merges (after a push to either branch): looked at again in
  // a minute, so a conflict or a PR left behind is re-planned then, not at the next resync.
  return { ...hold(hidden, "handover:running", step.id, review), ...recheckOf(view, pr, snapshot.now) };
}

/**
 * How soon an open step PR whose mergeability GitHub had not worked out yet is looked at again: a minute, then as long
 * again as GitHub has taken so far, at most 10 minutes (a PR GitHub never works out is not read every minute for good).
 */
const MERGEABLE_RECHECK_MS = 60_000;
const MERGEABLE_RECHECK_MAX_MS = 10 * 60_000;

/** Handover's own open PR (a step's, or a revert) re-planned on the moved default branch: one commit on its head. */
function refreshOf(
  view: StepView,
  pr: PullInfo,
  changes: Extract<Action, { kind: "refresh" }>["changes"],
  baseSha: string,
): Action {
  return { kind: "refresh", step: view.step, pr: pr.number, headSha: pr.headSha, changes, baseSha };
}

/** The next look at Handover's own open PR whose mergeability GitHub was still working out. */
function recheckOf(view: StepView, pr: PullInfo, now: number): { recheckAt?: number } {
  if (pr.mergeable !== null || view.humanCommits) return {};
  const waited = now - (view.mergeableUnknownSince ?? now);
  return { recheckAt: now + Math.min(MERGEABLE_RECHECK_MAX_MS, Math.max(MERGEABLE_RECHECK_MS, waited)) };
}

/**
 * GitHub's auto-merge on an open step PR handover.yml marks for it: asked for once per PR (GitHub's `auto_merge` and
 * the state both say whether it was), once the PR is out of draft and only while its commits are Handover's.
 */
function autoMergeView(snapshot: Snapshot, view: StepView, pr: PullInfo, rec: StepRecord): AutoMergeView | undefined {
  if (!snapshot.automerge?.includes(view.step.id) || pr.draft) return undefined;
  if (pr.autoMerge) return { state: "on", method: pr.autoMerge.method };
  const asked = rec.autoMerge?.pr === pr.number ? rec.autoMerge : undefined;
  // Added to the merge queue at this head. At another, a push took it out (GitHub drops a PR whose head moved): Handover's
  // own re-planned head is merged (queued) again below, one with people's commits is theirs.
  if (asked?.queued === pr.headSha) return { state: "queued" };
  if (asked?.refused !== undefined) return { state: "refused", reason: asked.refused };
  if (asked?.clean && asked.method !== undefined && !asked.merged)
    return view.humanCommits ? { state: "people-commits" } : { state: "merging", method: asked.method };
  if (asked) return { state: "off" };
  if (view.humanCommits) return { state: "people-commits" };
  // GitHub refuses auto-merge on a PR it calls clean: not asked, merged (a state lost after asking asks nothing twice).
  if (pr.mergeableState === "clean") return { state: "merging" };
  return { state: "enabling" };
}

function rollbackPhase(snapshot: Snapshot, rollback: NonNullable<Snapshot["rollback"]>): Decision {
  const { now } = snapshot;
  let hidden = snapshot.hidden;
  const rb = hidden.rollback as NonNullable<HiddenState["rollback"]>;
  const { of: target, view } = rollback;
  const index = snapshot.steps.indexOf(target);
  // A later step's PR must not merge while the step before it is being reverted.
  const closes: Action[] = [...snapshot.views.values()]
    .filter((v) => v.pr?.state === "open" && snapshot.steps.indexOf(v.step) > index)
    .map((v) => ({
      kind: "close",
      step: v.step,
      pr: (v.pr as PullInfo).number,
      why: { kind: "rolling-back", by: rb.by, step: target.id },
      ...(v.humanCommits ? { peopleCommits: true } : {}),
    }));
  // Later steps' PRs closed unmerged do not count any more: their steps open again as new PRs after the resume. That is
  // each PR the rollback closes, once the next round sees it closed (not before: one that merges first still counts),
  // and one a person had closed already (as a rebuilt state has it: observe.ts, recoverRollbacks), made on a tree the
  // rollback changes.
  const closedBefore = [...snapshot.views.values()]
    .filter((v) => v.pr?.state === "closed" && !v.pr.merged && snapshot.steps.indexOf(v.step) > index)
    .map((v) => (v.pr as PullInfo).number);
  hidden = {
    ...hidden,
    undone: [...new Set([...hidden.undone, ...closedBefore])],
  };
  const at = (label: StatusLabel, reason: PhaseReason): Phase => phase(label, target.id, reason);
  const held = (label: StatusLabel, reason: PhaseReason): Decision => ({
    hidden,
    actions: closes,
    again: false,
    phase: at(label, reason),
  });
  if (rb.failed) return held("handover:failed", { kind: "rollback-failed", reason: rb.failed.reason });
  const finish = (): Decision => {
    const rec = hidden.steps[target.id] ?? {};
    const steps = { ...hidden.steps };
    delete steps[target.id];
    // A later step found on the default branch already (no diff) is judged again on the reverted tree, its gate too:
    // kept, its gate would go on reading the commit before the revert, with a window long gone by the resume.
    for (const later of snapshot.steps.slice(index + 1)) if (steps[later.id]?.noDiff) delete steps[later.id];
    hidden = {
      ...hidden,
      steps,
      rollback: null,
      paused: { by: rb.by, at: now },
      undone: [...hidden.undone, ...(rec.pr === undefined ? [] : [rec.pr])],
      rollbacks: { ...hidden.rollbacks, [target.id]: rb.attempt },
    };
    return {
      hidden,
      actions: closes,
      again: true,
      phase: at("handover:paused", { kind: "rolled-back" }),
    };
  };
  const pr = view.pr;
  if (!pr) {
    // The later step's PR merged before it could be closed (GitHub has no compare-and-swap between a close and a
    // merge): reverting the step before it now would leave that merge standing on a tree it no longer fits. The person
    // who asked decides again, with the chain paused.
    const later = snapshot.steps
      .slice(index + 1)
      .find((s) => hidden.steps[s.id]?.mergeSha !== undefined || snapshot.views.get(s.id)?.pr?.merged);
    if (later) {
      const merged = snapshot.views.get(later.id)?.pr?.number ?? hidden.steps[later.id]?.pr;
      hidden = { ...hidden, rollback: null, paused: { by: rb.by, at: now } };
      return held("handover:paused", {
        kind: "rollback-overtaken",
        step: later.id,
        ...(merged === undefined ? {} : { pr: merged }),
      });
    }
    if (view.problems?.length) return held("handover:failed", { kind: "rollback-problems", problems: view.problems });
    if (view.violations?.length)
      return held("handover:failed", {
        kind: "rollback-violations",
        violations: view.violations.map((v) => v.message),
      });
    if (!view.changes) return held("handover:running", { kind: "rollback-computing" });
    if (view.changes.length === 0) return finish();
    const open: Action = {
      kind: "open",
      step: view.step,
      changes: view.changes,
      baseSha: snapshot.headSha,
      previousPr: hidden.steps[target.id]?.pr ?? null,
      rollbackOf: target.id,
    };
    return {
      hidden,
      actions: [...closes, open],
      again: true,
      phase: at("handover:running", { kind: "rollback-opening" }),
    };
  }
  if (pr.state === "open") {
    // Handover's own revert PR the default branch moved under is re-planned as a step PR is; one with people's commits
    // is theirs to update.
    if (outOfDate(view) && !view.humanCommits) {
      if (view.problems?.length) return held("handover:failed", { kind: "rollback-problems", problems: view.problems });
      if (view.violations?.length)
        return held("handover:failed", {
          kind: "rollback-violations",
          violations: view.violations.map((v) => v.message),
          pr: pr.number,
        });
      if (view.changes?.length) {
        return {
          hidden,
          actions: [...closes, refreshOf(view, pr, view.changes, snapshot.headSha)],
          again: true,
          phase: at("handover:running", { kind: "rollback-refreshing", pr: pr.number }),
        };
      }
    }
    const review: PhaseReason = {
      kind: "rollback-review",
      pr: pr.number,
      ...(view.humanCommits ? { peopleCommits: true } : {}),
      ...(view.humanCommits && pr.mergeable === false ? { conflict: true } : {}),
      ...(view.humanCommits && view.behind ? { behind: true } : {}),
    };
    return { ...held("handover:running", review), ...recheckOf(view, pr, now) };
  }
  if (!pr.merged) {
    hidden = { ...hidden, rollback: null, paused: { by: rb.by, at: now } };
    return held("handover:paused", { kind: "rollback-cancelled", pr: pr.number });
  }
  if (rb.mergeSha === undefined)
    hidden = {
      ...hidden,
      rollback: { ...rb, pr: pr.number, mergeSha: pr.mergeCommitSha ?? pr.headSha, mergedAt: pr.mergedAt ?? now },
    };
  const gate = view.gate;
  if (!gate)
    return {
      hidden,
      actions: closes,
      again: true,
      phase: at("handover:running", { kind: "rollback-reading-gate" }),
    };
  if (gate.state === "passed") return finish();
  if (gate.state === "failed" || gate.state === "timed-out") {
    hidden = {
      ...hidden,
      rollback: {
        ...(hidden.rollback as NonNullable<HiddenState["rollback"]>),
        failed: { reason: gate.reason, at: now },
      },
    };
    return held("handover:failed", { kind: "rollback-gate-failed", reason: gate.reason });
  }
  return held("handover:running", {
    kind: "rollback-gate-waiting",
    ...(target.gate ? { cluster: target.gate.cluster } : {}),
    state: gate.state,
    ...(gate.soakLeftMs === undefined ? {} : { soakEndsAt: now + gate.soakLeftMs }),
  });
}

/** The next actions for a migration, from what GitHub shows now. Pure: no I/O, no clock. */
export function decide(snapshot: Snapshot): Decision {
  let hidden = snapshot.hidden;
  if (snapshot.problems.length > 0)
    return hold(hidden, "handover:failed", undefined, { kind: "cannot-start", problems: snapshot.problems });
  if (hidden.blocked) {
    const { kind, status, request, message } = hidden.blocked;
    return hold(hidden, "handover:failed", snapshot.steps.find((s) => !stepDone(hidden, s))?.id, {
      kind: "blocked",
      error: kind,
      ...(status === undefined ? {} : { status }),
      ...(request === undefined ? {} : { request }),
      message,
    });
  }
  // The plan was made on the head (observe plans on it while there is no base): it becomes the base, and the same
  // round goes on to open the first step.
  if (hidden.base === null) return decide({ ...snapshot, hidden: { ...hidden, base: snapshot.headSha } });
  if (hidden.aborted) {
    const { by, reason } = hidden.aborted;
    return {
      ...hold(hidden, "handover:aborted", undefined, { kind: "aborted", by, reason }),
      actions: abortActions(snapshot, hidden.aborted),
    };
  }
  if (hidden.rollback && snapshot.rollback) return rollbackPhase(snapshot, snapshot.rollback);
  // A rollback applied in this round, after the snapshot was observed: nothing else is decided (a step opened now would
  // be closed by the rollback at once); the next round observes the revert.
  const asked = hidden.rollback;
  if (
    asked &&
    !snapshot.rollback &&
    hidden.steps[asked.step]?.mergeSha !== undefined &&
    snapshot.steps.some((s) => s.id === asked.step)
  )
    return { ...hold(hidden, "handover:running", asked.step, { kind: "rollback-computing" }), again: true };
  for (const [index, step] of snapshot.steps.entries()) {
    if (stepDone(hidden, step)) continue;
    const view = snapshot.views.get(step.id);
    if (!view)
      return {
        hidden,
        actions: [],
        again: true,
        phase: phase("handover:running", step.id, { kind: "checking" }),
      };
    const rec = record(hidden, step.id);
    if (rec.failed) return hold(hidden, "handover:failed", step.id, { kind: "gate-failed", reason: rec.failed.reason });
    if (step.kind === "decommission" && !hidden.decommission && !view.pr)
      return hold(hidden, "handover:waiting", step.id, { kind: "awaiting-decommission", cluster: step.cluster });
    if (!view.pr && !rec.noDiff) return openPhase(snapshot, view, index);
    if (view.pr && !rec.noDiff) {
      const pull = pullPhase(snapshot, view, view.pr);
      if (pull !== "merged") return pull;
      if (rec.mergeSha === undefined) {
        hidden = withRecord(hidden, step.id, {
          pr: view.pr.number,
          mergeSha: view.pr.mergeCommitSha ?? view.pr.headSha,
          mergedAt: view.pr.mergedAt ?? snapshot.now,
        });
      }
      if (step.kind === "decommission") continue;
    }
    if (hidden.paused) return hold(hidden, "handover:paused", step.id, { kind: "paused-gate", by: hidden.paused.by });
    if (!view.gate)
      return {
        hidden,
        actions: [],
        again: true,
        phase: phase("handover:running", step.id, { kind: "reading-gate" }),
      };
    const gate = gatePhase({ ...snapshot, hidden }, step, view.gate, view.gateReadAllAt);
    if (gate !== "passed") return gate;
    hidden = withRecord(hidden, step.id, { gatePassedAt: view.gate.passedAt ?? snapshot.now });
    return {
      hidden,
      actions: [],
      again: true,
      phase: phase("handover:running", step.id, { kind: "gate-passed" }),
    };
  }
  const source = snapshot.steps.find((s) => s.kind === "decommission")?.cluster;
  const target = snapshot.steps.find((s) => s.kind === "prepare")?.cluster;
  return hold(hidden, "handover:done", undefined, {
    kind: "done",
    ...(source === undefined ? {} : { source }),
    ...(target === undefined ? {} : { target }),
  });
}

/**
 * A step's open PR that cannot merge as it is: it conflicts with the default branch, or it is behind a default branch
 * the repo requires it to be up to date with. Handover's own step PR is then re-planned on the new head; GitHub's
 * auto-merge would wait for ever.
 */
export function outOfDate(view: Pick<StepView, "pr" | "behind">): boolean {
  return view.pr?.mergeable === false || view.behind === true;
}
