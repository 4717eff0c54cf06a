import { formatClock, type GateResult } from "../health/index.js";
import type { PlannedStep } from "../plan/index.js";
import type { PullInfo } from "../spec/github.js";
import type { StatusLabel } from "../spec/markers.js";
import {
  stepDone,
  type Action,
  type Decision,
  type HiddenState,
  type Phase,
  type Snapshot,
  type StepRecord,
  type StepView,
} from "./types.js";

type Label = StatusLabel;

function record(hidden: HiddenState, id: string): StepRecord {
  return hidden.steps[id] ?? {};
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

function abortActions(snapshot: Snapshot): Action[] {
  const reason = snapshot.hidden.aborted?.reason || "no reason given";
  const by = snapshot.hidden.aborted?.by ?? "an operator";
  return [...snapshot.views.values()]
    .filter((v) => v.pr?.state === "open")
    .map((v) => ({
      kind: "close" as const,
      step: v.step,
      pr: (v.pr as PullInfo).number,
      comment: `Closed by Handover: @${by} aborted the migration (#${snapshot.issue}): ${reason}.\nThe step branch is deleted; nothing else will be opened.`,
    }));
}

const RETRY_ABORT =
  "`/handover retry` to try again, `/handover rollback` to revert the last merged step, or `/handover abort` to stop";

function gatePhase(snapshot: Snapshot, step: PlannedStep, gate: GateResult): Decision | "passed" {
  const { hidden, now } = snapshot;
  if (gate.state === "passed") return "passed";
  if (gate.state === "failed" || gate.state === "timed-out") {
    const reason = gate.state === "timed-out" ? `the gate timed out: ${gate.reason}` : gate.reason;
    return {
      hidden: withRecord(hidden, step.id, { failed: { reason, at: now } }),
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        current: step.id,
        headline: `Gate of ${step.id} failed: ${reason}`,
        next: `Fix the cluster, then ${RETRY_ABORT}.`,
      },
    };
  }
  // Absolute times, so the dashboard text (and its edit) changes only when the state does, not on every resync.
  const left =
    gate.state === "soaking" && gate.passingSince !== undefined && gate.soakLeftMs !== undefined
      ? ` (soak ends ${formatClock(snapshot.now + gate.soakLeftMs)} if it stays green)`
      : "";
  const soakEnd =
    gate.state === "soaking" && gate.soakLeftMs !== undefined ? snapshot.now + gate.soakLeftMs : gate.deadline;
  return {
    hidden,
    actions: [],
    again: false,
    recheckAt: Math.min(soakEnd, gate.deadline),
    phase: {
      label: "handover:waiting",
      current: step.id,
      headline: `Waiting for the ${step.gate?.cluster ?? ""} health gate of ${step.id}: ${gate.state}${left}`,
      next: `Nothing to do: the next step opens by itself once the gate passes (time-out at ${formatClock(gate.deadline)}). \`/handover pause\` holds it.`,
    },
  };
}

function openPhase(snapshot: Snapshot, view: StepView, index: number): Decision {
  const { hidden, now } = snapshot;
  const step = view.step;
  const held = (headline: string, next: string, label: Label = "handover:failed"): Decision => ({
    hidden,
    actions: [],
    again: false,
    phase: { label, current: step.id, headline, next },
  });
  if (view.problems?.length)
    return held(
      `Step ${step.id} cannot be computed on the default branch: ${view.problems.join("; ")}`,
      "Fix the repo (or the issue body); Handover re-checks on every push.",
    );
  if (view.violations?.length) {
    return held(
      `Step ${step.id} would break the invariant: ${view.violations.map((v) => v.message).join("; ")}`,
      "Fix the repo so no two clusters share a datastore; Handover re-checks on every push. Nothing was opened.",
    );
  }
  if (hidden.paused)
    return held(
      `Paused by @${hidden.paused.by} before opening ${step.id}.`,
      "`/handover resume` continues.",
      "handover:paused",
    );
  if (view.changes === undefined)
    return held(`Step ${step.id} is not computed yet.`, "Handover re-checks shortly.", "handover:running");
  if (view.changes.length === 0) {
    return {
      hidden: withRecord(hidden, step.id, { noDiff: { sha: snapshot.headSha, at: now } }),
      actions: [],
      again: true,
      phase: {
        label: "handover:running",
        current: step.id,
        headline: `${step.id}: already on the default branch (skipped, no diff).`,
        next: "Its gate is checked next.",
      },
    };
  }
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
      },
    ],
    phase: {
      label: "handover:running",
      current: step.id,
      headline: `Opening ${step.id}.`,
      next: "Review and merge the pull request.",
    },
  };
}

