import { describe, expect, it } from "vitest";
import { decodeState } from "../../src/engine/index.js";
import { checkTree } from "../../src/invariant/index.js";
import { REHEARSAL_START, type RehearsalReport } from "../../src/rehearse/run.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, expectStrictOrder, issueBody, run } from "./helpers.js";

describe("full chain in every era", () => {
  it("files era (example repo): every step merged in order, invariant held at every commit, nothing duplicated", async () => {
    const { report, plan, sims } = await run("examples/config-repo", EXAMPLE_ISSUE);
    expect(report.completed).toBe(true);
    expect(report.final_label).toBe("handover:done");
    expect(report.steps.map((s) => [s.id, s.state])).toEqual(plan.steps.map((s) => [s.id, "merged"]));
    expect(report.steps.every((s, i) => s.pr === i + 2)).toBe(true);
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    const final = sim.readTree("main");
    expect([...final.keys()].filter((p) => p.startsWith("clusters/replicore-a/"))).toEqual([]);
    const core = final.get("clusters/replicore-b/replicante.yaml") ?? "";
    for (const entry of ["'conf.d/mongo.yaml'", "'conf.d/kafka.yaml'", "/opt/replicante/conf.d/zookeeper.yaml"])
      expect(core).toContain(entry);
    // The operator's own commit on the prepare branch (its new dependencies) was kept, never overwritten.
    expect(core).toContain("ensemble: 'replicore-b-deps.internal:2181/replicante'");
    expect(core).not.toContain("REPLACE-ME");
    expect(checkTree(final)).toEqual([]);
  });

  it("the example with the simulator answering in-process (the bench's reconciles) ends as it does over HTTP", async () => {
    const overHttp = await run("examples/config-repo", EXAMPLE_ISSUE);
    const inProcess = await run("examples/config-repo", EXAMPLE_ISSUE, { transport: "in-process" });
    expect(inProcess.report.completed).toBe(true);
    // The same steps, PRs, moments and writes: only how fast each request is answered differs.
    expect(inProcess.report.steps).toEqual(overHttp.report.steps);
    expect(inProcess.report.api.writes).toBe(overHttp.report.api.writes);
    expect(inProcess.report.violations).toEqual([]);
    expect(inProcess.report.duplicate_prs).toBe(0);
    const [http, direct] = [overHttp.sims[0] as GitHubSim, inProcess.sims[0] as GitHubSim];
    expect(direct.readTree("main")).toEqual(http.readTree("main"));
  });

  it("http era (Core 0.5): one group per backend when the issue names none", async () => {
    const { report, plan } = await run(
      "test/fixtures/repos/http",
      issueBody("replicore-blue", "replicore-green", "0.5.0"),
    );
    expect(report.completed).toBe(true);
    expect(plan.steps.filter((s) => s.kind === "release")).toHaveLength(plan.groups.length);
    expect(report.steps.every((s) => s.state === "merged")).toBe(true);
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
  });

  it("settings era (Core 0.7): DiscoverySettings objects move file by file", async () => {
    const { report, sims } = await run(
      "test/fixtures/repos/settings",
      issueBody("replicore-old", "replicore-new", "0.7.2"),
    );
    expect(report.completed).toBe(true);
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    const final = (sims[0] as GitHubSim).readTree("main");
    expect([...final.keys()].some((p) => p.startsWith("clusters/replicore-old/"))).toBe(false);
    expect([...final.keys()].filter((p) => p.startsWith("clusters/replicore-new/apply/")).length).toBeGreaterThan(0);
  });
});

