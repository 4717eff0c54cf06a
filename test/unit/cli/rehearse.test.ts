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
