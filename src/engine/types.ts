/**
 * The types shared by observe, decide, act and render: what observe saw, what decide returns. This module imports no
 * other engine file, so every engine stage and the renderer depend on it and never on each other's internals.
 */
import type { GateResult } from "../health/index.js";
import type { PlannedStep } from "../plan/index.js";
import type { FileChange, FileMap } from "../repo/index.js";
import type { PullInfo } from "../spec/github.js";
import type { StatusLabel } from "../spec/markers.js";
import type { HiddenState } from "../spec/state.js";
import type { Violation } from "../spec/violation.js";
import type { ChangeWindow, DateFreeze } from "../schedule/index.js";

export type { AuditEntry, HiddenState, StepRecord } from "../spec/state.js";

/** What observe found for one step (only the steps up to the current one are observed). */
export interface StepView {
  step: PlannedStep;
  pr?: PullInfo;
  /** The open PR's head commit is not Handover's: people pushed to the step branch. */
  humanCommits?: boolean;
  /**
   * The open PR is behind the default branch, which branch protection requires it to be up to date with: GitHub's
   * `mergeable_state` says `behind` only then.
   */
  behind?: boolean;
  /**
   * When this process first saw GitHub still working out whether the open PR merges (`mergeable` null) at its head and
   * the default branch's: the longer GitHub takes, the less often the PR is looked at again for it.
   */
  mergeableUnknownSince?: number;
  /** For the step to open next: its changes on the current default-branch head. */
  changes?: FileChange[];
  /** The invariant on the head tree after those changes. */
  violations?: Violation[];
  /**
   * The default-branch tree, the tree after those changes and every violation on it (some do not hold a step, like
   * prepare's unfinished scaffold): the guard's verdict on the step PR is made from them.
   */
  trees?: { base: FileMap; step: FileMap; violations: Violation[] };
  /** For a step to open: no branch of its name exists (read when it has no PR), so it opens in one request. */
  branchFree?: boolean;
  /**
   * For a step to open again on its branch (rolled back, or re-planned): the head its merged PR had. Every commit up to
   * it reached the default branch with that merge, even when a squash or rebase merge copied them into new commits.
   */
  mergedHead?: string;
  /** For a step to open: it waited for a person or a time when observed, so its branch was not read (`waitsToOpen`). */
  branchUnread?: boolean;
  /** Why the step cannot be computed on the current head (the user must fix something). */
  problems?: string[];
  /** Its PRs that merged without its changes, once there are `STRAY_LIMIT`: it is not opened again by itself. */
  strays?: number[];
  /** For a PR closed without merging: whether GitHub would reopen it (its branch exists, with commits to merge). */
  reopenable?: boolean;
  /** The gate, for a merged or no-diff step whose gate has not passed yet. */
  gate?: GateResult;
  /** A gate that cannot pass yet read only what webhooks reported on: every check is read at this time. */
  gateReadAllAt?: number;
}

export interface Snapshot {
  now: number;
  issue: number;
  headSha: string;
  /** Problems with the issue or the plan: nothing can run until they are fixed. */
  problems: string[];
  steps: PlannedStep[];
  views: Map<string, StepView>;
  hidden: HiddenState;
  /** A rollback in progress: the step it reverts, and its own PR (a synthetic step). */
  rollback?: { of: PlannedStep; view: StepView };
  /** When steps may open (handover.yml `windows` and `freezes`); absent: any time. */
  schedule?: StepSchedule;
  /** Steps whose PR gets GitHub's auto-merge (handover.yml `automerge` and `groups`). */
  automerge?: string[];
  /** Fields of the issue edited after the first step merged: the edit is ignored (what a migration moves is fixed). */
  ignoredEdits?: FrozenField[];
  /** The first step's PR, open or closed unmerged, prepares what the issue asked before these fields were edited. */
  staleFirst?: { pr: number; fields: FrozenField[] };
  /** Steps handover.yml holds for `/handover approve` after the previous gate, and who may approve. */
  approvals?: { steps: string[]; permission: string; teams?: string[] };
}

