import { describe, expect, it } from "vitest";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, run } from "./helpers.js";

interface GuardRun {
  headSha: string;
  name: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null };
  annotations: Record<string, unknown>[];
}

function guardRuns(sim: GitHubSim, sha: string): GuardRun[] {
  return [...(sim.repo.checkRuns.values() as Iterable<GuardRun>)].filter(
    (r) => r.name === "handover/guard" && r.headSha === sha,
  );
}

describe("the handover/guard check run during a migration", () => {
  it("fails a person's PR that touches the discovery of a migrating cluster, naming the issue; passes Handover's own steps", async () => {
    let personal = { pr: 0, sha: "" };
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary") return;
        const path = "clusters/replicore-a/conf.d/kafka.yaml";
        const text = sim.readTree("main").get(path) ?? "";
        const sha = sim.pushFiles(
          "dana",
          "more-kafka",
          [{ path, content: `${text}- cluster_id: kafka-2\n  nodes: ['http://kafka-9.data:10092']\n` }],
          "Add a Kafka cluster",
        );
        personal = { pr: sim.openPull("dana", "more-kafka", "Add kafka-2"), sha };
      },
    });
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    expect(personal.pr).toBeGreaterThan(0);
    const runs = guardRuns(sim, personal.sha);
    expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([
      ["failure", "Touches a cluster locked by migration #1"],
    ]);
    expect(runs[0]?.output.summary).toBe(
      "- **locked**: `clusters/replicore-a/conf.d/kafka.yaml` is discovery of replicore-a, which migration #1 is moving; change it through that migration, or after it is done",
    );
    // Every step PR of the migration itself passed the guard on its final head.
    for (const step of report.steps.filter((s) => s.pr !== null)) {
      const pull = sim.listPulls().find((p) => p.number === step.pr);
      const verdicts = guardRuns(sim, pull?.pull.headSha ?? "").map((r) => r.conclusion);
      expect(verdicts.at(-1), `${step.id}`).toBe("success");
    }
  });

  it("fails a person's PR that edits .github/handover.yml where it touches a migrating cluster: its restart moved, its entry removed", async () => {
    const prs: { name: string; pr: number; sha: string }[] = [];
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary") return;
        const path = ".github/handover.yml";
        const text = sim.readTree("main").get(path) ?? "";
        const edits = {
          restart: text.replace("      document: 1\n", "      document: 0\n"),
          removed: text.replace(/ {2}replicore-a:\n(?: {4}.*\n)*/, ""),
          unrelated: text.replace("  timeout: 2h", "  timeout: 3h"),
        };
        for (const [name, content] of Object.entries(edits)) {
          expect(content, name).not.toBe(text);
          const sha = sim.pushFiles("dana", `config-${name}`, [{ path, content }], `Edit handover.yml (${name})`);
          prs.push({ name, pr: sim.openPull("dana", `config-${name}`, name), sha });
        }
      },
    });
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    const verdicts = prs.map(({ name, sha }) => [
      name,
      ...guardRuns(sim, sha).map((r) => [r.conclusion, r.output.summary]),
    ]);
    const locked = (change: string) =>
      `- **locked**: \`.github/handover.yml\` ${change} replicore-a, which migration #1 is moving; change it through that migration, or after it is done`;
    expect(verdicts).toEqual([
      ["restart", ["failure", locked("changes the restart of")]],
      ["removed", ["failure", locked("removes the entry of")]],
      ["unrelated", ["success", "The invariant holds on this PR's tree."]],
    ]);
  });
});
