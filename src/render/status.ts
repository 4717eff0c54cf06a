import { phaseHold, stepDone, type Phase, type Snapshot } from "../engine/types.js";
import { phaseWords } from "./phase.js";
import type { GateState } from "../health/index.js";
import type { PlannedStep } from "../plan/index.js";

/** Where a step stands, in words scripts can compare (`handover status --format json`). */
export type StepState =
  | "passed"
  | "skipped"
  | "merged"
  | "failed"
  | "gate"
  | "open"
  | "draft"
  | "closed"
  | "needs-decommission"
  | "needs-approval"
  | "scheduled"
  | "next"
  | "blocked"
  | "done"
  | "not-started";

export interface StepStatus {
  id: string;
  kind: PlannedStep["kind"];
  state: StepState;
  pr: number | null;
  gate: {
    cluster: string;
    state: GateState | "not-started";
    checks: { label: string; state: string }[];
    /** Seconds of soak still to go while soaking, else null. */
    soak_left_seconds: number | null;
    /** When the gate times out (ISO 8601), while it runs. */
    deadline: string | null;
  } | null;
}

/** What `handover status` prints: the dashboard's state, read through the same observe and decide the App uses. */
export interface MigrationStatus {
  issue: number;
  label: string;
  current: string | null;
  headline: string;
  next: string;
  problems: string[];
  /** Why the next step waits for an approval, a change window or a freeze, and until when (ISO 8601). */
  hold: { kind: string; until: string | null } | null;
  steps: StepStatus[];
}

function stateOf(step: PlannedStep, snapshot: Snapshot, phase: Phase): StepState {
  const rec = snapshot.hidden.steps[step.id] ?? {};
  if (rec.skipped) return "skipped";
  if (rec.gatePassedAt !== undefined) return "passed";
  if (step.kind === "decommission" && rec.mergeSha) return "merged";
  if (rec.failed) return "failed";
  if (phase.current !== step.id) return stepDone(snapshot.hidden, step) ? "done" : "not-started";
  const pr = snapshot.views.get(step.id)?.pr;
  if (rec.noDiff || pr?.merged) return "gate";
  if (pr?.state === "open") return pr.draft ? "draft" : "open";
  if (pr?.state === "closed") return "closed";
  if (step.kind === "decommission" && !snapshot.hidden.decommission) return "needs-decommission";
  const held = phaseHold(phase);
  if (held) return held.kind === "approval" ? "needs-approval" : "scheduled";
  return phase.label === "handover:failed" ? "blocked" : "next";
}

function gateOf(step: PlannedStep, snapshot: Snapshot): StepStatus["gate"] {
  if (!step.gate) return null;
  const gate = snapshot.views.get(step.id)?.gate;
  const rec = snapshot.hidden.steps[step.id] ?? {};
  return {
    cluster: step.gate.cluster,
    state: gate?.state ?? (rec.gatePassedAt !== undefined ? "passed" : "not-started"),
    checks: (gate?.checks ?? []).map((c) => ({ label: c.label, state: c.state })),
    soak_left_seconds:
      gate?.state === "soaking" && gate.soakLeftMs !== undefined ? Math.ceil(gate.soakLeftMs / 1000) : null,
    deadline: gate && gate.state !== "passed" ? new Date(gate.deadline).toISOString() : null,
  };
}

export function migrationStatus(snapshot: Snapshot, phase: Phase): MigrationStatus {
  const words = phaseWords(phase);
  const held = phaseHold(phase);
  return {
    issue: snapshot.issue,
    label: phase.label,
    current: phase.current ?? null,
    headline: words.headline,
    next: words.next,
    problems: [...(words.problems ?? snapshot.problems)],
    hold: held
      ? {
          kind: held.kind,
          until: "until" in held && held.until !== undefined ? new Date(held.until).toISOString() : null,
        }
      : null,
    steps: snapshot.steps.map((step) => {
      const rec = snapshot.hidden.steps[step.id] ?? {};
      return {
        id: step.id,
        kind: step.kind,
        state: stateOf(step, snapshot, phase),
        pr: rec.pr ?? snapshot.views.get(step.id)?.pr?.number ?? null,
        gate: gateOf(step, snapshot),
      };
    }),
  };
}

function span(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : "", m ? `${m}m` : "", s || (!h && !m) ? `${s}s` : ""].join("");
}

function gateText(gate: StepStatus["gate"]): string {
  if (!gate) return "";
  if (gate.state === "not-started" || gate.state === "passed") return `${gate.cluster} ${gate.state}`;
  return [
    `${gate.cluster} ${gate.state}`,
    ...gate.checks.map((c) => `${c.label}: ${c.state}`),
    ...(gate.soak_left_seconds !== null ? [`soak left ${span(gate.soak_left_seconds)}`] : []),
    ...(gate.deadline ? [`time-out ${gate.deadline.slice(0, 16).replace("T", " ")} UTC`] : []),
  ].join("; ");
}

/** The terminal view of `handover status`. */
export function renderStatusText(status: MigrationStatus, repo: string): string {
  const width = Math.max(4, ...status.steps.map((s) => s.id.length));
  return [
    `${repo}#${status.issue}: ${status.label.replace("handover:", "")}`,
    status.headline,
    ...status.problems.map((p) => `  - ${p}`),
    ...(status.next ? [`Next: ${status.next}`] : []),
    "",
    ...status.steps.map((s, i) =>
      [
        `${String(i + 1).padStart(2)}  ${s.id.padEnd(width)}  ${s.state.padEnd(18)}`,
        (s.pr === null ? "" : `#${s.pr}`).padEnd(6),
        gateText(s.gate),
      ]
        .join(" ")
        .trimEnd(),
    ),
    "",
  ].join("\n");
}
