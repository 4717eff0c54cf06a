import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planMigration } from "../../../src/plan/index.js";
import { readDirTree } from "../../../src/cli/disk.js";
import { parseIssueBody } from "../../../src/spec/issue.js";

describe("the prepare scaffold", () => {
  it("empties the target's discovery list without stranding the source list's comments under it", async () => {
    const tree = await readDirTree("examples/config-repo");
    const planned = planMigration(tree, parseIssueBody(readFileSync("examples/issue.md", "utf8")).request, 42);
    if (!planned.ok) throw new Error("plan refused");
    const core =
      planned.plan.steps[0]?.changes.find((c) => c.path === "clusters/replicore-b/replicante.yaml")?.content ?? "";
    expect(core).toContain("discovery:\n  backends:\n    files: []\n  interval: 60\n");
    expect(core).not.toContain("One file per datastore fleet");
    // The source keeps its comment until its own last release (lines that step does not change stay as they were).
    const source = tree.get("clusters/replicore-a/replicante.yaml") ?? "";
    expect(source).toContain("      # One file per datastore fleet; contents are re-read every interval.\n");
  });
});
