import { describe, expect, it } from "vitest";
import type { ScriptedComment } from "../../src/rehearse/run.js";
import { COMMITTER } from "../../src/github/port.js";
import type { GitHubSim, SimPullRequest } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, issueBody, run } from "./helpers.js";

/** A command alice (write) posts `delay` seconds after a step's moment. */
const alice = (after: string, event: ScriptedComment["event"], delay: number, body: string): ScriptedComment => ({
  after,
  event,
  delay,
  user: "alice",
  permission: "write",
  body,
});

/** The same, by maya (maintain: she may also skip, roll back and approve decommission). */
const maya = (after: string, event: ScriptedComment["event"], delay: number, body: string): ScriptedComment => ({
  ...alice(after, event, delay, body),
  user: "maya",
  permission: "maintain",
});

/**
 * maya rolls `step` back once its gate passed and resumes an hour later: both are taken, the revert PR merged, and the
 * chain completes with the invariant held.
 */
async function rolledBackAndResumed(
  step: string,
  repo = "examples/config-repo",
  body = EXAMPLE_ISSUE,
): Promise<{ sim: GitHubSim; rollback: SimPullRequest | undefined }> {
  const { report, sims } = await run(repo, body, {
    commands: [maya(step, "gate_passed", 0, "/handover rollback"), maya(step, "gate_passed", 3600, "/handover resume")],
  });
  expect(report.comments.map((c) => [c.body, c.reaction, c.reply])).toEqual([
    ["/handover rollback", "rocket", null],
    ["/handover resume", "rocket", null],
  ]);
  expect(report.completed).toBe(true);
  expect(report.violations).toEqual([]);
  const sim = sims[0] as GitHubSim;
  const rollback = sim.listPulls().find((p) => p.pull.headRef === `handover/1/rollback-${step}-1`);
  expect(rollback?.pull.merged).toBe(true);
  return { sim, rollback };
}

