// GitHub's auto-merge on the step PRs handover.yml marks low-risk, through the real App and the simulator: the exact
// GraphQL request, GitHub merging by itself once the required guard check passes, a repo that does not allow it, and
// never prepare or decommission.
import { describe, expect, it } from "vitest";
import { readDirTree } from "../../src/cli/disk.js";
import { ENQUEUE_PULL } from "../../src/github/octokit.js";
import { planMigration } from "../../src/plan/index.js";
import { rehearse, type RehearsalOptions } from "../../src/rehearse/run.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { parseIssueBody } from "../../src/spec/issue.js";
import { DASHBOARD_MARKER } from "../../src/spec/markers.js";
import { EXAMPLE_ISSUE, expectStrictOrder } from "./helpers.js";

const CONFIG = ".github/handover.yml";
const BOT = "handover[bot]";
const MUTATION = `mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

async function withAutomerge(yaml: string, extra: Partial<RehearsalOptions> = {}) {
  const files = await readDirTree("examples/config-repo");
  files.set(CONFIG, `${files.get(CONFIG)}\n${yaml}`);
  const planned = planMigration(files, parseIssueBody(EXAMPLE_ISSUE).request, 1);
  if (!planned.ok) throw new Error(`test set-up: ${JSON.stringify(planned)}`);
  let sim: GitHubSim | undefined;
  const timeline: string[] = [];
  const report = await rehearse({
    files,
    issueBody: EXAMPLE_ISSUE,
    plan: planned.plan,
    replicas: 1,
    commands: [],
    onEvent: (_at, line) => timeline.push(line),
    ...extra,
    onSim: (s) => {
      sim = s;
      extra.onSim?.(s);
    },
  });
  if (!sim) throw new Error("no simulator");
  return { report, sim, timeline };
}

/**
 * The auto-merge mutations the App sent (steps open with GraphQL too: OPEN_STEP); `answered`: only those whose answer
 * reached the App (the simulator records a request it handled, 502-after-write faults included, in order).
 */
function autoMergeRequests(sim: GitHubSim, { answered = false } = {}): GitHubSim["graphqlRequests"] {
  const handled = sim.requests.filter((r) => r.path === "/graphql" && r.status !== 500 && r.status !== 403);
  return sim.graphqlRequests.filter(
    (r, i) => r.query === MUTATION && (!answered || (handled[i] !== undefined && handled[i].status !== 502)),
  );
}

const pullOf = (sim: GitHubSim, step: string) => {
  const pr = sim.listPulls().find((p) => p.pull.headRef === `handover/1/${step}`);
  if (!pr) throw new Error(`no PR for ${step}`);
  return pr;
};

describe("auto-merge through the App and the simulator", () => {
  it("enabled exactly where configured (never prepare or decommission); GitHub merges once a review approves", async () => {
    // One required review: the guard's check run comes with the PR, so without a review GitHub would have nothing
    // left to wait for and Handover would merge at once (the chaos tests below).
    const { report, sim, timeline } = await withAutomerge(
      "automerge: [release]\ngroups:\n  canary: {automerge: true}\n  rest: {automerge: false}\n",
      { repo: { reviews: 1 } },
    );
    expect([report.completed, report.violations, report.duplicate_prs]).toEqual([true, [], 0]);
    expectStrictOrder(report);
    const auto = ["release-canary", "adopt-canary", "release-wave-1"];
    // One request per configured step PR, with GitHub's node id and the first merge method the repo allows.
    expect(autoMergeRequests(sim)).toEqual(
      auto.map((step) => ({
        query: MUTATION,
        variables: { pullRequestId: `PR_${pullOf(sim, step).id}`, mergeMethod: "MERGE" },
      })),
    );
    // GitHub merged those (as the App, which enabled it) once handover/guard passed; the operator merged the rest.
    const merged = report.steps.map((s) => {
      const pr = pullOf(sim, s.id);
      return [s.id, pr.pull.mergedBy, pr.pull.autoMerge?.method ?? null];
    });
    expect(merged).toEqual([
      ["prepare", "operator", null],
      ["release-canary", BOT, "merge"],
      ["adopt-canary", BOT, "merge"],
      ["release-wave-1", BOT, "merge"],
      ["adopt-wave-1", "operator", null],
      ["release-rest", "operator", null],
      ["adopt-rest", "operator", null],
      ["decommission", "operator", null],
    ]);
    for (const step of auto) {
      const pr = pullOf(sim, step);
      expect(pr.body).toContain(
        "### Auto-merge\nAuto-merge is on for this step (`automerge` in `.github/handover.yml`)",
      );
      expect(timeline).toContain(
        `GitHub: auto-merged #${pr.number} (${step}) once its required checks passed (merged by ${BOT})`,
      );
    }
    expect(pullOf(sim, "release-rest").body).not.toContain("Auto-merge");
    // GitHub merged it the moment the operator's review approved it (REVIEW_DELAY, 5 minutes after the PR opened).
    const canary = report.steps.find((s) => s.id === "release-canary");
    expect((canary?.merged_at ?? 0) - (canary?.opened_at ?? 0)).toBe(300);
  }, 180_000);

  it("a repo that requires branches to be up to date: the default branch moves under an auto-merged step's PR, Handover re-plans it on the new head and GitHub merges it", async () => {
    let pushed: string | undefined;
    const { report, sim, timeline } = await withAutomerge("automerge: [release]\n", {
      repo: { reviews: 1 },
      onSim: (s) => {
        s.repo.settings.upToDate = true;
      },
      onStep: (event, step, s) => {
        if (event !== "opened" || step.id !== "release-canary" || pushed) return;
        pushed = s.pushFiles("dana", "main", [{ path: "notes/dana.md", content: "dana\n" }], "Add notes");
      },
    });
    expect([report.completed, report.violations, report.duplicate_prs]).toEqual([true, [], 0]);
    const pr = pullOf(sim, "release-canary");
    // The one PR of the step, its head now one commit of Handover's on dana's, merged by GitHub's auto-merge.
    expect(sim.listPulls().filter((p) => p.pull.headRef === "handover/1/release-canary")).toHaveLength(1);
    const head = sim.repo.objects.getCommit(pr.pull.headSha);
    expect([head?.parents, head?.committer.name, pr.pull.mergedBy]).toEqual([[pushed], "Handover", BOT]);
    expect(timeline).toContain(
      `GitHub: auto-merged #${pr.number} (release-canary) once its required checks passed (merged by ${BOT})`,
    );
    const merged = sim.readTree(pr.pull.mergeCommitSha ?? "");
    expect(merged.get("notes/dana.md")).toBe("dana\n");
    expect(merged.get("clusters/replicore-a/replicante.yaml")).not.toContain("conf.d/mongo.yaml");
  }, 180_000);

  it("a repo that does not allow auto-merge: no auto-merge request, the dashboard says why, the operator merges", async () => {
    let shown = "";
    const { report, sim } = await withAutomerge("automerge: [release]\n", {
      repo: { noAutoMerge: true },
      onStep: (event, step, s) => {
        if (event !== "opened" || step.id !== "release-canary") return;
        shown = s.listComments(1).find((c) => c.body.includes(DASHBOARD_MARKER))?.body ?? "";
      },
    });
    expect(report.completed).toBe(true);
    expect(autoMergeRequests(sim)).toEqual([]);
    const pr = pullOf(sim, "release-canary");
    expect(shown.split("\n").filter((l) => l.startsWith("**") || l.includes("| release-canary |"))).toEqual([
      `**Waiting for #${pr.number} (release-canary) to be reviewed and merged. Auto-merge could not be enabled: the repository does not allow auto-merge (Settings → General → Pull Requests → Allow auto-merge).**`,
      `| 2 | release-canary | 👀 PR open, auto-merge could not be enabled | #${pr.number} | replicore-a: 2 check(s), soak 15m |`,
    ]);
    expect(pr.pull.mergedBy).toBe("operator");
  }, 180_000);

  it("GitHub calls the PR clean and the merge that follows fails (5xx): the answer is kept, auto-merge is not asked again", async () => {
    let failed = 0;
    const { report, sim } = await withAutomerge("automerge: [release, adopt]\n", {
      onSim: (s) => {
        // The first merge Handover tries (release-canary's, after GitHub refused auto-merge on it as clean) fails.
        s.faultHook = (req) =>
          req.method === "PUT" && req.path.endsWith("/merge") && failed++ === 0 ? "500" : undefined;
      },
    });
    expect([report.completed, report.duplicate_prs, report.violations]).toEqual([true, 0, []]);
    const merges = sim.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/merge"));
    expect(merges[0]).toMatchObject({
      path: `/repos/acme/replicante-config/pulls/${pullOf(sim, "release-canary").number}/merge`,
      status: 500,
    });
    // one ask per release and adopt PR, release-canary's included
    const asked = autoMergeRequests(sim).map((r) => r.variables.pullRequestId);
    expect(asked).toEqual([...new Set(asked)]);
    expect(asked).toHaveLength(6);
    expect(pullOf(sim, "release-canary").pull.merged).toBe(true);
  }, 180_000);

  it("a default branch that merges only through a merge queue: Handover adds each clean release and adopt PR to the queue, where it lands once the guard passes on its group", async () => {
    const lines: string[] = [];
    const { report, sim } = await withAutomerge("automerge: [release, adopt]\n", {
      repo: { mergeQueue: true },
      onEvent: (_at, line) => lines.push(line),
    });
    expect([report.completed, report.duplicate_prs, report.violations]).toEqual([true, 0, []]);
    const automerged = report.steps.filter((s) => s.id.startsWith("release-") || s.id.startsWith("adopt-"));
    expect(automerged).toHaveLength(6);
    const enqueues = sim.graphqlRequests.filter((r) => r.query === ENQUEUE_PULL);
    for (const step of automerged) {
      const pr = pullOf(sim, step.id);
      // Queued by Handover once, at its head; landed as its merge group's commit, with the guard passed on it.
      expect(enqueues.filter((r) => r.variables.pullRequestId === `PR_${pr.id}`)).toEqual([
        { query: ENQUEUE_PULL, variables: { pullRequestId: `PR_${pr.id}`, expectedHeadOid: pr.pull.headSha } },
      ]);
      const group = sim.repo.objects.getCommit(pr.pull.mergeCommitSha ?? "");
      expect([pr.pull.mergedBy, group?.committer.name, group?.parents[1]]).toEqual([BOT, "GitHub", pr.pull.headSha]);
      expect(sim.repo.checkState(pr.pull.mergeCommitSha ?? "", "handover/guard")).toBe("success");
      expect(lines.filter((l) => l.startsWith("operator:") && l.includes(`#${pr.number} `))).not.toContainEqual(
        expect.stringMatching(/added .* to the merge queue/),
      );
    }
    // The direct merge GitHub refused (once per step: GitHub refuses auto-merge on a clean PR), then the queue.
    const merges = sim.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/merge"));
    expect(merges.map((r) => r.status)).toEqual(automerged.map(() => 405));
    // Prepare and decommission are a person's: queued by the operator.
    for (const id of ["prepare", "decommission"]) expect(pullOf(sim, id).pull.mergedBy).toBe("operator");
  }, 180_000);

  it.each([3, 11])(
    "chaos seed %i (duplicated, reordered, dropped webhooks, 5xx): auto-merge asked at most once per PR, completes",
    async (seed) => {
      const { report, sim } = await withAutomerge("automerge: [release, adopt]\n", { chaosSeed: seed });
      expect([report.completed, report.duplicate_prs, report.violations]).toEqual([true, 0, []]);
      // Asked once per PR whenever GitHub's answer arrived; only an ask whose answer was lost (a 502 after GitHub acted)
      // may be asked again, as any write is after a crash between two calls.
      const answered = autoMergeRequests(sim, { answered: true }).map((r) => r.variables.pullRequestId);
      expect(answered.length).toBeGreaterThan(0);
      expect(answered.length).toBe(new Set(answered).size);
      // every release and adopt PR merged without the operator: nothing is required but the guard, whose check run
      // comes with the PR, so GitHub finds each one clean and Handover merges it at once
      const byOperator = report.steps.filter((s) => pullOf(sim, s.id).pull.mergedBy === "operator").map((s) => s.id);
      expect(byOperator).toEqual(["prepare", "decommission"]);
    },
    240_000,
  );
});
