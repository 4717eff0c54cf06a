import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { planMigration, type Plan } from "../../src/plan/index.js";
import { rehearse, type RehearsalOptions, type RehearsalReport } from "../../src/rehearse/run.js";
import { SimulatedClock, startWorld, type World } from "../../src/rehearse/world.js";
import { readDirTree } from "../../src/cli/disk.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { formBody, parseIssueBody } from "../../src/spec/issue.js";

export const EXAMPLE_ISSUE = readFileSync("examples/issue.md", "utf8");

/** A copy of a repo with its handover.yml edited. */
export function withConfig(repo: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "handover-config-"));
  cpSync(repo, dir, { recursive: true });
  const path = join(dir, ".github/handover.yml");
  writeFileSync(path, edit(readFileSync(path, "utf8")));
  return dir;
}

export function issueBody(source: string, target: string, version: string, groups = ""): string {
  return formBody({ source, target, version, groups, soak: "10m" });
}

/** A repo's files and the plan of an issue body on them (the plan must not be refused). */
export async function setup(repo: string, body: string): Promise<{ files: Map<string, string>; plan: Plan }> {
  const files = await readDirTree(repo);
  const parsed = parseIssueBody(body);
  expect(parsed.problems).toEqual([]);
  const planned = planMigration(files, parsed.request, 1);
  if (!planned.ok) throw new Error(`plan refused: ${JSON.stringify(planned)}`);
  return { files, plan: planned.plan };
}

export async function run(
  repo: string,
  body: string,
  extra: Partial<RehearsalOptions> = {},
): Promise<{ report: RehearsalReport; plan: Plan; sims: GitHubSim[] }> {
  const { files, plan } = await setup(repo, body);
  const sims: GitHubSim[] = [];
  const onStep: RehearsalOptions["onStep"] = (event, step, sim) => {
    if (!sims.includes(sim)) sims.push(sim);
    extra.onStep?.(event, step, sim);
  };
  const report = await rehearse({ files, issueBody: body, plan, replicas: 1, commands: [], ...extra, onStep });
  return { report, plan, sims };
}

/** Every step PR was opened only after the previous step's gate passed (strict order, one at a time). */
export function expectStrictOrder(report: RehearsalReport): void {
  for (let i = 1; i < report.steps.length; i++) {
    const before = report.steps[i - 1];
    const step = report.steps[i];
    if (!before || !step || step.opened_at === null) continue;
    expect(before.gate_passed_at ?? before.merged_at, `${step.id} opened before ${before.id} was done`).not.toBeNull();
    expect(step.opened_at).toBeGreaterThanOrEqual(before.gate_passed_at ?? (before.merged_at as number));
  }
}

/** The real App (one replica) and the simulator loaded with the bundled example repo, its clock at 2026-01-01. */
export async function exampleWorld(seed: number): Promise<{ world: World; clock: SimulatedClock }> {
  const clock = new SimulatedClock(Date.parse("2026-01-01T00:00:00Z"));
  const world = await startWorld({
    clock,
    files: await readDirTree("examples/config-repo"),
    replicas: 1,
    probe: async () => ({ body: "{}" }),
    seed,
  });
  return { world, clock };
}