function pullPhase(snapshot: Snapshot, view: StepView, pr: PullInfo): Decision | "merged" {
  const { hidden } = snapshot;
  const step = view.step;
  if (pr.merged) return "merged";
  const rec = record(hidden, step.id);
  if (pr.state === "closed") {
    if (rec.reopen && !hidden.paused) {
      return {
        hidden: withRecord(hidden, step.id, { reopen: false }),
        actions: [{ kind: "reopen", step, pr: pr.number }],
        again: true,
        phase: {
          label: "handover:running",
          current: step.id,
          headline: `Reopening #${pr.number}.`,
          next: "Review and merge it.",
        },
      };
    }
    return {
      hidden,
      actions: [],
      again: false,
      phase: {
        label: "handover:paused",
        current: step.id,
        headline: `#${pr.number} (${step.id}) was closed without merging: the chain is paused.`,
        next: "Reopen it, or `/handover retry` to have Handover reopen it, or `/handover abort` to stop.",
      },
    };
  }
  if (pr.mergeable === false) {
    if (view.humanCommits) {
      return {
        hidden,
        actions: [],
        again: false,
        phase: {
          label: "handover:paused",
          current: step.id,
          headline: `#${pr.number} (${step.id}) conflicts with the default branch and has commits pushed by people, so Handover leaves it alone.`,
          next: "Resolve the conflict on the branch by hand; the chain continues once it is merged.",
        },
      };
    }
    if (view.problems?.length || view.violations?.length)
      return openPhase(snapshot, view, snapshot.steps.indexOf(step));
    if (view.changes?.length) {
      return {
        hidden,
        actions: [
          {
            kind: "refresh",
            step,
            pr: pr.number,
            headSha: pr.headSha,
            changes: view.changes,
            baseSha: snapshot.headSha,
          },
        ],
        again: true,
        phase: {
          label: "handover:running",
          current: step.id,
          headline: `The default branch moved under #${pr.number}: ${step.id} is re-planned on the new head.`,
          next: "Review and merge it.",
        },
      };
    }
  }
  const people = view.humanCommits ? " It has commits pushed by people; Handover leaves them as they are." : "";
  if (hidden.paused) {
    return {
      hidden,
      actions: [],
      again: false,
      phase: {
        label: "handover:paused",
        current: step.id,
        headline: `Paused by @${hidden.paused.by}; #${pr.number} (${step.id}) stays open.${people}`,
        next: "`/handover resume` continues: no gate advances and no PR opens while paused.",
      },
    };
  }
  const draft = pr.draft
    ? " It is a draft: fill in every REPLACE-ME (the new cluster's own dependencies), then mark it ready."
    : "";
  return {
    hidden,
    actions: [],
    again: false,
    phase: {
      label: "handover:running",
      current: step.id,
      headline: `Waiting for #${pr.number} (${step.id}) to be reviewed and merged.${draft}${people}`,
      next: "Merge it when it looks right; the gate starts at the merge.",
    },
  };
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
      comment: `Closed by Handover: @${rb.by} is rolling back ${target.id} (#${snapshot.issue}). This step opens again after \`/handover resume\`.`,
    }));
  // PRs closed by the rollback do not count any more: their steps open again as new PRs.
  hidden = {
    ...hidden,
    undone: [...new Set([...hidden.undone, ...closes.map((c) => (c.kind === "close" ? c.pr : 0))])],
  };
  const phase = (label: Label, headline: string, next: string): Phase => ({
    label,
    current: target.id,
    headline,
    next,
  });
  const hold = (label: Label, headline: string, next: string, actions: Action[] = closes): Decision => ({
    hidden,
    actions,
    again: false,
    phase: phase(label, headline, next),
  });
  if (rb.failed)
    return hold(
      "handover:failed",
      `Rollback of ${target.id} failed: ${rb.failed.reason}`,
      `Fix the cluster, then \`/handover retry\`, or \`/handover abort\`.`,
    );
  const finish = (): Decision => {
    const rec = hidden.steps[target.id] ?? {};
    const steps = { ...hidden.steps };
    delete steps[target.id];
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
      phase: phase(
        "handover:paused",
        `Rolled back ${target.id}; the chain is paused.`,
        `\`/handover resume\` opens ${target.id} again; \`/handover abort\` stops.`,
      ),
    };
  };
  const pr = view.pr;
  if (!pr) {
    if (view.problems?.length)
      return hold(
        "handover:failed",
        `The rollback of ${target.id} cannot be computed: ${view.problems.join("; ")}`,
        "Fix the repo; Handover re-checks on every push.",
      );
    if (view.violations?.length)
      return hold(
        "handover:failed",
        `Rolling back ${target.id} would break the invariant: ${view.violations.map((v) => v.message).join("; ")}`,
        "Nothing was opened. Fix the repo, or `/handover abort`.",
      );
    if (!view.changes) return hold("handover:running", `Computing the rollback of ${target.id}.`, "");
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
      phase: phase("handover:running", `Opening the rollback of ${target.id}.`, "Review and merge the revert PR."),
    };
  }
  if (pr.state === "open")
    return hold(
      "handover:running",
      `Waiting for the rollback PR #${pr.number} (${target.id}) to be reviewed and merged.`,
      "Merge it to revert; its gate follows like any step.",
    );
  if (!pr.merged) {
    hidden = { ...hidden, rollback: null };
    return hold(
      "handover:paused",
      `The rollback PR #${pr.number} was closed without merging: rollback cancelled.`,
      "`/handover rollback` to try again, `/handover resume` to go on.",
    );
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
      phase: phase("handover:waiting", `Reading the gate of the rollback of ${target.id}.`, ""),
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
    return hold(
      "handover:failed",
      `Gate of the rollback of ${target.id} failed: ${gate.reason}`,
      "Fix the cluster, then `/handover abort` or resolve by hand.",
    );
  }
  const left =
    gate.soakLeftMs !== undefined ? ` (soak ends ${formatClock(now + gate.soakLeftMs)} if it stays green)` : "";
  return hold(
    "handover:waiting",
    `Waiting for the ${target.gate?.cluster ?? ""} health gate of the rollback of ${target.id}: ${gate.state}${left}`,
    "Nothing to do: the chain pauses once it passes.",
  );
}

