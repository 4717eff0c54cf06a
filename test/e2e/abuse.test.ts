import { describe, expect, it } from "vitest";
import { decodeState, encodeState } from "../../src/engine/index.js";
import { DASHBOARD_MARKER } from "../../src/spec/markers.js";
import { actorFor } from "../../src/sim/core.js";
import { readDirTree } from "../../src/cli/disk.js";
import { BOT, SimulatedClock, startWorld, type World } from "../../src/rehearse/world.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, run } from "./helpers.js";

const GITHUB_BODY_MAX = 65_536;

function dashboardComment(sim: GitHubSim) {
  return sim.listComments(1).find((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER));
}

function dashboardOf(sim: GitHubSim): string {
  return dashboardComment(sim)?.body ?? "";
}

describe("abuse through comments, driven through the real App and the simulator", () => {
  it("a 40,000-character command from someone without permission neither overflows the dashboard nor stops the chain", {
    timeout: 120_000,
  }, async () => {
    const huge = `/handover ${"x".repeat(40_000)}`;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        { after: "release-canary", event: "opened", delay: 0, user: "mallory", permission: "none", body: huge },
        { after: "adopt-canary", event: "opened", delay: 0, user: "mallory", permission: "none", body: huge },
      ],
    });
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    for (const comment of sim.listComments(1)) expect(comment.body.length).toBeLessThanOrEqual(GITHUB_BODY_MAX);
    const hidden = decodeState(dashboardOf(sim));
    const mallory = hidden?.audit.filter((a) => a.user === "mallory") ?? [];
    expect(mallory.map((a) => [a.command.length, a.command.slice(0, 12), a.result])).toEqual([
      [200, "/handover xx", "unknown"],
      [200, "/handover xx", "unknown"],
    ]);
    // The unknown word is quoted cut, in a code span it cannot leave.
    expect(report.comments[0]?.reply?.split("\n")[0]).toBe(
      `@mallory \`${"x".repeat(39)}…\` is not a Handover command.`,
    );
  });

  it("echoed user text cannot break out of its code span or ping anyone", { timeout: 120_000 }, async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "release-canary",
          event: "opened",
          delay: 0,
          user: "mallory",
          permission: "none",
          body: "/handover x`@acme/everyone`",
        },
        {
          after: "release-canary",
          event: "opened",
          delay: 0,
          user: "mallory",
          permission: "none",
          body: "/handover retry a`b@acme/everyone",
        },
        {
          after: "adopt-canary",
          event: "opened",
          delay: 60,
          user: "alice",
          permission: "write",
          body: "/handover abort -- see @acme/everyone <b>now</b>",
        },
      ],
    });
    expect(report.comments.map((c) => c.reply?.split("\n")[0])).toEqual([
      "@mallory `x'@acme/everyone'` is not a Handover command.",
      "@mallory `a'b@acme/everyone` is not a step id (lowercase letters, digits and dashes, at most 61 characters, as shown on the dashboard); write `/handover retry [step]`.",
      undefined,
    ]);
    const sim = sims[0] as GitHubSim;
    const closed = sim.listPulls().find((p) => p.pull.headRef === "handover/1/adopt-canary");
    const closing = sim.listComments(closed?.number ?? 0).map((c) => c.body);
    expect(closing).toEqual([
      "Closed by Handover: @alice aborted the migration (#1): see @\u200bacme/everyone &lt;b&gt;now&lt;/b&gt;.\nThe step branch is deleted; nothing else will be opened.",
    ]);
  });

  it("a write user forging the hidden state (a gate skip that needs maintain) is ignored, reported as tampered, and rebuilt", {
    timeout: 120_000,
  }, async () => {
    const forged: string[] = [];
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "merged" || step.id !== "release-canary") return;
        const dashboard = dashboardComment(sim);
        const hidden = decodeState(dashboard?.body ?? "");
        if (!dashboard || !hidden) return;
        const skipped = { by: "eve", at: 0 };
        const steps = { ...hidden.steps, "release-canary": { ...hidden.steps["release-canary"], skipped } };
        const body = dashboard.body.replace(/<!-- handover:state [^\n]*-->$/, encodeState({ ...hidden, steps }));
        forged.push(hidden.base ?? "");
        sim.editComment("eve", dashboard.id, body);
      },
    });
    expect(forged).toHaveLength(1);
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    const body = dashboardOf(sim);
    expect(body.split("\n").filter((l) => l.startsWith("> "))).toEqual([
      "> [!WARNING]",
      expect.stringMatching(
        /^> The hidden state of this comment was edited by someone other than Handover \(its signature did not match\), so it was ignored and rebuilt from GitHub at 2026-01-01 \d\d:\d\d:\d\d UTC\. Commands written before then are not run again\.$/,
      ),
    ]);
    const hidden = decodeState(body);
    // The gate of release-canary ran after the forgery (it was not skipped); merged steps were re-derived from GitHub.
    expect(hidden?.steps["release-canary"]?.skipped).toBeUndefined();
    expect(hidden?.steps["release-canary"]?.gatePassedAt).toBeGreaterThan(0);
    expect(hidden?.steps["prepare"]?.pr).toBe(report.steps[0]?.pr);
    // The commit the migration was planned on is recovered from Handover's first step commit.
    expect(hidden?.base).toBe(forged[0]);
  });

  it("deleting the dashboard replays no old command: an abort refused for lack of permission stays refused", {
    timeout: 120_000,
  }, async () => {
    let deleted = 0;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "release-canary",
          event: "opened",
          delay: 0,
          user: "mallory",
          permission: "read",
          body: "/handover abort -- replay me later",
        },
      ],
      onStep: (event, step, sim) => {
        if (event !== "merged" || step.id !== "release-canary") return;
        // mallory is promoted, and someone deletes the dashboard (its hidden state with it).
        sim.setPermission("mallory", "write");
        const dashboard = dashboardComment(sim);
        if (!dashboard) return;
        sim.repo.deleteComment(sim.repo.comment(dashboard.id), actorFor("eve"));
        deleted = dashboard.id;
      },
    });
    expect(deleted).toBeGreaterThan(0);
    expect(report.completed).toBe(true);
    expect(report.final_label).toBe("handover:done");
    expect(report.comments.map((c) => [c.reaction, c.accepted])).toEqual([["-1", false]]);
    const sim = sims[0] as GitHubSim;
    expect(dashboardComment(sim)?.id).toBeGreaterThan(deleted);
    expect(decodeState(dashboardOf(sim))?.audit.filter((a) => a.user === "mallory")).toEqual([]);
  });
});

