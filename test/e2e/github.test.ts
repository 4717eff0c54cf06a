import { describe, expect, it } from "vitest";
import { checkTree } from "../../src/invariant/index.js";
import { decodeState } from "../../src/engine/index.js";
import { BOT } from "../../src/rehearse/world.js";
import { actorFor } from "../../src/sim/core.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { DASHBOARD_MARKER } from "../../src/spec/markers.js";
import { EXAMPLE_ISSUE, expectStrictOrder, run } from "./helpers.js";

/** The rehearsal in repos set up the ways GitHub repos really are (DESIGN section 6 "Real GitHub"). */
describe("the rehearsal on GitHub as it really behaves", { timeout: 120_000 }, () => {
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

  it("a repo that requires branches to be up to date: Handover re-plans its own PR the default branch moved under; one holding a person's commit is theirs to update, and is merged once they did", async () => {
    const lines: string[] = [];
    const pushes: Record<string, string> = {};
    let world: GitHubSim | undefined;
    let shown = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      repo: { upToDate: true },
      onEvent: (_at, line) => {
        lines.push(line);
        // What the dashboard said when GitHub refused the operator's merge of adopt-canary.
        if (line.includes("(adopt-canary) cannot be merged yet") && world)
          shown = world.listComments(1).find((c) => c.body.startsWith(DASHBOARD_MARKER))?.body ?? "";
      },
      onStep: (event, step, sim) => {
        world = sim;
        if (event !== "opened" || !["release-canary", "adopt-canary"].includes(step.id) || pushes[step.id]) return;
        // dana pushes to adopt-canary's branch first: its PR holds a commit of hers.
        if (step.id === "adopt-canary")
          sim.pushFiles("dana", step.branch, [{ path: "notes/d.md", content: "d\n" }], "d");
        pushes[step.id] = sim.pushFiles("ci", "main", [{ path: `notes/${step.id}.md`, content: "x\n" }], "notes");
        // CI reports on the push: another reconcile, once GitHub has worked out the PR is behind (its first answer
        // after a push is null, while it computes).
        sim.setStatus(pushes[step.id] as string, "ci/lint", "success");
      },
    });
    expect([report.completed, report.violations, report.duplicate_prs]).toEqual([true, [], 0]);
    const sim = sims[0] as GitHubSim;
    const pull = (step: string) => sim.listPulls().find((p) => p.pull.headRef === `handover/1/${step}`);
    // release-canary: Handover's one commit, now on the moved head; the operator merged it without updating it.
    const release = pull("release-canary");
    const head = sim.repo.objects.getCommit(release?.pull.headSha ?? "");
    expect([head?.parents, head?.committer.name]).toEqual([[pushes["release-canary"]], "Handover"]);
    expect(lines.filter((l) => l.includes(`#${release?.number} `) && l.startsWith("operator:"))).toEqual([
      `operator: merged #${release?.number} (release-canary)`,
    ]);
    // adopt-canary: left to the operator, who pressed "Update branch" once GitHub refused the merge, then merged.
    const adopt = pull("adopt-canary");
    expect(lines.filter((l) => l.includes(`#${adopt?.number} `) && l.startsWith("operator:"))).toEqual([
      `operator: #${adopt?.number} (adopt-canary) cannot be merged yet: 405 Head branch is not up to date with the base branch.`,
      `operator: updated #${adopt?.number} (adopt-canary) with the default branch ("Update branch")`,
      `operator: merged #${adopt?.number} (adopt-canary)`,
    ]);
    expect(sim.repo.objects.getCommit(adopt?.pull.headSha ?? "")?.parents[1]).toBe(pushes["adopt-canary"]);
    expect(shown.split("\n").filter((l) => l.startsWith("**") || l.startsWith("Next:"))).toEqual([
      `**Waiting for #${adopt?.number} (adopt-canary) to be reviewed and merged. It has commits pushed by people; Handover leaves them as they are. The default branch moved since, and this repo requires a PR to be up to date with it before it merges.**`,
      'Next: Press "Update branch" on it (or rebase it), then merge it; the gate starts at the merge.',
    ]);
  });

  it("a repo that requires branches to be up to date: a rollback's revert PR the default branch moved under is re-planned by Handover, then merged as it is", async () => {
    const maya = (event: "gate_passed", delay: number, body: string) =>
      ({ after: "adopt-canary", event, delay, user: "maya", permission: "maintain", body }) as const;
    const lines: string[] = [];
    let world: GitHubSim | undefined;
    let pushed = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      repo: { upToDate: true },
      commands: [maya("gate_passed", 0, "/handover rollback"), maya("gate_passed", 3600, "/handover resume")],
      onStep: (_event, _step, sim) => {
        world = sim;
      },
      onEvent: (_at, line) => {
        lines.push(line);
        if (!world || pushed || !line.includes("] Roll back adopt-canary")) return;
        // The revert PR just opened: CI pushes to the default branch, then reports on its push.
        pushed = world.pushFiles("ci", "main", [{ path: "notes/rollback.md", content: "x\n" }], "notes");
        world.setStatus(pushed, "ci/lint", "success");
      },
    });
    expect([report.completed, report.violations, report.duplicate_prs]).toEqual([true, [], 0]);
    const sim = sims[0] as GitHubSim;
    const revert = sim.listPulls().find((p) => p.pull.headRef === "handover/1/rollback-adopt-canary-1");
    // One commit of Handover's, on the moved head: the operator merged it without being refused or updating it.
    const head = sim.repo.objects.getCommit(revert?.pull.headSha ?? "");
    expect([head?.parents, head?.committer.name, revert?.pull.merged]).toEqual([[pushed], "Handover", true]);
    expect(lines.filter((l) => l.includes(`#${revert?.number} `) && l.startsWith("operator:"))).toEqual([
      `operator: merged #${revert?.number} (rollback of adopt-canary)`,
    ]);
    // The revert restores what adopt-canary changed, and keeps the push it was re-planned on.
    const reverted = sim.readTree(revert?.pull.mergeCommitSha ?? "");
    expect(reverted.get("notes/rollback.md")).toBe("x\n");
    expect(reverted.has("clusters/replicore-b/conf.d/mongo.yaml")).toBe(false);
  });

  it("a repo that merges through a merge queue and requires handover/guard: the guard reports on each PR's merge group, and the queue lands every step", async () => {
    const lines: string[] = [];
    const { report, plan, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      repo: { mergeQueue: true },
      onEvent: (_at, line) => lines.push(line),
    });
    expect([report.completed, report.violations, report.duplicate_prs]).toEqual([true, [], 0]);
    const sim = sims[0] as GitHubSim;
    const steps = plan.steps.filter((s) => s.status === "planned");
    for (const step of steps) {
      const pr = sim.listPulls().find((p) => p.pull.headRef === step.branch);
      // Landed as its merge group's commit: the base it was made on, then the PR's head; merged by who queued it.
      const group = sim.repo.objects.getCommit(pr?.pull.mergeCommitSha ?? "");
      expect([group?.parents[1], group?.committer.name, pr?.pull.mergedBy]).toEqual([
        pr?.pull.headSha,
        "GitHub",
        "operator",
      ]);
      expect(sim.repo.checkState(pr?.pull.mergeCommitSha ?? "", "handover/guard")).toBe("success");
      const about = lines.filter((l) => l.includes(`#${pr?.number} (`));
      expect(about.filter((l) => l.startsWith("operator: added"))).toEqual([
        `operator: added #${pr?.number} (${step.id}) to the merge queue`,
      ]);
      expect(about.at(-1)).toBe(
        `GitHub: the merge queue merged #${pr?.number} (${step.id}) once handover/guard passed on its group`,
      );
    }
    // The queue's branches are gone, and nothing was merged around the queue.
    expect([...sim.repo.refs.keys()].filter((ref) => ref.startsWith("refs/heads/gh-readonly-queue/"))).toEqual([]);
    expect(lines.filter((l) => l.startsWith("operator: merged"))).toEqual([]);
  });

  it("a repo without the labels: the form's label is not applied, Handover takes the issue by its shape and creates its labels", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { repo: { noLabels: true } });
    expect(report.completed).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    expect(sim.labels(1)).toEqual(["handover", "handover:done"]);
    expect(sim.labelNames()).toEqual(expect.arrayContaining(["handover", "handover:running", "handover:done"]));
    // one write per change of status label: the first adds (POST), every switch is one PUT of the whole set
    const issueLabelWrites = sim.requests.filter((r) => r.write && /\/issues\/1\/labels(\/|$)/.test(r.path));
    const [first, ...switches] = issueLabelWrites.map((r) => `${r.method} ${r.path}`);
    expect(first).toBe("POST /repos/acme/replicante-config/issues/1/labels");
    expect(switches.length).toBeGreaterThan(0);
    expect(new Set(switches)).toEqual(new Set(["PUT /repos/acme/replicante-config/issues/1/labels"]));
    expect(sim.requests.filter((r) => r.method === "DELETE" && r.path.includes("/labels"))).toEqual([]);
  });
});

