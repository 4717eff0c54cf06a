import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DASHBOARD_MARKER } from "../../src/spec/markers.js";
import { BOT } from "../../src/rehearse/world.js";
import { exampleWorld } from "./helpers.js";

const GOOD = readFileSync("examples/issue.md", "utf8");
const BAD = GOOD.replace("replicore-b", "replicore-a")
  .replace("canary: mongo", "canary: mongoo")
  .replace("- [x]", "- [ ]")
  .replace("15m", "15 minutes");

describe("a migration issue with mistakes", () => {
  it("gets every problem on the dashboard, label failed, no branch and no PR; fixing the issue starts the migration", async () => {
    const { world } = await exampleWorld(3);
    try {
      const { sim } = world;
      sim.setPermission("operator", "admin");
      sim.createLabel("handover");
      const issue = sim.createIssue("operator", "Upgrade", BAD, ["handover"]);
      await sim.deliverAll();
      await world.replicas[0]?.idle();
      const dashboards = sim.listComments(issue).filter((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER));
      expect(dashboards).toHaveLength(1);
      const lines = dashboards[0]?.body.split("\n") ?? [];
      expect(lines).toContain("**Handover cannot start: 4 problems to fix.**");
      expect(lines.filter((l) => l.startsWith("- "))).toEqual([
        '- Target cluster: "replicore-a" is the source cluster too: a breaking upgrade moves backends to a new cluster',
        '- Soak time: "15 minutes": expected a duration such as 30s, 15m or 2h',
        '- Upgrade notes: the box "I have read the upgrade notes for the target version" is not ticked: read the upgrade notes for 0.3.1 first (step 1 of the breaking upgrade); Handover does not start until it is ticked',
        '- Backend groups: line 1: "mongoo" is not a backend of replicore-a (its backends: kafka, mongo, zookeeper)',
      ]);
      expect(sim.labels(issue)).toEqual(["handover", "handover:failed"]);
      expect(sim.listPulls()).toEqual([]);
      expect([...sim.repo.refs.keys()].filter((ref) => ref.includes("handover/"))).toEqual([]);

      sim.editIssue("operator", issue, GOOD);
      await sim.deliverAll();
      await world.replicas[0]?.idle();
      expect(sim.listPulls().map((p) => p.pull.headRef)).toEqual(["handover/1/prepare"]);
      expect(sim.labels(issue)).toEqual(["handover", "handover:running"]);
    } finally {
      await world.stop();
    }
  });
});

describe("who may start a migration", () => {
  it("an issue filed without commands.permission does not start and, like an invalid issue, takes no cluster lock", async () => {
    const { world } = await exampleWorld(5);
    try {
      const { sim } = world;
      sim.setPermission("mallory", "read");
      sim.setPermission("operator", "admin");
      const byMallory = sim.createIssue("mallory", "Upgrade", GOOD, ["handover"]);
      const invalid = sim.createIssue("operator", "Upgrade", GOOD.replace("- [x]", "- [ ]"), ["handover"]);
      await sim.deliverAll();
      await world.replicas[0]?.idle();
      const good = sim.createIssue("operator", "Upgrade", GOOD, ["handover"]);
      await sim.deliverAll();
      await world.replicas[0]?.idle();
      const problems = (n: number) =>
        (sim.listComments(n).find((c) => c.user === BOT && c.body.includes(DASHBOARD_MARKER))?.body ?? "")
          .split("\n")
          .filter((l) => l.startsWith("- "));
      expect(problems(byMallory)).toEqual([
        "- Issue author: @\u200bmallory has read permission on this repository; a migration starts only when someone with write (commands.permission in .github/handover.yml) files the issue",
      ]);
      expect(sim.labels(byMallory)).toEqual(["handover", "handover:failed"]);
      expect(sim.labels(invalid)).toEqual(["handover", "handover:failed"]);
      expect(problems(good)).toEqual([]);
      expect(sim.listPulls().map((p) => p.pull.headRef)).toEqual([`handover/${good}/prepare`]);
    } finally {
      await world.stop();
    }
  });
});
