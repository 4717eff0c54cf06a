import type { ReconcileResult } from "../engine/index.js";
import type { AppMetrics } from "./metrics.js";

type Decided = Pick<ReconcileResult, "decision">;

const STEP_KINDS = ["prepare", "release", "adopt", "decommission"] as const;

/** The kind of a step id (`adopt-canary` is `adopt`; a rollback is at the step it reverts): a label's few values. */
export function stepKind(stepId: string | undefined): string {
  if (stepId === undefined) return "none";
  return STEP_KINDS.find((kind) => stepId === kind || stepId.startsWith(`${kind}-`)) ?? "other";
}

/**
 * Turns reconcile results into the migration and gate metrics. The gauge is this replica's last view of each issue.
 * A gate outcome is counted when a reconcile here first sees it settled; the first reconcile of an issue after a
 * start only learns what was settled before, so a restart never counts old gates again.
 */
export class MigrationMetrics {
  private readonly last = new Map<string, { state: string; step: string }>();
  private readonly settled = new Map<string, Set<string>>();

  constructor(private readonly metrics: AppMetrics) {}

  observe(issue: string, result: Decided): void {
    const decision = result.decision;
    if (!decision) {
      this.last.delete(issue);
      this.refresh();
      return;
    }
    this.last.set(issue, {
      state: decision.phase.label.replace(/^handover:/, ""),
      step: stepKind(decision.phase.current),
    });
    this.refresh();
    const known = this.settled.get(issue);
    const seen = known ?? new Set<string>();
    for (const [step, record] of Object.entries(decision.hidden.steps)) {
      const start = record.windowStart ?? record.mergedAt ?? record.noDiff?.at;
      const outcomes: [string, number | undefined][] = [
        ["passed", record.gatePassedAt],
        ["failed", record.failed?.at],
        ["skipped", record.skipped?.at],
      ];
      for (const [outcome, at] of outcomes) {
        const id = `${step}:${outcome}:${at}`;
        if (at === undefined || seen.has(id)) continue;
        seen.add(id);
        if (!known) continue;
        this.metrics.gateOutcomes.inc({ outcome });
        if (start !== undefined && at >= start) this.metrics.gateSeconds.observe({ outcome }, (at - start) / 1000);
      }
    }
    this.settled.set(issue, seen);
  }

  private refresh(): void {
    this.metrics.migrations.reset();
    for (const { state, step } of this.last.values()) this.metrics.migrations.inc({ state, step });
  }
}
