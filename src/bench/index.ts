import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { planMigration } from "../plan/index.js";
import { rehearse } from "../rehearse/run.js";
import { SimulatedClock, startWorld } from "../rehearse/world.js";
import { readDirTree } from "../cli/disk.js";
import { parseIssueBody } from "../spec/issue.js";

/** A files-era config repo with `n` discovery files (one backend each). */
export function syntheticRepo(n: number): Map<string, string> {
  const files = new Map<string, string>();
  const entries: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `store-${String(i).padStart(4, "0")}`;
    entries.push(`      - 'conf.d/${name}.yaml'`);
    files.set(
      `clusters/replicore-a/conf.d/${name}.yaml`,
      `- cluster_id: ${name}\n  nodes:\n    - 'http://${name}-1.data:37017'\n    - 'http://${name}-2.data:37017'\n`,
    );
  }
  files.set(
    "clusters/replicore-a/replicante.yaml",
    [
      "# generated",
      "coordinator:",
      "  options:",
      "    ensemble: 'zk.a:2181/replicante'",
      "discovery:",
      "  backends:",
      "    files:",
      ...entries,
      "  interval: 60",
      "storage:",
      "  options:",
      "    db: replicore",
      "    uri: 'mongodb://mongo.a:27017/'",
      "",
    ].join("\n"),
  );
  files.set(
    "clusters/replicore-a/statefulset.yaml",
    "kind: StatefulSet\nspec:\n  template:\n    metadata:\n      annotations: {}\n",
  );
  files.set(
    ".github/handover.yml",
    [
      "version: 1",
      "clusters:",
      "  replicore-a:",
      "    config: clusters/replicore-a/replicante.yaml",
      "    restart: { file: clusters/replicore-a/statefulset.yaml, key: [spec, template, metadata, annotations, handover.replicante.io/restart] }",
      "    health: [{ status: 'deploy/replicore-a' }]",
      "",
    ].join("\n"),
  );
  return files;
}

const ISSUE = (groups: string): string =>
  `### Source cluster\n\nreplicore-a\n\n### Target cluster\n\nreplicore-b\n\n### Target version\n\n0.3.1\n\n### Backend groups\n\n${groups}\n\n### Upgrade notes\n\n- [x] I have read the upgrade notes for the target version\n`;

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Plan time and heap for n backend groups (one backend per group: the worst case, 2n + 2 steps). */
function planScaling(n: number): { groups: number; steps: number; plan_ms: number; heap_mb: number } {
  const tree = syntheticRepo(n);
  const request = parseIssueBody(ISSUE("_No response_")).request;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const result = planMigration(tree, request, 1);
  const ms = performance.now() - start;
  const heap = process.memoryUsage().heapUsed - heapBefore;
  if (!result.ok) throw new Error(`synthetic plan refused: ${JSON.stringify(result).slice(0, 300)}`);
  return {
    groups: result.plan.groups.length,
    steps: result.plan.steps.length,
    plan_ms: round(ms),
    heap_mb: round(heap / 2 ** 20),
  };
}

/** GitHub API traffic of a whole rehearsal of the example, per step and against the minimum a step needs. */
async function apiPerStep(): Promise<Record<string, unknown>> {
  const files = await readDirTree("examples/config-repo");
  const body = await readFile("examples/issue.md", "utf8");
  const planned = planMigration(files, parseIssueBody(body).request, 1);
  if (!planned.ok) throw new Error("example plan refused");
  const started = performance.now();
  const report = await rehearse({ files, issueBody: body, plan: planned.plan, replicas: 1, commands: [] });
  const steps = report.steps.length;
  return {
    steps,
    requests: report.api.requests,
    writes: report.api.writes,
    requests_per_step: round(report.api.requests / steps),
    writes_per_step: round(report.api.writes / steps),
    // Opening a step needs 5 writes (tree, commit, ref, pull, label); each state change of the dashboard 1 edit,
    // and the status label 2 (add + remove); the guard 1 check run per PR head.
    minimum_writes_per_step: 5 + 1 + 2 + 1,
    simulated_hours: round(report.simulated_seconds / 3600, 2),
    wall_seconds: round((performance.now() - started) / 1000, 2),
  };
}

/** Requests one resync costs when nothing changed (a step PR waiting for review), and reconcile time per event. */
async function idleResync(): Promise<Record<string, unknown>> {
  const clock = new SimulatedClock(Date.parse("2026-01-01T00:00:00Z"));
  const world = await startWorld({
    clock,
    files: await readDirTree("examples/config-repo"),
    replicas: 1,
    probe: async () => ({ body: "{}" }),
    seed: 1,
  });
  try {
    const body = await readFile("examples/issue.md", "utf8");
    world.sim.setPermission("operator", "admin");
    world.sim.createIssue("operator", "Upgrade", body, ["handover"]);
    await world.sim.deliverAll();
    const replica = world.replicas[0];
    if (!replica) throw new Error("no replica");
    await replica.idle();
    const samples: number[] = [];
    const writes: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.current += 10 * 60_000; // past the resync interval, so every resync reconciles
      const before = world.sim.requests.length;
      await replica.resyncAll();
      await replica.idle();
      const made = world.sim.requests.slice(before);
      samples.push(made.length);
      writes.push(made.filter((r) => r.write).length);
    }
    const metrics = await replica.metrics.getSingleMetric("handover_reconcile_seconds")?.get();
    const sum =
      metrics?.values.find((v) => (v as { metricName?: string }).metricName === "handover_reconcile_seconds_sum")
        ?.value ?? 0;
    const count =
      metrics?.values.find((v) => (v as { metricName?: string }).metricName === "handover_reconcile_seconds_count")
        ?.value ?? 1;
    return {
      requests_per_idle_resync: Math.max(...samples),
      writes_per_idle_resync: Math.max(...writes),
      reconciles: count,
      reconcile_ms_mean: round((sum / count) * 1000),
    };
  } finally {
    await world.stop();
  }
}

/** Parse time of hostile issue bodies at GitHub's size limit (the guard re-parses every open migration issue per PR). */
function hostileIssue(): Record<string, number> {
  const good = ISSUE("canary: mongo");
  const bodies = {
    padded_heading_64k: good.replace("### Source cluster", `### Source cluster${" ".repeat(64_000)}`),
    blank_lines_64k: good.replace("- [x]", `${"\n".repeat(64_000)}- [x]`),
    group_lines_64k: good.replace("canary: mongo", "g: x\n".repeat(12_000)),
  };
  return Object.fromEntries(
    Object.entries(bodies).map(([name, body]) => {
      const start = performance.now();
      parseIssueBody(body);
      return [`${name}_ms`, round(performance.now() - start)];
    }),
  );
}

/** `npm run bench`: every performance figure as one JSON document. */
export async function bench(): Promise<Record<string, unknown>> {
  return {
    node: process.version,
    plan: [10, 100, 1000].map(planScaling),
    issue_parse: hostileIssue(),
    api: await apiPerStep(),
    resync: await idleResync(),
  };
}

process.stdout.write(`${JSON.stringify(await bench(), null, 2)}\n`);
