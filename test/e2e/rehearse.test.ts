import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkTree } from "../../src/invariant/index.js";
import { planMigration, type Plan } from "../../src/plan/index.js";
import { rehearse, type RehearsalOptions, type RehearsalReport } from "../../src/rehearse/run.js";
import { readDirTree } from "../../src/repo/index.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { parseIssueBody } from "../../src/spec/issue.js";

const EXAMPLE_ISSUE = readFileSync("examples/issue.md", "utf8");

function issueBody(source: string, target: string, version: string, groups = ""): string {
  return [
    "### Source cluster", "", source, "", "### Target cluster", "", target, "", "### Target version", "", version, "",
    "### Backend groups", "", groups || "_No response_", "", "### Soak time", "", "10m", "",
    "### Upgrade notes", "", "- [x] I have read the upgrade notes for the target version", "",
  ].join("\n");
}

async function setup(repo: string, body: string): Promise<{ files: Map<string, string>; plan: Plan }> {
  const files = await readDirTree(repo);
  const parsed = parseIssueBody(body);
  expect(parsed.problems).toEqual([]);
  const planned = planMigration(files, parsed.request, 1);
  if (!planned.ok) throw new Error(`plan refused: ${JSON.stringify(planned)}`);
  return { files, plan: planned.plan };
}

async function run(repo: string, body: string, extra: Partial<RehearsalOptions> = {}): Promise<{ report: RehearsalReport; plan: Plan; sims: GitHubSim[] }> {
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
function expectStrictOrder(report: RehearsalReport): void {
  for (let i = 1; i < report.steps.length; i++) {
    const before = report.steps[i - 1];
    const step = report.steps[i];
    if (!before || !step || step.opened_at === null) continue;
    expect(before.gate_passed_at ?? before.merged_at, `${step.id} opened before ${before.id} was done`).not.toBeNull();
    expect(step.opened_at).toBeGreaterThanOrEqual(before.gate_passed_at ?? (before.merged_at as number));
  }
}

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
    for (const entry of ["'conf.d/mongo.yaml'", "'conf.d/kafka.yaml'", "/opt/replicante/conf.d/zookeeper.yaml"]) expect(core).toContain(entry);
    // The operator's own commit on the prepare branch (its new dependencies) was kept, never overwritten.
    expect(core).toContain("ensemble: 'replicore-b-deps.internal:2181/replicante'");
    expect(core).not.toContain("REPLACE-ME");
    expect(checkTree(final)).toEqual([]);
  });

  it("http era (Core 0.5): one group per backend when the issue names none", async () => {
    const { report, plan } = await run("test/fixtures/repos/http", issueBody("replicore-blue", "replicore-green", "0.5.0"));
    expect(report.completed).toBe(true);
    expect(plan.steps.filter((s) => s.kind === "release")).toHaveLength(plan.groups.length);
    expect(report.steps.every((s) => s.state === "merged")).toBe(true);
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
  });

  it("settings era (Core 0.7): DiscoverySettings objects move file by file", async () => {
    const { report, sims } = await run("test/fixtures/repos/settings", issueBody("replicore-old", "replicore-new", "0.7.2"));
    expect(report.completed).toBe(true);
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    const final = (sims[0] as GitHubSim).readTree("main");
    expect([...final.keys()].some((p) => p.startsWith("clusters/replicore-old/"))).toBe(false);
    expect([...final.keys()].filter((p) => p.startsWith("clusters/replicore-new/apply/")).length).toBeGreaterThan(0);
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

describe("the default branch moving under an open step", () => {
  it("a conflicting push to main re-plans Handover's own step PR on the new head; the person's change is kept", async () => {
    let pushed = "";
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-wave-1") return;
        const path = "clusters/replicore-a/replicante.yaml";
        const text = sim.readTree("main").get(path) ?? "";
        pushed = sim.pushFiles("dana", "main", [{ path, content: text.replace("interval: 60", "interval: 30") }], "Discover every 30s");
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
  it.each([1, 2, 3])("chaos seed %i: duplicated, reordered, dropped webhooks, 5xx and rate limits: completes, no duplicate PR, invariant held", async (seed) => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, { chaosSeed: seed });
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
    expectStrictOrder(report);
  });

  it("three App replicas behind one webhook URL: completes with no duplicate PR", async () => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, { replicas: 3 });
    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.violations).toEqual([]);
  });
});

describe("ChatOps in a rehearsal", () => {
  it("a read-only abort is refused with a reply; the chain completes", async () => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [{ after: "release-canary", event: "opened", delay: 0, user: "mallory", permission: "read", body: "/handover abort -- not yours" }],
    });
    expect(report.completed).toBe(true);
    expect(report.comments).toEqual([
      { user: "mallory", body: "/handover abort -- not yours", accepted: false, reaction: "-1", reply: "@mallory `/handover abort` needs **write** permission on this repository; @mallory has **read**." },
    ]);
  });

  it("pause holds the chain until resume an hour later", async () => {
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        { after: "release-canary", event: "merged", delay: 0, user: "alice", permission: "write", body: "/handover pause" },
        { after: "release-canary", event: "merged", delay: 3600, user: "alice", permission: "write", body: "/handover resume" },
      ],
    });
    expect(report.completed).toBe(true);
    expect(report.comments.map((c) => [c.reaction, c.accepted])).toEqual([["rocket", true], ["rocket", true]]);
    const merged = report.steps.find((s) => s.id === "release-canary")?.merged_at ?? 0;
    const next = report.steps.find((s) => s.id === "adopt-canary")?.opened_at ?? 0;
    expect(next).toBeGreaterThanOrEqual(merged + 3600);
  });

  it("abort while a step PR is open closes it, deletes its branch, labels aborted and opens nothing more", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [{ after: "adopt-canary", event: "opened", delay: 60, user: "alice", permission: "write", body: "/handover abort -- dependencies are not ready" }],
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
});