/** One App replica on the example config repo, driven by hand: `settle` delivers every webhook and waits. */
async function oneReplica(seed: number): Promise<{
  world: World;
  clock: SimulatedClock;
  replica: World["replicas"][number];
  settle: () => Promise<void>;
}> {
  const clock = new SimulatedClock(Date.parse("2026-01-01T00:00:00Z"));
  const world = await startWorld({
    clock,
    files: await readDirTree("examples/config-repo"),
    replicas: 1,
    probe: async () => ({ body: "{}" }),
    seed,
  });
  const replica = world.replicas[0] as World["replicas"][number];
  const settle = async () => {
    await world.sim.deliverAll();
    await replica.idle();
  };
  return { world, clock, replica, settle };
}

describe("GitHub errors that retrying cannot fix, through the real App and the simulator", () => {
  it("a 422 opening a step is shown with its request, labels the issue failed, is not retried by resyncs, and `/handover retry` tries again", {
    timeout: 120_000,
  }, async () => {
    const { world, clock, replica, settle } = await oneReplica(9);
    try {
      const { sim } = world;
      let refusals = 0;
      // A repo whose plan has no drafts: the draft PR of prepare, asked for with its branch in one GraphQL request, is
      // refused there, and opened over REST (a draft, refused again, then as a normal PR). The step branch is deleted
      // just before that REST request: GitHub answers 422 (head invalid).
      sim.repo.settings.drafts = false;
      sim.faultHook = (req) => {
        if (req.method === "POST" && req.path.endsWith("/pulls") && refusals === 0) {
          refusals++;
          sim.repo.refs.delete("refs/heads/handover/1/prepare");
        }
        return undefined;
      };
      sim.setPermission("operator", "admin");
      sim.createIssue("operator", "Upgrade", EXAMPLE_ISSUE, ["handover"]);
      await settle();
      const pullPosts = () => sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls"));
      expect(pullPosts().map((r) => r.status)).toEqual([422, 422]);
      expect(sim.labels(1)).toEqual(["handover", "handover:failed"]);
      const lines = dashboardOf(sim).split("\n");
      expect(lines[3]).toBe(
        "**GitHub refused POST /repos/acme/replicante-config/pulls (422): Validation Failed: PullRequest head invalid**",
      );
      expect(lines.filter((l) => l.startsWith("Next: "))).toEqual([
        "Next: Retrying the same request by itself would fail again, so Handover waits. Fix the cause (a permission, branch protection, a deleted branch or comment), then `/handover retry`; `/handover abort` stops.",
      ]);
      expect(lines.filter((l) => l.startsWith("| 1 | prepare |"))).toEqual([
        "| 1 | prepare | ⛔ blocked |  | replicore-b: 2 check(s), soak 15m |",
      ]);
      expect(sim.listPulls()).toEqual([]);
      const writesBefore = sim.requests.filter((r) => r.write).length;
      for (let i = 0; i < 3; i++) {
        clock.current += 10 * 60_000;
        await replica.resyncAll();
        await settle();
      }
      // Resyncs read, and write nothing: the same error is not made again, the dashboard stays as it is.
      expect(sim.requests.filter((r) => r.write).length).toBe(writesBefore);
      expect((await replica.metrics.getSingleMetric("handover_reconcile_errors_total")?.get())?.values).toEqual([
        { value: 1, labels: { kind: "invalid" } },
      ]);

      sim.setPermission("alice", "write");
      const retry = sim.comment("alice", 1, "/handover retry");
      await settle();
      expect(sim.reactions(retry)).toEqual(["rocket"]);
      expect(sim.listPulls().map((p) => p.pull.headRef)).toEqual(["handover/1/prepare"]);
      expect(sim.labels(1)).toEqual(["handover", "handover:running"]);
      expect(decodeState(dashboardOf(sim))?.blocked).toBeNull();
    } finally {
      await world.stop();
    }
  });

  it("a 404 reacting to a command deleted meanwhile does not hold back the reaction to the next command", {
    timeout: 120_000,
  }, async () => {
    const { world, settle } = await oneReplica(11);
    try {
      const { sim } = world;
      sim.setPermission("operator", "admin");
      sim.createIssue("operator", "Upgrade", EXAMPLE_ISSUE, ["handover"]);
      await settle();
      const status = sim.comment("operator", 1, "/handover status");
      const pause = sim.comment("operator", 1, "/handover pause");
      sim.faultHook = (req) => {
        if (req.method === "POST" && req.path.endsWith(`/comments/${status}/reactions`))
          sim.repo.deleteComment(sim.repo.comment(status), actorFor("operator"));
        return undefined;
      };
      await settle();
      const reactionPosts = sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/reactions"));
      expect(reactionPosts.map((r) => [r.path.split("/").at(-2), r.status])).toEqual([
        [String(status), 404],
        [String(pause), 201],
      ]);
      expect(sim.reactions(pause)).toEqual(["rocket"]);
      expect(sim.labels(1)).toEqual(["handover", "handover:paused"]);
      // The saved outbox keeps what was sent until the dashboard changes for another reason: no write only to clear it.
      expect(decodeState(dashboardOf(sim))?.outbox.map((f) => f.commentId)).toEqual([status, pause]);
      expect(decodeState(dashboardOf(sim))?.blocked).toBeNull();
      const resume = sim.comment("operator", 1, "/handover resume");
      await settle();
      expect(sim.reactions(resume)).toEqual(["rocket"]);
      expect(sim.labels(1)).toEqual(["handover", "handover:running"]);
      // Nothing was sent twice, and the write the resume made left out what had been sent.
      const reactedTo = sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/reactions"));
      expect(reactedTo.map((r) => r.path.split("/").at(-2))).toEqual([String(status), String(pause), String(resume)]);
      expect(decodeState(dashboardOf(sim))?.outbox.map((f) => f.commentId)).toEqual([resume]);
    } finally {
      await world.stop();
    }
  });
});