/**
 * PRs of one step that may merge without the step's changes before Handover stops opening it again: one is a person's
 * retarget or an edit re-planning the step; a second means something keeps the step's changes out of what merges, and
 * a third PR would most likely merge empty too.
 */
export const STRAY_LIMIT = 2;

/** What a migration moves, fixed once its first step merged. */
export const FROZEN_FIELDS = ["source", "target", "version", "groups"] as const;
export type FrozenField = (typeof FROZEN_FIELDS)[number];

export interface StepSchedule {
  windows: ChangeWindow[];
  freezes: DateFreeze[];
  /** A freeze label the migration issue carries now. */
  frozenByLabel?: string;
}

/** Why a step that could open waits: a freeze label, a date freeze, or the time outside every change window. */
export type ScheduleHold =
  | { kind: "approval"; permission: string; teams?: string[] }
  | { kind: "label"; label: string }
  | { kind: "freeze"; freeze: string; until: number | undefined; zone: string }
  | { kind: "window"; windows: string[]; until: number | undefined; zone: string };

export type Action =
  | {
      kind: "open";
      step: PlannedStep;
      changes: FileChange[];
      baseSha: string;
      previousPr: number | null;
      rollbackOf?: string;
      /** The step branch did not exist when observed: branch, PR and guard check run go in one request. */
      branchFree?: boolean;
      /** The head of the branch's merged PR (`StepView.mergedHead`): the branch may move on from it. */
      mergedHead?: string;
    }
  | { kind: "reopen"; step: PlannedStep; pr: number }
  /** Delete a step branch left behind, only while its head is still `headSha` and Handover's own commit. */
  | { kind: "delete-branch"; step: PlannedStep; headSha: string }
  | { kind: "refresh"; step: PlannedStep; pr: number; headSha: string; changes: FileChange[]; baseSha: string }
  /** Close a step PR and delete its branch; `peopleCommits`: its head is a person's commit (the comment says how to get it back). */
  | { kind: "close"; step: PlannedStep; pr: number; why: CloseReason; peopleCommits?: boolean }
  | { kind: "automerge"; step: PlannedStep; pr: number; nodeId: string; headSha: string }
  /**
   * Merge a step PR GitHub called clean when asked for auto-merge, at the head decide saw (added to the merge queue
   * instead, by its node id, where the base takes no direct merge).
   */
  | { kind: "merge"; step: PlannedStep; pr: number; headSha: string; nodeId?: string; method?: string };

/** Where GitHub's auto-merge stands on an open step PR configured for it. */
export type AutoMergeView =
  | { state: "enabling" }
  | { state: "on"; method: string }
  | { state: "refused"; reason: string }
  /** Handover turned it on and someone turned it off: a person merges. */
  | { state: "off"; by?: string }
  /** Not asked for: people pushed to the branch, so a person reviews and merges. */
  | { state: "people-commits" }
  /**
   * Nothing is left to wait for (GitHub says the PR is clean, or refused auto-merge for it): GitHub does not auto-merge
   * such a PR, so Handover merges it itself, with the method GitHub's answer named (or the first the repo allows).
   */
  | { state: "merging"; method?: string }
  /**
   * The base takes no direct merge: Handover added the PR to its merge queue, where GitHub merges it once the required
   * checks pass on its merge group (at this head: a push takes it out, and Handover adds its own re-planned head again).
   */
  | { state: "queued" };

/** Why a step PR is closed; render/ writes the comment. */
export type CloseReason =
  | { kind: "aborted"; by: string; reason: string }
  | { kind: "rolling-back"; by: string; step: string };

/**
 * Where a migration stands and why, as data: decide never writes prose, render/phase.ts turns each reason into the
 * dashboard's headline and next step. `current` (in Phase) names the step each reason is about.
 */
