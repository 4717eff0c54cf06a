// Rehearsals of real crossings through the App and the GitHub simulator (DESIGN.md section 3a).
import { describe, expect, it } from "vitest";
import { readDirTree } from "../../src/cli/disk.js";
import { DASHBOARD_MARKER } from "../../src/spec/markers.js";
import { checkTree } from "../../src/invariant/index.js";
import { BOT, SimulatedClock, startWorld } from "../../src/rehearse/world.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { expectStrictOrder, issueBody, run } from "./helpers.js";

describe("rehearsals across Core versions", () => {
  it("0.3.1 -> 0.4.0: files backends come over as static discovery documents the new http list names", async () => {
    const { report, plan, sims } = await run(
      "test/fixtures/repos/core-0.3",
      issueBody("replicore-a", "replicore-b", "0.4.0", "mongo: mongo\nrest: *"),
    );
    expect(report.completed).toBe(true);
    expect(report.steps.map((s) => [s.id, s.state])).toEqual(plan.steps.map((s) => [s.id, "merged"]));
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const final = (sims[0] as GitHubSim).readTree("main");
    expect([...final.keys()].filter((p) => p.startsWith("clusters/replicore-a/"))).toEqual([]);
    expect(final.get("clusters/replicore-b/replicante.yaml")).toContain(`discovery:
  backends:
    http:
      - url: 'https://replicore-b-deps.internal/replicore-b/mongo.json'
      - url: 'https://replicore-b-deps.internal/replicore-b/rest.json'
`);
    expect([...final.keys()].filter((p) => p.startsWith("discovery/")).sort()).toEqual([
      "discovery/replicore-b/mongo.json",
      "discovery/replicore-b/rest.json",
    ]);
    expect(checkTree(final)).toEqual([]);
  }, 120_000);

  it("0.6.0 -> 0.7.2: http backends come over as DiscoverySettings objects", async () => {
    const { report, sims } = await run(
      "test/fixtures/repos/core-0.6",
      issueBody("replicore-blue", "replicore-green", "0.7.2"),
    );
    expect(report.completed).toBe(true);
    expectStrictOrder(report);
    expect(report.violations).toEqual([]);
    expect(report.duplicate_prs).toBe(0);
    const final = (sims[0] as GitHubSim).readTree("main");
    expect([...final.keys()].filter((p) => p.startsWith("k8s/replicore-blue/"))).toEqual([]);
    expect([...final.keys()].filter((p) => p.startsWith("k8s/replicore-green/apply/")).sort()).toEqual([
      "k8s/replicore-green/apply/http---inventory-corp-9876-discover-2.yaml",
      "k8s/replicore-green/apply/http---inventory-corp-9876-discover.yaml",
      "k8s/replicore-green/apply/https---cmdb-corp-api-replicante-env-pro.yaml",
    ]);
    expect(final.get("k8s/replicore-green/replicante.yaml")).not.toContain("backends");
    expect(checkTree(final)).toEqual([]);
  }, 120_000);
});

describe("a crossing section 3a refuses", () => {
  it("a target older than the source: the dashboard names both versions, no branch and no PR", async () => {
    const world = await startWorld({
      clock: new SimulatedClock(Date.parse("2026-01-01T00:00:00Z")),
      files: await readDirTree("test/fixtures/repos/core-0.3"),
      replicas: 1,
      probe: async () => ({ body: "{}" }),
      seed: 5,
    });
    try {
      const { sim } = world;
      sim.setPermission("operator", "admin");
      const issue = sim.createIssue("operator", "Upgrade", issueBody("replicore-a", "replicore-b", "0.2.1"), [
        "handover",
      ]);
      await sim.deliverAll();
      await world.replicas[0]?.idle();
      const dashboard = sim.listComments(issue).find((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER));
      expect(dashboard?.body.split("\n").filter((l) => l.startsWith("- "))).toEqual([
        "- Target version: 0.2.1: replicore-a (Core 0.3.1) -&gt; replicore-b: refused: Core 0.3.1 (files era) -&gt; Core 0.2.1 (files era): the target version is older than the source; Handover only upgrades",
      ]);
      expect(sim.labels(issue)).toEqual(["handover", "handover:failed"]);
      expect(sim.listPulls()).toEqual([]);
    } finally {
      await world.stop();
    }
  }, 120_000);
});