/** The next actions for a migration, from what GitHub shows now. Pure: no I/O, no clock. */
export function decide(snapshot: Snapshot): Decision {
  let hidden = snapshot.hidden;
  if (snapshot.problems.length > 0) {
    const count = snapshot.problems.length;
    return {
      hidden,
      actions: [],
      again: false,
      phase: {
        label: "handover:failed",
        headline: `Handover cannot start: ${count === 1 ? "1 problem" : `${count} problems`} to fix.`,
        next: "Edit the issue (or fix the repo); Handover re-reads it on every edit.",
        problems: snapshot.problems,
      },
    };
  }
  if (hidden.base === null)
    return {
      hidden: { ...hidden, base: snapshot.headSha },
      actions: [],
      again: true,
      phase: { label: "handover:running", headline: "Planning.", next: "" },
    };
  if (hidden.aborted) {
    return {
      hidden,
      actions: abortActions(snapshot),
      again: false,
      phase: {
        label: "handover:aborted",
        headline: `Aborted by @${hidden.aborted.by}: ${hidden.aborted.reason || "no reason given"}.`,
        next: "Nothing more will be opened. File a new issue to start again.",
      },
    };
  }
  if (hidden.rollback && snapshot.rollback) return rollbackPhase(snapshot, snapshot.rollback);
  for (const [index, step] of snapshot.steps.entries()) {
    if (stepDone(hidden, step)) continue;
    const view = snapshot.views.get(step.id);
    if (!view)
      return {
        hidden,
        actions: [],
        again: true,
        phase: { label: "handover:running", current: step.id, headline: `Checking ${step.id}.`, next: "" },
      };
    const rec = record(hidden, step.id);
    if (rec.failed) {
      return {
        hidden,
        actions: [],
        again: false,
        phase: {
          label: "handover:failed",
          current: step.id,
          headline: `Gate of ${step.id} failed: ${rec.failed.reason}`,
          next: `Fix the cluster, then ${RETRY_ABORT}.`,
        },
      };
    }
    if (step.kind === "decommission" && !hidden.decommission && !view.pr) {
      return {
        hidden,
        actions: [],
        again: false,
        phase: {
          label: "handover:waiting",
          current: step.id,
          headline: "Every backend moved and every adopt gate passed: the old cluster is ready to be decommissioned.",
          next: `Deleting ${step.cluster}'s files is a human decision: comment \`/handover decommission\` (needs elevated permission).`,
        },
      };
    }
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
    if (hidden.paused)
      return {
        hidden,
        actions: [],
        again: false,
        phase: {
          label: "handover:paused",
          current: step.id,
          headline: `Paused by @${hidden.paused.by}: the gate of ${step.id} is not advanced.`,
          next: "`/handover resume` continues.",
        },
      };
    if (!view.gate)
      return {
        hidden,
        actions: [],
        again: true,
        phase: { label: "handover:waiting", current: step.id, headline: `Reading the gate of ${step.id}.`, next: "" },
      };
    const gate = gatePhase({ ...snapshot, hidden }, step, view.gate);
    if (gate !== "passed") return gate;
    hidden = withRecord(hidden, step.id, { gatePassedAt: view.gate.passedAt ?? snapshot.now });
    return {
      hidden,
      actions: [],
      again: true,
      phase: { label: "handover:running", current: step.id, headline: `Gate of ${step.id} passed.`, next: "" },
    };
  }
  const source = snapshot.steps.find((s) => s.kind === "decommission")?.cluster ?? "the old cluster";
  const target = snapshot.steps.find((s) => s.kind === "prepare")?.cluster ?? "the new cluster";
  return {
    hidden,
    actions: [],
    again: false,
    phase: {
      label: "handover:done",
      headline: `Done: every backend moved from ${source} to ${target}, and ${source} is decommissioned.`,
      next: "Close this issue.",
    },
  };
}
