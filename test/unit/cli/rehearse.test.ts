import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, EXAMPLE_ISSUE, EXAMPLE_REPO, issueFile, removeTempDirs, stackLines, tempDir } from "./helpers.js";

afterAll(removeTempDirs);

function commandsFile(text: string): string {
  const path = join(tempDir("commands"), "commands.yml");
  writeFileSync(path, text);
  return path;
}

const base = (): string[] => ["rehearse", "--repo", EXAMPLE_REPO, "--issue", issueFile(EXAMPLE_ISSUE)];

describe("rehearse: bad input exits 2 with one clear line and runs nothing", () => {
  it.each([
    [
      ["--fail-health", "adopt-nope"],
      "handover rehearse: --fail-health adopt-nope: not a step of this plan (steps: prepare, release-canary, adopt-canary, release-wave-1, adopt-wave-1, release-rest, adopt-rest, decommission)\n",
    ],
    [
      ["--replicas", "0"],
      "error: option '--replicas <n>' argument '0' is invalid. expected a number of replicas from 1 to 9\n",
    ],
    [["--chaos", "x"], "error: option '--chaos <seed>' argument 'x' is invalid. expected a whole number\n"],
    [["--format", "yaml"], "error: option '--format <format>' argument 'yaml' is invalid. expected text or json\n"],
    [
      ["--merge", "fast-forward"],
      "error: option '--merge <method>' argument 'fast-forward' is invalid. expected merge, squash or rebase\n",
    ],
    [
      ["--reviews", "7"],
      "error: option '--reviews <n>' argument '7' is invalid. expected a number of approving reviews from 0 to 6\n",
    ],
    [
      ["--reviews", "-1"],
      "error: option '--reviews <n>' argument '-1' is invalid. expected a number of approving reviews from 0 to 6\n",
    ],
    [["--no-drafts=yes"], "error: unknown option '--no-drafts=yes'\n"],
  ])("%j", async (flags, stderr) => {
    const run = await cli([...base(), ...flags]);
    expect(run.code).toBe(2);
    expect(run.err).toBe(stderr);
    expect(run.out).toBe("");
  });

  it.each([
    [
      "- {after: release-canary, event: merged, user: a, permission: write, body: /handover pause, colour: red}\n",
      'handover rehearse: COMMANDS: [0]: unknown key "colour" (a typo must not silently turn a setting off)',
    ],
    [
      "- {after: release-canary, event: closed, user: a, permission: write, body: /handover pause}\n",
      'handover rehearse: COMMANDS: [0].event: "closed": ',
    ],
    [
      "- {after: nope, event: merged, user: a, permission: write, body: /handover pause}\n",
      'handover rehearse: --commands: after: "nope" is not a step of this plan',
    ],
    [
      "- {after: release-canary, event: merged, user: a, permission: root, body: /handover pause}\n",
      'handover rehearse: COMMANDS: [0].permission: "root": ',
    ],
    ["[unclosed\n", "handover rehearse: COMMANDS:2:1: malformed YAML"],
  ])("--commands %j", async (yaml, start) => {
    const path = commandsFile(yaml);
    const run = await cli([...base(), "--commands", path]);
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    expect(run.err.startsWith(start.replace("COMMANDS", path))).toBe(true);
    expect(stackLines(run.err)).toEqual([]);
  });
});

describe("rehearse --format json", () => {
  it("prints the DESIGN shape and exits 0 when the migration completes", async () => {
    const run = await cli([...base(), "--format", "json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual([
      "api",
      "comments",
      "completed",
      "deploy",
      "duplicate_prs",
      "final_label",
      "simulated_seconds",
      "steps",
      "stopped_at",
      "violations",
    ]);
    expect(report).toMatchObject({
      completed: true,
      stopped_at: null,
      final_label: "handover:done",
      violations: [],
      duplicate_prs: 0,
      comments: [],
    });
    expect((report.steps as { id: string; state: string }[]).map((s) => s.state)).toEqual(Array(8).fill("merged"));
  });

  it("exits 1 when the migration stops (a failed gate)", async () => {
    const run = await cli([...base(), "--format", "json", "--fail-health", "release-canary"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({
      completed: false,
      stopped_at: "release-canary",
      final_label: "handover:failed",
    });
  });
});

describe("rehearse with the repo's GitHub settings", () => {
  it("--merge rebase --no-drafts --reviews 1 --no-labels: the text log shows each setting at work, and it completes", async () => {
    const run = await cli([...base(), "--merge", "rebase", "--no-drafts", "--reviews", "1", "--no-labels"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("PR #2 opened: [handover #1] [WIP] Prepare replicore-b for Replicante Core 0.3.1\n");
    expect(run.out).not.toContain("(draft)");
    expect(run.out).toContain("operator: merged #2 (prepare) by rebase\n");
    expect(run.out).toContain("✓ Rehearsal completed: 8 steps");
  });
});