describe("issue edits once the first step is open or merged, through the real App and the simulator", () => {
  it("target, version and groups are frozen (reported, ignored); soak 0s does not pass a soaking gate at once", {
    timeout: 120_000,
  }, async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "merged" || step.id !== "release-canary") return;
        const edited = EXAMPLE_ISSUE.replace("replicore-b", "replicore-c")
          .replace("0.3.1", "0.4.0")
          .replace("canary: mongo\nwave-1: kafka\nrest: *", "all: *")
          .replace("15m", "0s");
        expect(edited).not.toBe(EXAMPLE_ISSUE);
        sim.editIssue("operator", 1, edited);
      },
    });
    expect(report.completed).toBe(true);
    const at = (id: string) => report.steps.find((s) => s.id === id);
    const canary = at("release-canary");
    // The canary's gate had started with a 15m soak: it still soaks 15 minutes.
    expect((canary?.gate_passed_at ?? 0) - (canary?.merged_at ?? 0)).toBeGreaterThanOrEqual(15 * 60);
    // Every step of the plan as filed ran, on replicore-b.
    expect(report.steps.map((s) => [s.id, s.state])).toEqual([
      ["prepare", "merged"],
      ["release-canary", "merged"],
      ["adopt-canary", "merged"],
      ["release-wave-1", "merged"],
      ["adopt-wave-1", "merged"],
      ["release-rest", "merged"],
      ["adopt-rest", "merged"],
      ["decommission", "merged"],
    ]);
    const sim = sims[0] as GitHubSim;
    expect(
      dashboardOf(sim)
        .split("\n")
        .filter((l) => l.startsWith("> ") && !l.startsWith("> [!")),
    ).toEqual([
      "> The issue's edit of Target cluster, Target version, Backend groups is ignored: the first step was opened and merged for what the issue asked before. What a migration moves is fixed once its first step merged; `/handover abort` and file a new issue to change it. (A soak time edit applies to gates not started yet.)",
    ]);
    const hidden = decodeState(dashboardOf(sim));
    expect(hidden?.frozen).toEqual({
      source: "replicore-a",
      target: "replicore-b",
      version: "0.3.1",
      groups: [
        { name: "canary", items: ["mongo"], line: 1 },
        { name: "wave-1", items: ["kafka"], line: 2 },
        { name: "rest", items: ["*"], line: 3 },
      ],
    });
    expect(hidden?.steps["release-canary"]?.soak).toBe("15m");
    expect(hidden?.steps["adopt-canary"]?.soak).toBe("0s");
  });

  it("a target edited while the prepare is open is shown on the dashboard with what to do; the branch deleted and a retry open the prepare of the new target", {
    timeout: 120_000,
  }, async () => {
    const { world, settle } = await oneReplica(13);
    try {
      const { sim } = world;
      sim.setPermission("operator", "admin");
      sim.setPermission("alice", "write");
      sim.createIssue("operator", "Upgrade", EXAMPLE_ISSUE, ["handover"]);
      await settle();
      expect(sim.listPulls().map((p) => [p.number, p.title])).toEqual([
        [2, "[handover #1] Prepare replicore-b for Replicante Core 0.3.1"],
      ]);
      // Its body says what it was opened for, signed by the App.
      const openedFor = (n: number) => {
        const body = sim.listPulls().find((p) => p.number === n)?.body ?? "";
        const block = /<!-- handover:opened-for ([A-Za-z0-9+/=]+) [0-9a-f]{64} -->/.exec(body)?.[1] ?? "";
        return JSON.parse(Buffer.from(block, "base64").toString("utf8") || "null");
      };
      expect(openedFor(2)).toEqual({ source: "replicore-a", target: "replicore-b", version: "0.3.1" });
      const warning =
        "> The issue's Target cluster changed after #2 was opened, and #2 still prepares what the issue asked for then: if it merges, that is what the migration moves, and the edit is ignored. To move what the issue asks now, delete the branch `handover/1/prepare` (GitHub closes #2) and comment `/handover retry`: Handover opens the first step again.";
      const notes = () =>
        dashboardOf(sim)
          .split("\n")
          .filter((l) => l.startsWith("> ") && !l.startsWith("> [!"));

      const bodyOf = (n: number) => sim.listPulls().find((p) => p.number === n)?.body ?? "";
      const opened = bodyOf(2);
      // dana's own line in the PR's description stays whatever Handover adds above it.
      sim.editPullBody(2, "dana", `${opened}\n\ndana: the ensemble is zk-b`);
      await settle();
      const described = bodyOf(2);
      expect(described).toBe(`${opened}\n\ndana: the ensemble is zk-b`);

      sim.editIssue("operator", 1, EXAMPLE_ISSUE.replace("replicore-b", "replicore-c"));
      await settle();
      expect(notes()).toEqual([warning]);
      // #2 is left as it is: the operator may have filled it in, and only they know which target they meant. Its
      // reviewers read the warning at the top of its description, right after the markers it starts with (DESIGN).
      expect(sim.listPulls().map((p) => [p.number, p.state])).toEqual([[2, "open"]]);
      const [stepMarker, openedBlock] = described.split("\n");
      expect([stepMarker, openedBlock?.startsWith("<!-- handover:opened-for ")]).toEqual([
        "<!-- handover:step issue=1 step=prepare -->",
        true,
      ]);
      expect(bodyOf(2)).toBe(
        `${stepMarker}\n${openedBlock}\n` +
          "<!-- handover:note -->\n> [!WARNING]\n> #1's Target cluster changed after this PR was opened, and it still prepares what the issue asked for then: if it merges, that is what the migration moves, and the edit is ignored. To move what the issue asks now, delete the branch `handover/1/prepare` (GitHub closes this PR) and comment `/handover retry` on #1: Handover opens the first step again.\n<!-- /handover:note -->\n\n" +
          described.split("\n").slice(2).join("\n"),
      );
      // Another event changes nothing: one edit.
      const edits = () => sim.requests.filter((r) => r.method === "PATCH" && r.path.endsWith("/pulls/2")).length;
      expect(edits()).toBe(1);
      sim.comment("alice", 1, "/handover status");
      await settle();
      expect(edits()).toBe(1);
      // The issue asking for what #2 prepares again: the warning goes, dana's line stays.
      sim.editIssue("operator", 1, EXAMPLE_ISSUE);
      await settle();
      expect([notes(), bodyOf(2), edits()]).toEqual([[], described, 2]);
      sim.editIssue("operator", 1, EXAMPLE_ISSUE.replace("replicore-b", "replicore-c"));
      await settle();
      expect([notes(), edits()]).toEqual([[warning], 3]);

      sim.deleteBranch("operator", "handover/1/prepare");
      await settle();
      expect(sim.listPulls().map((p) => [p.number, p.state])).toEqual([[2, "closed"]]);
      expect(notes()).toEqual([warning]);

      const retry = sim.comment("alice", 1, "/handover retry");
      await settle();
      expect(sim.reactions(retry)).toEqual(["rocket"]);
      expect(sim.listPulls().map((p) => [p.number, p.title, p.state])).toEqual([
        [2, "[handover #1] Prepare replicore-b for Replicante Core 0.3.1", "closed"],
        [3, "[handover #1] Prepare replicore-c for Replicante Core 0.3.1", "open"],
      ]);
      expect(notes()).toEqual([]);
      expect(openedFor(3)).toEqual({ source: "replicore-a", target: "replicore-c", version: "0.3.1" });
      expect(decodeState(dashboardOf(sim))?.frozen).toBeNull();
    } finally {
      await world.stop();
    }
  });
});

