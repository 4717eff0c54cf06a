/**
 * The types shared by observe, decide, act and render: what observe saw, what decide returns. This module imports no
 * other engine file, so every engine stage and the renderer depend on it and never on each other's internals.
 */
import type { GateResult } from "../health/index.js";
import type { PlannedStep } from "../plan/index.js";
import type { FileChange } from "../repo/index.js";
import type { PullInfo } from "../spec/github.js";
import type { StatusLabel } from "../spec/markers.js";
import type { HiddenState } from "../spec/state.js";
import type { Violation } from "../spec/violation.js";

export type { AuditEntry, HiddenState, StepRecord } from "../spec/state.js";

type Label = StatusLabel;

/** What observe found for one step (only the steps up to the current one are observed). */
export interface StepView {
  step: PlannedStep;
  pr?: PullInfo;
  /** The open PR's head commit is not Handover's: people pushed to the step branch. */
  humanCommits?: boolean;
  /** For the step to open next: its changes on the current default-branch head. */
  changes?: FileChange[];
  /** The invariant on the head tree after those changes. */
  violations?: Violation[];
  /** Why the step cannot be computed on the current head (the user must fix something). */
  problems?: string[];
  /** The gate, for a merged or no-diff step whose gate has not passed yet. */
  gate?: GateResult;
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
}

export type Action =
  | {
      kind: "open";
      step: PlannedStep;
      changes: FileChange[];
      baseSha: string;
      previousPr: number | null;
      rollbackOf?: string;
    }
  | { kind: "reopen"; step: PlannedStep; pr: number }
  | { kind: "refresh"; step: PlannedStep; pr: number; headSha: string; changes: FileChange[]; baseSha: string }
  | { kind: "close"; step: PlannedStep; pr: number; comment: string };

export interface Phase {
  label: Label;
  /** The step the migration is at (undefined when done, aborted, or blocked before any step). */
  current?: string;
  /** What is happening, in one sentence. */
  headline: string;
  /** What the operator can do now. */
  next: string;
  /** Every problem, one line each, when there are several to fix. */
  problems?: string[];
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