describe("what counts as a merged step", { timeout: 120_000 }, () => {
  it("a step PR someone pushed to, retargeted and merged elsewhere: their commit is not on main, so the step opens again from their branch as it is", async () => {
    let theirs = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary" || theirs) return;
        const pr = sim.listPulls().find((p) => p.pull.headRef === step.branch && p.state === "open");
        if (!pr) return;
        theirs = sim.pushFiles("mallory", step.branch, [{ path: "notes.md", content: "mine\n" }], "a note");
        sim.pushFiles("mallory", "staging", [{ path: "STAGING", content: "1\n" }], "a staging branch");
        const live = sim.repo.pull(pr.number);
        live.pull.baseRef = "staging";
        live.pull.baseSha = sim.branchSha("staging") as string;
        sim.mergePull(pr.number, "mallory");
      },
    });
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    const canary = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/release-canary");
    expect(canary.map((p) => [p.pull.baseRef, p.pull.merged])).toEqual([
      ["staging", true],
      ["main", true],
    ]);
    // Never moved on from mallory's commit (the merge that had it was not into main): it is the new PR's head.
    expect(canary[1]?.pull.headSha).toBe(theirs);
    expect(sim.readTree("main").get("notes.md")).toBe("mine\n");
  });

  it("a step PR retargeted to another branch and merged there does not count: the step opens again and merges into main", async () => {
    let retargeted = 0;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary" || retargeted) return;
        const pr = sim.listPulls().find((p) => p.pull.headRef === step.branch && p.state === "open");
        if (!pr) return;
        sim.pushFiles("mallory", "staging", [{ path: "STAGING", content: "1\n" }], "a staging branch");
        const live = sim.repo.pull(pr.number);
        live.pull.baseRef = "staging";
        live.pull.baseSha = sim.branchSha("staging") as string;
        sim.mergePull(pr.number, "mallory");
        retargeted = pr.number;
      },
    });
    expect(retargeted).toBeGreaterThan(0);
    expect(report.completed).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    const canary = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/release-canary");
    expect(canary.map((p) => [p.number, p.pull.baseRef, p.pull.merged])).toEqual([
      [retargeted, "staging", true],
      [expect.any(Number), "main", true],
    ]);
    expect(report.steps.find((s) => s.id === "release-canary")?.pr).not.toBe(retargeted);
  });

  it("two PRs of a step merged elsewhere stop it: Handover names both, and `/handover retry <step>` opens it once more", async () => {
    const strays: number[] = [];
    const alice = { after: "release-canary", event: "opened", user: "alice", permission: "write" } as const;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        { ...alice, delay: 30 * 60, body: "/handover status" },
        { ...alice, delay: 60 * 60, body: "/handover retry release-canary" },
      ],
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary" || strays.length >= 2) return;
        const pr = sim.listPulls().find((p) => p.pull.headRef === step.branch && p.state === "open");
        if (!pr) return;
        sim.pushFiles("mallory", "staging", [{ path: "STAGING", content: `${strays.length}\n` }], "a staging branch");
        const live = sim.repo.pull(pr.number);
        live.pull.baseRef = "staging";
        live.pull.baseSha = sim.branchSha("staging") as string;
        sim.mergePull(pr.number, "mallory");
        strays.push(pr.number);
      },
    });
    expect(strays).toHaveLength(2);
    const sim = sims[0] as GitHubSim;
    const canary = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/release-canary");
    // No third PR until alice's retry: it was opened once more, and merged into main.
    expect(canary.map((p) => [p.number, p.pull.baseRef, p.pull.merged])).toEqual([
      [strays[0], "staging", true],
      [strays[1], "staging", true],
      [expect.any(Number), "main", true],
    ]);
    const retried = sim.listComments(1).find((c) => c.body === "/handover retry release-canary");
    expect(canary[2]?.createdAt).toBeGreaterThanOrEqual(retried?.createdAt ?? Number.POSITIVE_INFINITY);
    expect(report.comments.map((c) => [c.body, c.reaction, c.reply?.split("\n")[0] ?? null])).toEqual([
      [
        "/handover status",
        "rocket",
        `@alice **#${strays[0]} and #${strays[1]} merged without the changes of release-canary, so Handover stopped opening it again: another PR would most likely merge empty too.**`,
      ],
      ["/handover retry release-canary", "rocket", null],
    ]);
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
  });

  it.each([
    ["on the default branch's history", {}],
    // GitHub's compare of the two answers 404 "No common ancestor": the branch is no more Handover's than the other.
    ["from an unrelated history", { parent: null }],
  ])(
    "a step branch a person pushed in advance %s is not used: no PR from it, the dashboard says to delete it",
    async (_, how) => {
      const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
        onStep: (event, step, sim) => {
          if (event === "opened" && step.id === "prepare")
            sim.pushFiles("mallory", "handover/1/release-canary", [{ path: "x.txt", content: "x\n" }], "mine now", how);
        },
      });
      expect(report.completed).toBe(false);
      expect(report.stopped_at).toBe("release-canary");
      expect(report.final_label).toBe("handover:failed");
      const sim = sims[0] as GitHubSim;
      expect(sim.listPulls().filter((p) => p.pull.headRef === "handover/1/release-canary")).toEqual([]);
      const dashboard = sim.listComments(1).find((c) => c.user === "handover[bot]")?.body ?? "";
      expect(dashboard).toContain(
        "branch handover/1/release-canary already exists with a commit Handover did not make (committed by mallory): delete the branch, and Handover opens release-canary on it",
      );
    },
  );
});