describe("ChatOps in a rehearsal", () => {
  it("a read-only abort is refused with a reply; the chain completes", async () => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "release-canary",
          event: "opened",
          delay: 0,
          user: "mallory",
          permission: "read",
          body: "/handover abort -- not yours",
        },
      ],
    });
    expect(report.completed).toBe(true);
    expect(report.comments).toEqual([
      {
        user: "mallory",
        body: "/handover abort -- not yours",
        accepted: false,
        reaction: "-1",
        reply: "@mallory `/handover abort` needs **write** permission on this repository; @mallory has **read**.",
      },
    ]);
  });

  it("pause holds the chain until resume an hour later", async () => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        alice("release-canary", "merged", 0, "/handover pause"),
        alice("release-canary", "merged", 3600, "/handover resume"),
      ],
    });
    expect(report.completed).toBe(true);
    expect(report.comments.map((c) => [c.reaction, c.accepted])).toEqual([
      ["rocket", true],
      ["rocket", true],
    ]);
    const merged = report.steps.find((s) => s.id === "release-canary")?.merged_at ?? 0;
    const next = report.steps.find((s) => s.id === "adopt-canary")?.opened_at ?? 0;
    expect(next).toBeGreaterThanOrEqual(merged + 3600);
  });

  it("a resume whose webhook was lost is read at the next resync: the rehearsal waits for it, not stopping paused", async () => {
    let sim: GitHubSim | undefined;
    let lost = 0;
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        alice("release-canary", "merged", 0, "/handover pause"),
        // Between two of the rehearsal's minute ticks, so no resync runs at once.
        alice("release-canary", "merged", 3630, "/handover resume"),
      ],
      onSim: (s) => {
        sim = s;
      },
      // The resume's issue_comment delivery is lost: nothing but a resync brings it to the App.
      onEvent: (_, line) => {
        if (line.endsWith("/handover resume")) lost = sim?.discardEvents() ?? 0;
      },
    });
    expect(lost).toBe(1);
    expect(report.completed).toBe(true);
    expect(report.comments.map((c) => [c.body, c.reaction, c.accepted])).toEqual([
      ["/handover pause", "rocket", true],
      ["/handover resume", "rocket", true],
    ]);
    const merged = report.steps.find((s) => s.id === "release-canary")?.merged_at ?? 0;
    const next = report.steps.find((s) => s.id === "adopt-canary")?.opened_at ?? 0;
    expect(next).toBeGreaterThanOrEqual(merged + 3630);
  });

  it("a retry of a closed step PR while paused is recorded; the resume reopens that same PR and the chain completes", async () => {
    const at = (delay: number, body: string) => alice("adopt-canary", "opened", delay, body);
    let closed = 0;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [at(0, "/handover pause"), at(600, "/handover retry"), at(1200, "/handover resume")],
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "adopt-canary") return;
        closed = sim.listPulls().find((p) => p.pull.headRef === step.branch)?.number ?? 0;
        sim.closePull(closed, "dana");
      },
    });
    expect(report.completed).toBe(true);
    expect(report.comments.map((c) => [c.body, c.reaction, c.accepted])).toEqual([
      ["/handover pause", "rocket", true],
      ["/handover retry", "eyes", true],
      ["/handover resume", "rocket", true],
    ]);
    const sim = sims[0] as GitHubSim;
    const pulls = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/adopt-canary");
    expect(pulls.map((p) => [p.number, p.pull.merged])).toEqual([[closed, true]]);
    expect(report.duplicate_prs).toBe(0);
  });

  it("a pause posted before the dashboard's first write succeeded is applied once the state is rebuilt, not dropped", async () => {
    let failed = 0;
    const at = (delay: number, body: string) => alice("prepare", "opened", delay, body);
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [at(0, "/handover pause"), at(7200, "/handover resume")],
      onSim: (sim) => {
        // The dashboard's creation fails until alice has posted her pause: the reconcile that reads the pause finds no
        // state, and rebuilds it from GitHub.
        sim.faultHook = (req) => {
          if (req.method !== "POST" || !req.path.endsWith("/issues/1/comments")) return undefined;
          if (sim.listComments(1).some((c) => c.user === "alice")) return undefined;
          failed += 1;
          return "500";
        };
      },
    });
    expect(failed).toBeGreaterThan(0);
    expect(report.completed).toBe(true);
    expect(report.comments.map((c) => [c.body, c.reaction, c.accepted])).toEqual([
      ["/handover pause", "rocket", true],
      ["/handover resume", "rocket", true],
    ]);
    // Held: the prepare merged, but release-canary opened only after the resume, two hours after the pause.
    const prepare = report.steps.find((s) => s.id === "prepare")?.opened_at ?? 0;
    const canary = report.steps.find((s) => s.id === "release-canary")?.opened_at ?? 0;
    expect(canary).toBeGreaterThanOrEqual(prepare + 7200);
  });

  it("abort of an open prepare under chaos: the simulated operator finds its branch gone and fills nothing in", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      chaosSeed: 4,
      replicas: 2,
      commands: [alice("prepare", "opened", 0, "/handover abort -- not now")],
    });
    expect(report.final_label).toBe("handover:aborted");
    const sim = sims[0] as GitHubSim;
    expect(sim.listPulls().map((p) => [p.pull.headRef, p.state, p.pull.merged])).toEqual([
      ["handover/1/prepare", "closed", false],
    ]);
    expect(sim.branchSha("handover/1/prepare")).toBeUndefined();
    expect(report.violations).toEqual([]);
  });

  it("abort while a step PR is open closes it, deletes its branch, labels aborted and opens nothing more", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "adopt-canary",
          event: "opened",
          delay: 60,
          user: "alice",
          permission: "write",
          body: "/handover abort -- dependencies are not ready",
        },
      ],
    });
    expect(report.completed).toBe(false);
    expect(report.final_label).toBe("handover:aborted");
    expect(report.steps.map((s) => s.state)).toEqual(["merged", "merged", "closed", null, null, null, null, null]);
    const sim = sims[0] as GitHubSim;
    expect(sim.branchSha("handover/1/adopt-canary")).toBeUndefined();
    expect(sim.listPulls().filter((p) => p.state === "open")).toEqual([]);
    const closing = sim.listComments(report.steps[2]?.pr ?? 0).map((c) => c.body);
    expect(closing).toEqual([expect.stringContaining("@alice aborted the migration (#1): dependencies are not ready")]);
  });

  it("rollback of a merged adopt step: a gated revert PR restores the pre-step files, closes the next step's PR, pauses; resume redoes it", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        maya("adopt-canary", "gate_passed", 0, "/handover rollback"),
        maya("adopt-canary", "gate_passed", 3600, "/handover resume"),
      ],
    });
    expect(report.comments.map((c) => [c.body, c.reaction])).toEqual([
      ["/handover rollback", "rocket"],
      ["/handover resume", "rocket"],
    ]);
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
    const sim = sims[0] as GitHubSim;
    const pulls = sim.listPulls();
    const adopt = pulls.filter((p) => p.pull.headRef === "handover/1/adopt-canary").sort((a, b) => a.number - b.number);
    const rollback = pulls.find((p) => p.pull.headRef === "handover/1/rollback-adopt-canary-1");
    const closedNext = pulls.find((p) => p.pull.headRef === "handover/1/release-wave-1" && !p.pull.merged);
    expect(adopt.map((p) => p.pull.merged)).toEqual([true, true]);
    expect(rollback?.pull.merged).toBe(true);
    expect(closedNext?.state).toBe("closed");
    // The revert restores every file the adopt step touched to its content before that merge (the restart key aside).
    const first = adopt[0]?.pull.mergeCommitSha ?? "";
    const before = sim.readTree(sim.commitParents(first)[0] ?? "");
    const reverted = sim.readTree(rollback?.pull.mergeCommitSha ?? "");
    for (const path of ["clusters/replicore-b/replicante.yaml", "clusters/replicore-b/conf.d/mongo.yaml"])
      expect(reverted.get(path)).toBe(before.get(path));
    // ...and the target's restart annotation is set to the rollback's own value, so replicore-b restarts without mongo.
    const statefulset = reverted.get("clusters/replicore-b/statefulset.yaml") ?? "";
    const restartLine = "        handover.replicante.io/restart: 1-rollback-adopt-canary-1\n";
    expect(statefulset).toContain(restartLine);
    expect(statefulset.replace(restartLine, "")).toBe(before.get("clusters/replicore-b/statefulset.yaml"));
  });

  it("rollback of prepare: the revert removes replicore-b, so it has no gate; resume scaffolds replicore-b again", async () => {
    const { sim, rollback } = await rolledBackAndResumed("prepare");
    // The revert deleted replicore-b and its handover.yml entry: nothing of it is left to be healthy...
    const reverted = sim.readTree(rollback?.pull.mergeCommitSha ?? "");
    expect([...reverted.keys()].filter((path) => path.includes("replicore-b"))).toEqual([]);
    expect(rollback?.body).toContain(
      "### Gate\nNo gate: this revert takes **replicore-b** out of `.github/handover.yml`, so it has no health left to wait for; the chain pauses once it merged.\n",
    );
    // ...so the chain paused as soon as it merged, and resume opened prepare again on a new PR.
    const prepare = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/prepare");
    expect(prepare.map((p) => p.pull.merged)).toEqual([true, true]);
    expect((prepare[1]?.createdAt ?? 0) - (rollback?.pull.mergedAt ?? 0)).toBe(3600_000 - 5 * 60_000);
  });

  it("rollback of a step gated on an http check (Core 0.3 to 0.4): the revert's gate keeps every probe until its soak is over; resume goes on", async () => {
    // The revert's gate passed within the hour, so the chain was paused by then and the resume was taken.
    const { sim, rollback } = await rolledBackAndResumed(
      "adopt-mongo",
      "test/fixtures/repos/core-0.3",
      issueBody("replicore-a", "replicore-b", "0.4.0", "mongo: mongo\nrest: *"),
    );
    expect(rollback?.body).toContain("http://replicore-b.playground:16016/api/unstable/introspect/health");
    const adopt = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/adopt-mongo");
    expect(adopt.map((p) => p.pull.merged)).toEqual([true, true]);
  });

  // A squash merge copies the PR's commits: the branch's head, a reviewer's commit, is not in the default branch's history.
  it.each([
    ["before the merge: the step opens again on its branch, moved on from the merged head", false],
    [
      "after the merge too: that commit is theirs, so the new PR is the branch as it is, left to them on a conflict",
      true,
    ],
  ])("rollback of a squash-merged step a reviewer pushed to %s", async (_, after) => {
    const note = (sim: GitHubSim, text: string) =>
      sim.pushFiles("dana", "handover/1/adopt-canary", [{ path: "notes/adopt.md", content: text }], "notes");
    let late = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      repo: { merge: "squash" },
      commands: [
        maya("adopt-canary", "gate_passed", 0, "/handover rollback"),
        maya("adopt-canary", "gate_passed", 3600, "/handover resume"),
      ],
      onStep: (event, step, sim) => {
        // (The first PR only: the step opens again after the rollback.)
        if (step.id !== "adopt-canary" || sim.listPulls().some((p) => p.pull.headRef.includes("rollback"))) return;
        if (event === "opened") note(sim, "reviewed\n");
        if (event === "merged" && after) late = note(sim, "reviewed, and more after the merge\n");
      },
    });
    const sim = sims[0] as GitHubSim;
    const adopt = sim.listPulls().filter((p) => p.pull.headRef === "handover/1/adopt-canary");
    expect(report.comments.map((c) => [c.body, c.reaction])).toEqual([
      ["/handover rollback", "rocket"],
      ["/handover resume", "rocket"],
    ]);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
    // The first PR's head was dana's commit; the revert undid that whole merge, her note with it.
    expect(sim.repo.objects.getCommit(adopt[0]?.pull.headSha ?? "")?.committer.name).toBe("dana");
    if (!after) {
      expect(report.completed).toBe(true);
      expect(adopt.map((p) => [p.user, p.pull.merged])).toEqual([
        ["handover[bot]", true],
        ["handover[bot]", true],
      ]);
      // The branch moved on from her commit, the merged head, to Handover's for the second PR.
      expect(sim.repo.objects.getCommit(adopt[1]?.pull.headSha ?? "")?.committer.name).toBe(COMMITTER.name);
      expect(sim.readTree("main").has("notes/adopt.md")).toBe(false);
      return;
    }
    // Her commit after the merge was left where it was: the second PR is the branch as it is. It conflicts with the
    // revert (the restart annotation), so it waits for her, and nothing after it opens.
    expect(report.final_label).toBe("handover:paused");
    expect(adopt.map((p) => [p.user, p.state])).toEqual([
      ["handover[bot]", "closed"],
      ["handover[bot]", "open"],
    ]);
    expect(adopt[1]?.pull.headSha).toBe(late);
    const dashboard = sim.listComments(1).find((c) => c.user === "handover[bot]")?.body ?? "";
    expect(dashboard).toContain(
      `**#${adopt[1]?.number} (adopt-canary) conflicts with the default branch and has commits pushed by people, so Handover leaves it alone.**`,
    );
  });

  it("rollback racing a person's merge of the next step: the merge stands, the rollback is cancelled, paused; resume goes on", async () => {
    let raced = false;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        maya("adopt-canary", "opened", 0, "/handover rollback"),
        maya("adopt-canary", "opened", 3600, "/handover resume"),
      ],
      // The operator merges adopt-canary's PR (#4) just before Handover's close of it reaches GitHub.
      onSim: (sim) => {
        sim.faultHook = (req) => {
          if (!raced && req.method === "PATCH" && req.path.endsWith("/pulls/4")) {
            raced = true;
            sim.mergePull(4, "operator");
          }
          return undefined;
        };
      },
    });
    expect(raced).toBe(true);
    // The resume was taken: the rollback had paused the chain instead of failing on a revert that no longer fits.
    expect(report.comments.map((c) => [c.body, c.reaction, c.reply])).toEqual([
      ["/handover rollback", "rocket", null],
      ["/handover resume", "rocket", null],
    ]);
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
    const pulls = (sims[0] as GitHubSim).listPulls();
    // No revert was opened, and adopt-canary's one PR counted as its merge (not opened again).
    expect(pulls.filter((p) => p.pull.headRef.includes("rollback-"))).toEqual([]);
    expect(
      pulls.filter((p) => p.pull.headRef === "handover/1/adopt-canary").map((p) => [p.number, p.pull.merged]),
    ).toEqual([[4, true]]);
  });

  it("under chaos with two replicas, every command gets exactly its reaction and at most one reply", async () => {
    const commands = [
      {
        after: "release-canary",
        event: "opened" as const,
        delay: 0,
        user: "mallory",
        permission: "read" as const,
        body: "/handover abort -- not yours",
      },
      {
        after: "release-canary",
        event: "merged" as const,
        delay: 0,
        user: "alice",
        permission: "write" as const,
        body: "/handover pause",
      },
      {
        after: "release-canary",
        event: "merged" as const,
        delay: 1800,
        user: "alice",
        permission: "write" as const,
        body: "/handover resume",
      },
      {
        after: "adopt-canary",
        event: "opened" as const,
        delay: 0,
        user: "bob",
        permission: "write" as const,
        body: "/handover frobnicate",
      },
    ];
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { chaosSeed: 5, replicas: 2, commands });
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.comments.map((c) => [c.body, c.reaction, c.reply !== null])).toEqual([
      ["/handover abort -- not yours", "-1", true],
      ["/handover pause", "rocket", false],
      ["/handover resume", "rocket", false],
      ["/handover frobnicate", "confused", true],
    ]);
    const sim = sims[0] as GitHubSim;
    const replies = sim
      .listComments(1)
      .filter((c) => c.user === "handover[bot]")
      .map((c) => /^<!-- handover:reply-to=(\d+) -->/.exec(c.body)?.[1])
      .filter(Boolean);
    expect(new Set(replies).size).toBe(replies.length);
    expect(replies).toHaveLength(2);
  });
});

describe("/handover status while a gate runs", () => {
  it("replies with each check's state now (the dashboard does not follow them)", { timeout: 120_000 }, async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "release-canary",
          event: "merged",
          delay: 90,
          user: "operator",
          permission: "write",
          body: "/handover status",
        },
      ],
    });
    expect(report.completed).toBe(true);
    const canary = report.steps.find((s) => s.id === "release-canary")?.pr;
    const merge = sims[0]?.listPulls().find((p) => p.number === canary)?.pull.mergeCommitSha ?? "";
    // 90 s after the merge: the deployment reported, flux not yet.
    expect(report.comments[0]?.reply).toBe(
      [
        "@operator **Waiting for the replicore-a health gate of release-canary: pending**",
        "",
        "- ⏳ flux replicore-a (status kustomization/replicore-a/*): nothing reported yet",
        `- ✅ deployment replicore-a: deployment 1020 (${merge.slice(0, 7)}) to replicore-a: success`,
        "",
        "Nothing to do: the next step opens by itself once the gate passes (time-out at 02:31:00 UTC). `/handover pause` holds it.",
      ].join("\n"),
    );
  });
});