describe("a state rebuilt from GitHub, through the real App and the simulator", () => {
  it("the target edited after the first step merged, then the dashboard deleted: the rebuilt state takes what the prepare PR was opened for", {
    timeout: 120_000,
  }, async () => {
    let deleted = false;
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "adopt-canary" || deleted) return;
        sim.editIssue("operator", 1, EXAMPLE_ISSUE.replace("replicore-b", "replicore-c"));
        const dashboard = sim.listComments(1).find((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER));
        sim.repo.deleteComment(sim.repo.comment(dashboard?.id ?? 0), actorFor("eve"));
        deleted = dashboard !== undefined;
      },
    });
    expect(deleted).toBe(true);
    expect([report.completed, report.final_label, report.duplicate_prs, report.violations]).toEqual([
      true,
      "handover:done",
      0,
      [],
    ]);
    const sim = sims[0] as GitHubSim;
    // One PR per step, all of them for replicore-b; replicore-c was never prepared.
    expect(sim.listPulls().filter((p) => p.title.includes("replicore-c"))).toEqual([]);
    expect(sim.listPulls().filter((p) => p.pull.headRef === "handover/1/prepare")).toHaveLength(1);
    const hidden = decodeState(dashboardOf(sim));
    expect([hidden?.frozen?.source, hidden?.frozen?.target, hidden?.frozen?.version]).toEqual([
      "replicore-a",
      "replicore-b",
      "0.3.1",
    ]);
    expect(
      dashboardOf(sim)
        .split("\n")
        .filter((l) => l.startsWith("> ") && !l.startsWith("> [")),
    ).toEqual([
      "> The issue's edit of Target cluster is ignored: the first step was opened and merged for what the issue asked before. What a migration moves is fixed once its first step merged; `/handover abort` and file a new issue to change it. (A soak time edit applies to gates not started yet.)",
    ]);
  });

  it("deleting the dashboard after a rollback keeps the step undone: the chain stays paused, and resume opens the step again", {
    timeout: 120_000,
  }, async () => {
    let sim: GitHubSim | undefined;
    let deleted = 0;
    let rebuilt: ReturnType<typeof decodeState>;
    let labelBeforeResume: string[] = [];
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        {
          after: "adopt-canary",
          event: "gate_passed",
          delay: 0,
          user: "maya",
          permission: "maintain",
          body: "/handover rollback",
        },
        // The rollback has finished by then (the chain is paused); this comment is the cue to delete the dashboard.
        {
          after: "adopt-canary",
          event: "gate_passed",
          delay: 3000,
          user: "maya",
          permission: "maintain",
          body: "/handover status",
        },
        {
          after: "adopt-canary",
          event: "gate_passed",
          delay: 3600,
          user: "maya",
          permission: "maintain",
          body: "/handover resume",
        },
      ],
      onStep: (_event, _step, s) => {
        sim = s;
      },
      onEvent: (_at, line) => {
        if (!sim) return;
        if (line.endsWith("/handover status")) {
          const dashboard = dashboardComment(sim);
          expect(decodeState(dashboard?.body ?? "")?.paused?.by).toBe("maya");
          sim.repo.deleteComment(sim.repo.comment(dashboard?.id ?? 0), actorFor("eve"));
          deleted = dashboard?.id ?? 0;
        }
        if (line.endsWith("/handover resume")) {
          rebuilt = decodeState(dashboardOf(sim));
          labelBeforeResume = sim.labels(1);
        }
      },
    });
    expect(deleted).toBeGreaterThan(0);
    const s = sims[0] as GitHubSim;
    const pulls = s.listPulls().sort((a, b) => a.number - b.number);
    const adopt = pulls.filter((p) => p.pull.headRef === "handover/1/adopt-canary");
    const wave = pulls.filter((p) => p.pull.headRef === "handover/1/release-wave-1");
    const rollback = pulls.filter((p) => p.pull.headRef === "handover/1/rollback-adopt-canary-1");
    // Rebuilt from GitHub between the rollback and the resume: the reverted adopt PR and the release PR the rollback
    // closed are undone, the rollback is counted, and the chain is still paused (nothing re-opened, nothing skipped).
    expect(rebuilt?.undone.sort((a, b) => a - b)).toEqual([adopt[0]?.number, wave[0]?.number]);
    expect(rebuilt?.rollbacks).toEqual({ "adopt-canary": 1 });
    expect(rebuilt?.paused?.by).toBe(BOT);
    expect(rebuilt?.rollback).toBeNull();
    expect(rebuilt?.steps["adopt-canary"]).toBeUndefined();
    expect(labelBeforeResume).toEqual(["handover", "handover:paused"]);
    // Then resume opens adopt-canary again, and the chain completes with each step PR once more.
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(adopt.map((p) => p.pull.merged)).toEqual([true, true]);
    expect(rollback.map((p) => p.pull.merged)).toEqual([true]);
    expect(wave.map((p) => [p.state, p.pull.merged])).toEqual([
      ["closed", false],
      ["closed", true],
    ]);
    // The rollback, handled before the dashboard went (its reaction says so), is not replayed; the status posted as it
    // went was never handled, and is answered after the rebuild instead of being dropped.
    expect(report.comments.map((c) => [c.body, c.reaction])).toEqual([
      ["/handover rollback", "rocket"],
      ["/handover status", "rocket"],
      ["/handover resume", "rocket"],
    ]);
  });
});