describe("a step branch a person made from the default branch", () => {
  it("holds nothing the default branch lacks: Handover takes it, opens the step on it, and the chain completes", async () => {
    let made = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "prepare") return;
        // `git push origin main:handover/1/release-canary`: the branch points at a commit of the default branch.
        made = sim.branchSha("main") as string;
        sim.repo.createRef("refs/heads/handover/1/release-canary", made, actorFor("mallory"));
      },
    });
    expect(made).not.toBe("");
    expect(report.completed).toBe(true);
    expect(report.violations).toEqual([]);
    const sim = sims[0] as GitHubSim;
    const canary = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/release-canary");
    expect(canary.map((p) => [p.user, p.pull.merged])).toEqual([["handover[bot]", true]]);
  });
});

describe("rollback in a rebase-only repo", { timeout: 120_000 }, () => {
  it("a step that landed as two commits (Handover's and a reviewer's) is reverted whole", async () => {
    const path = "clusters/replicore-a/replicante.yaml";
    let before = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      repo: { merge: "rebase" },
      commands: [
        {
          after: "release-canary",
          event: "gate_passed",
          delay: 0,
          user: "operator",
          permission: "admin",
          body: "/handover rollback",
        },
      ],
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary") return;
        before = sim.readTree("main").get(path) ?? "";
        const text = sim.readTree(step.branch).get(path) ?? "";
        sim.pushFiles("reviewer", step.branch, [{ path, content: `${text}# reviewed\n` }], "Reviewed");
      },
    });
    expect(report.final_label).toBe("handover:paused");
    expect(report.violations).toEqual([]);
    const sim = sims[0] as GitHubSim;
    const canary = sim.listPulls().find((p) => p.pull.headRef === "handover/1/release-canary");
    const merge = canary?.pull.mergeCommitSha ?? "";
    expect(sim.commitParents(merge)).toHaveLength(1);
    expect(sim.repo.objects.getCommit(merge)?.message).toBe("Reviewed");
    expect(sim.readTree("main").get(path)).toBe(before);
  });
});

