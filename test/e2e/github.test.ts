import { describe, expect, it } from "vitest";
import { checkTree } from "../../src/invariant/index.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, expectStrictOrder, run } from "./helpers.js";

/** The rehearsal in repos set up the ways GitHub repos really are (DESIGN section 6 "Real GitHub"). */
describe("the rehearsal on GitHub as it really behaves", () => {
  it("a rebase-only repo: every step PR is rebased in (no merge commit on main), the chain completes", async () => {
    const { report, plan, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { repo: { merge: "rebase" } });
    expect(report.completed).toBe(true);
    expect(report.steps.map((s) => [s.id, s.state])).toEqual(plan.steps.map((s) => [s.id, "merged"]));
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    expectStrictOrder(report);
    const sim = sims[0] as GitHubSim;
    const history = sim.defaultBranchHistory();
    expect(history.every((sha) => sim.commitParents(sha).length <= 1)).toBe(true);
    // every commit of a rebased PR lands on main: the operator amended the scaffold, so no REPLACE-ME commit landed
    const prepare = sim.listPulls().find((p) => p.pull.headRef === "handover/1/prepare");
    const tip = prepare?.pull.mergeCommitSha ?? "";
    expect(sim.commitParents(tip)).toHaveLength(1);
    expect(sim.readTree(tip).get("clusters/replicore-b/replicante.yaml")).not.toContain("REPLACE-ME");
    expect(checkTree(sim.readTree("main"))).toEqual([]);
  });

  it("a squash-only repo: one commit per step on main, the chain completes", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { repo: { merge: "squash" } });
    expect(report.completed).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    const merged = sim.listPulls().filter((p) => p.pull.merged);
    expect(sim.defaultBranchHistory().slice(1)).toEqual(merged.map((p) => p.pull.mergeCommitSha));
  });

  it("a private repo without drafts: prepare opens as a normal PR titled [WIP], once, and the chain completes", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { repo: { noDrafts: true } });
    expect(report.completed).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    const prepare = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/prepare");
    expect(prepare).toHaveLength(1);
    expect(prepare[0]?.title).toMatch(/^\[handover #1\] \[WIP\] /);
    expect(prepare[0]?.pull.draft).toBe(false);
    // Handover's one scaffold commit and the operator's fill-in: no commit piled up on the refused attempt
    const commits = sim.repo.objects.commitsBetween(prepare[0]?.pull.baseSha, prepare[0]?.pull.headSha ?? "");
    expect(commits.map((c) => c.committer.name)).toEqual(["operator", "Handover"]);
  });

  it("a repo with two required approving reviews: the operator and a reviewer approve each PR, the chain completes", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { repo: { reviews: 2 } });
    expect(report.completed).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    for (const pr of sim.listPulls().filter((p) => p.pull.merged))
      expect(pr.pull.reviews.map((r) => [r.user, r.state])).toEqual([
        ["operator", "APPROVED"],
        ["reviewer-2", "APPROVED"],
      ]);
  });

  it("a repo without the labels: the form's label is not applied, Handover takes the issue by its shape and creates its labels", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { repo: { noLabels: true } });
    expect(report.completed).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    expect(sim.labels(1)).toEqual(["handover", "handover:done"]);
    expect(sim.labelNames()).toEqual(expect.arrayContaining(["handover", "handover:running", "handover:done"]));
  });
});