describe("the settings era (Core 0.7) and the people around it", () => {
  const SETTINGS = issueBody("replicore-old", "replicore-new", "0.7.2");

  // The adopt writes the DiscoverySettings object whole: applied again on the merge, it drops the comment line, and
  // the merge counted as not the step's once, opening the step a second time.
  it.each(["merge", "squash", "rebase"] as const)(
    "a reviewer's comment line in the object an adopt writes: the merge counts, one PR, the line kept (%s)",
    async (merge) => {
      let note = { path: "", line: "# reviewed by dana" };
      const { report, sims } = await run("test/fixtures/repos/settings", SETTINGS, {
        repo: { merge },
        onStep: (event, step, sim) => {
          if (event !== "opened" || step.id !== "adopt-kafka-static" || note.path) return;
          const written = step.changes.find((c) => c.content !== null && /\.ya?ml$/.test(c.path));
          const text = sim.readTree(step.branch).get(written?.path ?? "") ?? "";
          note = { ...note, path: written?.path ?? "" };
          sim.pushFiles("dana", step.branch, [{ path: note.path, content: `${text}${note.line}\n` }], "A note");
        },
      });
      expect(note.path).toMatch(/^clusters\/replicore-new\//);
      expect([report.completed, report.duplicate_prs, report.violations]).toEqual([true, 0, []]);
      const sim = sims[0] as GitHubSim;
      expect(sim.listPulls().filter((p) => p.pull.headRef === "handover/1/adopt-kafka-static")).toHaveLength(1);
      expect(sim.readTree("main").get(note.path)?.split("\n")).toContain(note.line);
    },
  );

  it("a rollback while a later step with no diff waits on its gate, resumed after that gate's window: the step is judged again on the reverted tree and the chain completes", async () => {
    const maya = { after: "adopt-kafka-static", event: "gate_passed", user: "maya", permission: "maintain" } as const;
    const { report, sims } = await run("test/fixtures/repos/settings", SETTINGS, {
      commands: [
        { ...maya, delay: 0, body: "/handover rollback" },
        { ...maya, delay: 180 * 60, body: "/handover resume" },
      ],
    });
    expect([report.completed, report.final_label, report.duplicate_prs, report.violations]).toEqual([
      true,
      "handover:done",
      0,
      [],
    ]);
    const step = (id: string) => report.steps.find((s) => s.id === id);
    // No PR: its changes were on the default branch; its gate passed after the adopt before it merged again.
    expect(step("release-legacy-inventory")?.pr).toBeNull();
    expect(step("release-legacy-inventory")?.gate_passed_at).toBeGreaterThan(
      step("adopt-kafka-static")?.merged_at ?? 0,
    );
    const adopts = (sims[0] as GitHubSim).listPulls().filter((p) => p.pull.headRef === "handover/1/adopt-kafka-static");
    expect(adopts.map((p) => p.pull.merged)).toEqual([true, true]);
  });
});

describe("a target that already exists", () => {
  it("prepare is skipped (no diff, no PR) and its gate is read on the current head; the chain completes", async () => {
    const { report, plan } = await run(
      "test/fixtures/repos/target-exists",
      issueBody("replicore-a", "replicore-b", "0.3.1"),
    );
    expect(plan.steps[0]?.status).toBe("no-diff");
    expect(report.completed).toBe(true);
    expect(report.steps[0]).toMatchObject({ id: "prepare", pr: null, state: null });
    expect(report.steps[0]?.gate_passed_at).not.toBeNull();
    expect(report.steps.slice(1).every((s) => s.state === "merged")).toBe(true);
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
  });
});

describe("gates", () => {
  it("--fail-health stops the chain at exactly that step: nothing after it is opened", async () => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, { failHealth: "adopt-canary" });
    expect(report.completed).toBe(false);
    expect(report.stopped_at).toBe("adopt-canary");
    expect(report.final_label).toBe("handover:failed");
    expect(report.steps.map((s) => s.state)).toEqual(["merged", "merged", "merged", null, null, null, null, null]);
    expect(report.steps.find((s) => s.id === "adopt-canary")?.gate_passed_at).toBeNull();
    expect(report.violations).toEqual([]);
  });
});

describe("a gate that cannot pass yet reads only what webhooks report", () => {
  /** When the App first wrote the issue's labels after `step` merged (`hh:mm:ss`): the gate's failure. */
  function failedAt(report: RehearsalReport, sim: GitHubSim, step: string): string | undefined {
    const merged = report.steps.find((s) => s.id === step)?.merged_at;
    if (merged === null || merged === undefined) return undefined;
    const write = sim.requests.find(
      (r) => r.write && r.at >= REHEARSAL_START + merged * 1000 && r.path.endsWith("/issues/1/labels"),
    );
    return write && new Date(write.at).toISOString().slice(11, 19);
  }

  it("a failure a webhook reports fails the gate at once", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, { failHealth: "release-canary" });
    expect(report.final_label).toBe("handover:failed");
    // merged 00:31, the deployments report failure at 00:32 (flux at 00:33)
    expect(failedAt(report, sims[0] as GitHubSim, "release-canary")).toBe("00:32:00");
  });

  it("a failure whose webhooks were all lost fails the gate one soak after the merge, when every check is read", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      failHealth: "release-canary",
      onStep: (event, step, sim) => {
        // From the merge's own webhooks on, GitHub delivers nothing more.
        if (event === "merged" && step.id === "release-canary")
          sim.chaos = { rng: () => 0, duplicate: 0, reorder: 0, drop: 1 };
      },
    });
    expect(report.final_label).toBe("handover:failed");
    // merged 00:31 with a soak of 15m: read at 00:46, the history has the failures of 00:32 and 00:33
    expect(failedAt(report, sims[0] as GitHubSim, "release-canary")).toBe("00:46:00");
    expect(report.steps.map((s) => s.state)).toEqual(["merged", "merged", null, null, null, null, null, null]);
  });
});

