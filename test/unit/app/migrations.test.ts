// The migration and gate metrics, from reconcile results: exact Prometheus names, labels and values.
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/app/metrics.js";
import { MigrationMetrics, stepKind } from "../../../src/app/migrations.js";
import type { ReconcileResult } from "../../../src/engine/index.js";

const T0 = Date.parse("2026-05-04T12:00:00Z");

function result(label: string, current: string | undefined, steps: Record<string, object> = {}): ReconcileResult {
  return {
    issue: 1,
    decision: { phase: { label, current, headline: "", next: "" }, hidden: { steps } },
  } as unknown as ReconcileResult;
}

async function lines(metrics: ReturnType<typeof createMetrics>, prefix: string): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split("\n").filter((line) => line.startsWith(prefix));
}

describe("migration metrics", () => {
  it.each([
    ["prepare", "prepare"],
    ["release-canary", "release"],
    ["adopt-rest", "adopt"],
    ["decommission", "decommission"],
    ["something-new", "other"],
    [undefined, "none"],
  ])("step %s is of kind %s", (id, kind) => {
    expect(stepKind(id)).toBe(kind);
  });

  it("counts migrations by state and step kind, as last reconciled", async () => {
    const metrics = createMetrics();
    const watch = new MigrationMetrics(metrics);
    watch.observe("acme/config#1", result("handover:waiting", "adopt-canary"));
    watch.observe("acme/config#2", result("handover:waiting", "adopt-rest"));
    watch.observe("acme/other#3", result("handover:failed", "release-canary"));
    watch.observe("acme/config#2", result("handover:done", undefined));
    watch.observe("acme/config#4", { decision: undefined });
    expect((await lines(metrics, "handover_migrations")).sort()).toEqual([
      'handover_migrations{state="done",step="none"} 1',
      'handover_migrations{state="failed",step="release"} 1',
      'handover_migrations{state="waiting",step="adopt"} 1',
    ]);
  });

  it("counts a gate outcome once, when first seen settled, with its duration from the window start", async () => {
    const metrics = createMetrics();
    const watch = new MigrationMetrics(metrics);
    // The first reconcile after a start learns what was settled before: nothing is counted for it.
    watch.observe(
      "acme/config#1",
      result("handover:running", "adopt-canary", {
        "release-canary": { mergedAt: T0 - 7_200_000, gatePassedAt: T0 - 3_600_000 },
      }),
    );
    const passed = {
      "release-canary": { mergedAt: T0 - 7_200_000, gatePassedAt: T0 - 3_600_000 },
      "adopt-canary": { mergedAt: T0, gatePassedAt: T0 + 600_000 },
    };
    watch.observe("acme/config#1", result("handover:running", "adopt-rest", passed));
    watch.observe("acme/config#1", result("handover:running", "adopt-rest", passed)); // seen again: not counted
    watch.observe(
      "acme/config#1",
      result("handover:failed", "adopt-rest", {
        ...passed,
        "adopt-rest": {
          mergedAt: T0 + 700_000,
          windowStart: T0 + 900_000,
          failed: { reason: "timed out", at: T0 + 4_500_000 },
        },
      }),
    );
    expect(await lines(metrics, "handover_gate_outcomes_total")).toEqual([
      'handover_gate_outcomes_total{outcome="passed"} 1',
      'handover_gate_outcomes_total{outcome="failed"} 1',
    ]);
    const seconds = await lines(metrics, "handover_gate_seconds");
    expect(seconds).toContain('handover_gate_seconds_sum{outcome="passed"} 600');
    expect(seconds).toContain('handover_gate_seconds_sum{outcome="failed"} 3600');
    expect(seconds).toContain('handover_gate_seconds_bucket{le="900",outcome="passed"} 1');
    expect(seconds).toContain('handover_gate_seconds_bucket{le="300",outcome="passed"} 0');
  });
});