export type PhaseReason =
  | { kind: "cannot-start"; problems: string[] }
  | { kind: "aborted"; by: string; reason: string }
  | { kind: "checking" }
  | { kind: "gate-failed"; reason: string }
  | { kind: "awaiting-decommission"; cluster: string }
  | { kind: "paused-gate"; by: string }
  | { kind: "reading-gate" }
  | { kind: "gate-passed" }
  | { kind: "gate-waiting"; cluster?: string; state: string; soakEndsAt?: number; deadline: number }
  | { kind: "step-problems"; problems: string[] }
  | { kind: "stray-merges"; prs: number[] }
  | { kind: "step-violations"; violations: string[] }
  | { kind: "paused-before-open"; by: string }
  | { kind: "not-computed" }
  | { kind: "no-diff" }
  | { kind: "opening" }
  | { kind: "reopening"; pr: number }
  | { kind: "closed-unmerged"; pr: number }
  | { kind: "conflict-with-people"; pr: number }
  | { kind: "refreshing"; pr: number }
  | { kind: "paused-pr-open"; by: string; pr: number; peopleCommits: boolean }
  | {
      kind: "review";
      pr: number;
      draft: boolean;
      peopleCommits: boolean;
      autoMerge?: AutoMergeView;
      /** Behind a default branch the repo requires PRs to be up to date with (a branch with people's commits). */
      behind?: boolean;
    }
  | { kind: "rollback-failed"; reason: string }
  | { kind: "rolled-back" }
  | { kind: "rollback-problems"; problems: string[] }
  /** `pr`: the revert PR is open, and was not re-planned on the moved default branch for it. */
  | { kind: "rollback-violations"; violations: string[]; pr?: number }
  | { kind: "rollback-computing" }
  | { kind: "rollback-opening" }
  | {
      kind: "rollback-review";
      pr: number;
      /** A person pushed to it; and, then left to them, it conflicts with the default branch or is behind it. */
      peopleCommits?: boolean;
      conflict?: boolean;
      behind?: boolean;
    }
  | { kind: "rollback-refreshing"; pr: number }
  | { kind: "rollback-cancelled"; pr: number }
  /** A step after the one being rolled back merged before the revert opened (its PR could not be closed in time). */
  | { kind: "rollback-overtaken"; step: string; pr?: number }
  | { kind: "rollback-reading-gate" }
  | { kind: "rollback-gate-failed"; reason: string }
  | { kind: "rollback-gate-waiting"; cluster?: string; state: string; soakEndsAt?: number }
  | { kind: "done"; source?: string; target?: string }
  /** A GitHub error retrying cannot fix, or a bug (`error` is `bug`): nothing moves until `/handover retry`. */
  | { kind: "blocked"; error: string; status?: number; request?: string; message: string }
  | { kind: "held"; hold: ScheduleHold };

export interface Phase {
  label: StatusLabel;
  /** The step the migration is at (undefined when done, aborted, or blocked before any step). */
  current?: string;
  reason: PhaseReason;
}

export interface Decision {
  hidden: HiddenState;
  actions: Action[];
  phase: Phase;
  /** The state changed in a way that needs a fresh observation before the next decision. */
  again: boolean;
  /** When a gate will have changed with no event to say so (its soak ends, or it times out): look again then. */
  recheckAt?: number;
}

/** A step is done once its gate passed, or was skipped by an authorized override. */
export function stepDone(hidden: HiddenState, step: PlannedStep): boolean {
  const rec = hidden.steps[step.id] ?? {};
  if (step.kind === "decommission") return rec.mergeSha !== undefined || rec.noDiff !== undefined;
  return rec.gatePassedAt !== undefined || rec.skipped !== undefined;
}

/** Where a migration stands when its next reconcile reads a gate's checks again: the gate is still running. */
const GATE_RUNNING: readonly PhaseReason["kind"][] = [
  "reading-gate",
  "gate-waiting",
  "paused-gate",
  "rollback-reading-gate",
  "rollback-gate-waiting",
];

/** Whether the next reconcile reads the current gate's checks again (a gate that passed or failed is not read). */
export function gateRunning(phase: Phase): boolean {
  return GATE_RUNNING.includes(phase.reason.kind);
}

/** The approval, window or freeze the next step waits for, if that is why the migration waits. */
export function phaseHold(phase: Phase): ScheduleHold | undefined {
  return phase.reason.kind === "held" ? phase.reason.hold : undefined;
}