describe("the default branch moving under an open step", () => {
  // The merge commit of a squash or rebase merge is not the PR's head: the prepare counts as merged by its tree.
  it.each([
    ["merge", ""],
    ["squash", ""],
    ["rebase", ""],
    // The PR's signed block gone with a person's words: the state's record of what it was opened for stands.
    ["merge", ", its description rewritten by a person"],
  ] as const)(
    "a target edited while the prepare is open, the edit seen only with its merge: the migration moves what the prepare was opened for, and the edit is shown ignored (%s%s)",
    async (merge, rewritten) => {
      let lost = -1;
      const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
        repo: { merge },
        onStep: (event, step, sim) => {
          if (event !== "opened" || step.id !== "prepare" || lost >= 0) return;
          if (rewritten) sim.editPullBody(2, "dana", "dana: replicore-b gets zk-b, mongo-b and kafka-b.");
          const body = sim.getIssue(1).body ?? "";
          sim.editIssue(
            "operator",
            1,
            body.replace("### Target cluster\n\nreplicore-b", "### Target cluster\n\nreplicore-c"),
          );
          // The edit's webhook is lost (and the description's): Handover learns of it with the merge of the prepare.
          lost = sim.discardEvents();
        },
      });
      expect(lost).toBe(rewritten ? 2 : 1);
      const sim = sims[0] as GitHubSim;
      expect(
        sim
          .listPulls()
          .filter((p) => p.pull.headRef === "handover/1/prepare")
          .map((p) => [p.number, p.title, p.pull.merged]),
      ).toEqual([[2, "[handover #1] Prepare replicore-b for Replicante Core 0.3.1", true]]);
      expect(report.completed).toBe(true);
      expect(report.final_label).toBe("handover:done");
      expect(report.steps.map((s) => s.state)).toEqual(Array(8).fill("merged"));
      expect(report.violations).toEqual([]);
      expect(report.duplicate_prs).toBe(0);
      // Every step moved replicore-a's backends to replicore-b, and replicore-c was never made.
      const tree = sim.readTree("main");
      expect([...tree.keys()].filter((p) => p.startsWith("clusters/")).map((p) => p.split("/")[1])).not.toContain(
        "replicore-c",
      );
      expect(tree.get("clusters/replicore-b/replicante.yaml")).toContain("conf.d/kafka.yaml");
      const dashboard = sim.listComments(1).find((c) => c.body.startsWith("<!-- handover:dashboard -->"))?.body ?? "";
      expect(decodeState(dashboard)?.frozen?.target).toBe("replicore-b");
      expect(dashboard.split("\n").filter((l) => l.startsWith("> ") && !l.startsWith("> ["))).toEqual([
        "> The issue's edit of Target cluster is ignored: the first step was opened and merged for what the issue asked before. What a migration moves is fixed once its first step merged; `/handover abort` and file a new issue to change it. (A soak time edit applies to gates not started yet.)",
      ]);
    },
  );

  it("a conflicting push to main re-plans Handover's own step PR on the new head; the person's change is kept", async () => {
    let pushed = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-wave-1") return;
        const path = "clusters/replicore-a/replicante.yaml";
        const text = sim.readTree("main").get(path) ?? "";
        pushed = sim.pushFiles(
          "dana",
          "main",
          [{ path, content: text.replace("interval: 60", "interval: 30") }],
          "Discover every 30s",
        );
      },
    });
    expect(pushed).not.toBe("");
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    const sim = sims[0] as GitHubSim;
    const merged = sim.listPulls().find((p) => p.pull.headRef === "handover/1/release-wave-1");
    const tree = sim.readTree(merged?.pull.mergeCommitSha ?? "");
    const core = tree.get("clusters/replicore-a/replicante.yaml") ?? "";
    expect(core).toContain("interval: 30");
    expect(core).not.toContain("conf.d/kafka.yaml");
    expect(report.violations).toEqual([]);
  });
});

describe("faults", () => {
  it.each([1, 2, 3])(
    "chaos seed %i: duplicated, reordered, dropped webhooks, 5xx and rate limits: completes, no duplicate PR, invariant held",
    async (seed) => {
      const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, { chaosSeed: seed });
      expect(report.completed).toBe(true);
      expect(report.duplicate_prs).toBe(0);
      expect(report.violations).toEqual([]);
      expectStrictOrder(report);
    },
  );

  it("a gate's pass whose dashboard write failed after the next step opened is read from that step's PR", async () => {
    // From adopt-canary's opening until its merge every dashboard write fails: release-canary's pass is in no saved
    // state when the default branch has moved on, and is not judged again on the new head's checks.
    let sim: GitHubSim | undefined;
    let failing = false;
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onSim: (s) => {
        sim = s;
        s.faultHook = (req) =>
          failing && req.method === "PATCH" && req.path.includes("/issues/comments/") ? "500" : undefined;
      },
      onStep: (event, step) => {
        if (step.id === "adopt-canary") failing = event === "opened";
      },
    });
    const patches = sim?.requests.filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/"));
    expect(patches?.some((r) => r.status === 500)).toBe(true);
    expect(report.completed).toBe(true);
    expectStrictOrder(report);
    const [canary, adopt] = [report.steps[1], report.steps[2]];
    expect([canary?.id, adopt?.id]).toEqual(["release-canary", "adopt-canary"]);
    // passed by the time the next step's PR opened (as Handover recorded it, after the write failures)
    expect(canary?.gate_passed_at).not.toBeNull();
    expect(canary?.gate_passed_at).toBeLessThanOrEqual(adopt?.opened_at ?? 0);
  });

  it("three App replicas behind one webhook URL: completes with no duplicate PR", async () => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, { replicas: 3 });
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
  });
});