describe("a re-planned step PR in a rebase-only repo", { timeout: 120_000 }, () => {
  it("the default branch moving under an open step: Handover re-plans it as one commit on the new head, and it rebases in", async () => {
    const path = "clusters/replicore-a/replicante.yaml";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      repo: { merge: "rebase" },
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-wave-1") return;
        const text = sim.readTree("main").get(path) ?? "";
        // the same lines the step edits: a conflict at line level too
        sim.pushFiles(
          "dana",
          "main",
          [{ path, content: text.replace("'conf.d/kafka.yaml'", "'conf.d/kafka.yaml'  ") }],
          "Whitespace",
        );
      },
    });
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
    const sim = sims[0] as GitHubSim;
    const wave = sim.listPulls().find((p) => p.pull.headRef === "handover/1/release-wave-1");
    const merge = wave?.pull.mergeCommitSha ?? "";
    expect(sim.repo.objects.getCommit(merge)?.message).toContain("re-planned on the moved default branch");
    expect(sim.defaultBranchHistory().every((sha) => sim.commitParents(sha).length <= 1)).toBe(true);
  });
});

describe("a closed step PR GitHub will not reopen", { timeout: 120_000 }, () => {
  it("its branch already in the default branch (no new commits): /handover retry does not ask GitHub to reopen it, the step counts as no diff, and the chain completes", async () => {
    let closed = 0;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "release-canary",
          event: "opened",
          delay: 600,
          user: "maya",
          permission: "write",
          body: "/handover retry",
        },
      ],
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary") return;
        const pr = sim.listPulls().find((p) => p.pull.headRef === step.branch && p.state === "open");
        if (!pr) return;
        // Someone closes the PR and pushes its commit to main by hand (a fast-forward): the branch has nothing new.
        sim.closePull(pr.number, "dana");
        sim.repo.updateRef("heads/main", pr.pull.headSha, false, actorFor("dana"));
        closed = pr.number;
      },
    });
    expect(closed).toBeGreaterThan(0);
    const sim = sims[0] as GitHubSim;
    // GitHub answers such a reopen with a 422; Handover never asks.
    expect(sim.requests.filter((r) => r.method === "PATCH" && r.path.endsWith(`/pulls/${closed}`))).toEqual([]);
    expect(report.comments.map((c) => [c.body, c.reaction])).toEqual([["/handover retry", "rocket"]]);
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(
      sim
        .listPulls()
        .filter((p) => p.pull.headRef === "handover/1/release-canary")
        .map((p) => p.number),
    ).toEqual([closed]);
    const hidden = decodeState(
      sim.listComments(1).find((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER))?.body ?? "",
    );
    expect(hidden?.undone).toEqual([closed]);
    expect(hidden?.steps["release-canary"]?.noDiff).toBeDefined();
    expect(hidden?.steps["release-canary"]?.reopen).toBe(false);
  });
});
