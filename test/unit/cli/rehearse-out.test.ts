import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planMigration } from "../../../src/plan/index.js";
import { PLACEHOLDER } from "../../../src/repo/index.js";
import { parseIssueBody } from "../../../src/spec/issue.js";
import { readDirTree } from "../../../src/cli/disk.js";
import {
  cli,
  EXAMPLE_ISSUE,
  EXAMPLE_REPO,
  hashTree,
  issueFile,
  readTree,
  removeTempDirs,
  tempDir,
  type CliRun,
} from "./helpers.js";

afterAll(removeTempDirs);

const base = (): string[] => ["rehearse", "--repo", EXAMPLE_REPO, "--issue", issueFile(EXAMPLE_ISSUE)];

/** The tree the plan says the migration ends with (the simulated operator fills the scaffold's placeholders). */
async function plannedFinalTree(): Promise<Map<string, string>> {
  const tree = await readDirTree(EXAMPLE_REPO);
  const planned = planMigration(tree, parseIssueBody(EXAMPLE_ISSUE).request, 1, []);
  if (!planned.ok) throw new Error("test set-up: the example does not plan");
  for (const step of planned.plan.steps)
    for (const change of step.changes) {
      if (change.content === null) tree.delete(change.path);
      else tree.set(change.path, change.content.replaceAll(PLACEHOLDER, "replicore-b-deps.internal"));
    }
  return tree;
}

describe("rehearse --out DIR writes what GitHub would show", () => {
  let dir: string;
  let run: CliRun;
  let files: Map<string, string>;

  beforeAll(async () => {
    dir = join(tempDir("out"), "shown");
    const commands = join(tempDir("commands"), "commands.yml");
    writeFileSync(
      commands,
      [
        "- {after: release-canary, event: merged, user: visitor, permission: read, body: /handover pause}",
        "- {after: adopt-canary, event: opened, user: lead, permission: write, body: /handover status}",
        "",
      ].join("\n"),
    );
    run = await cli([...base(), "--commands", commands, "--out", dir]);
    files = readTree(dir);
  }, 120_000);

  it("exits 0 and tells the reader where to look", () => {
    expect(run.code).toBe(0);
    expect(run.err).toBe("");
    const dashboards = [...files.keys()].filter((p) => p.startsWith("dashboards/")).length;
    expect(
      run.out.endsWith(
        [
          `What GitHub would show is in ${dir}/ (${files.size} files):`,
          `  ${dir}/dashboard.md      the migration issue's dashboard comment at the end`,
          `  ${dir}/dashboards/       the dashboard at each of its ${dashboards} changes, numbered`,
          `  ${dir}/prs/              title and body of each of the 8 step PRs`,
          `  ${dir}/replies/          the 2 replies Handover posted`,
          `  ${dir}/tree/             the config repo's default branch at the end`,
          "",
        ].join("\n"),
      ),
    ).toBe(true);
  });

  it("writes the final tree exactly as the plan says it ends", async () => {
    const tree = new Map(
      [...files].filter(([p]) => p.startsWith("tree/")).map(([p, text]) => [p.slice("tree/".length), text]),
    );
    expect(tree).toEqual(await plannedFinalTree());
  });

  it("writes each PR's title, branch, state and body", () => {
    expect([...files.keys()].filter((p) => p.startsWith("prs/"))).toEqual([
      "prs/002-prepare.md",
      "prs/003-release-canary.md",
      "prs/004-adopt-canary.md",
      "prs/005-release-wave-1.md",
      "prs/006-adopt-wave-1.md",
      "prs/007-release-rest.md",
      "prs/008-adopt-rest.md",
      "prs/009-decommission.md",
    ]);
    expect(files.get("prs/003-release-canary.md")).toBe(
      [
        "# [handover #1] Release canary (mongo) from replicore-a",
        "",
        "<sub>#3 · handover/1/release-canary → main · merged · labels: handover</sub>",
        "",
        "<!-- handover:step issue=1 step=release-canary -->",
        "**Handover step 2 of 8** for #1: Release canary (mongo) from replicore-a.",
        "",
        "Removes these backends from the old cluster and asks for its rolling restart, so it stops managing them (steps 6.1-6.2 of Replicante's Breaking Upgrades guide).",
        "",
        "Previous step: #2",
        "",
        "### Changes",
        "- update `clusters/replicore-a/replicante.yaml`",
        "- update `clusters/replicore-a/statefulset.yaml`",
        "",
        "### Gate",
        "After merge, **replicore-a** must stay healthy for **15m** without a break (time-out 2h) before the next step opens:",
        "- Flux Kustomization `replicore-a` reports success (commit status `kustomization/replicore-a/*`)",
        "- newest deployment to `replicore-a` is success",
        "",
        "<sub>Comment `/handover status`, `pause`, `resume`, `retry [step]`, `skip [step]`, `abort -- reason`, `rollback`, `decommission`, `approve [step]` or `help` here or on #1. Every step is checked so that no two Replicante Core clusters ever manage the same datastore.</sub>",
        "",
      ].join("\n"),
    );
  });

  it("writes each reply under the comment it answers", () => {
    const reply = (path: string): string | undefined => files.get(path)?.replace(/reply-to=\d+/, "reply-to=ID");
    expect([...files.keys()].filter((p) => p.startsWith("replies/"))).toEqual(["replies/001.md", "replies/002.md"]);
    expect(reply("replies/001.md")).toBe(
      [
        "On issue #1 at +0h31m00s:",
        "",
        "> @visitor:",
        ">",
        "> /handover pause",
        "",
        "**@handover[bot]**:",
        "",
        "<!-- handover:reply-to=ID -->",
        "@visitor `/handover pause` needs **write** permission on this repository; @visitor has **read**.",
        "",
      ].join("\n"),
    );
    expect(reply("replies/002.md")).toBe(
      [
        "On issue #1 at +0h51m00s:",
        "",
        "> @lead:",
        ">",
        "> /handover status",
        "",
        "**@handover[bot]**:",
        "",
        "<!-- handover:reply-to=ID -->",
        "@lead **Waiting for #4 (adopt-canary) to be reviewed and merged.**",
        "",
        "Merge it when it looks right; the gate starts at the merge.",
        "",
      ].join("\n"),
    );
  });

  it("writes the dashboard at every change, numbered, without the hidden state, and the last one as dashboard.md", () => {
    const numbered = [...files.keys()].filter((p) => p.startsWith("dashboards/"));
    expect(numbered).toEqual(numbered.map((_, i) => `dashboards/${String(i + 1).padStart(3, "0")}.md`));
    const bodies = numbered.map((p) => files.get(p) ?? "");
    expect(bodies.filter((body, i) => i > 0 && body === bodies[i - 1])).toEqual([]);
    expect(bodies.filter((body) => body.includes("handover:state"))).toEqual([]);
    expect(files.get("dashboard.md")).toBe(bodies[bodies.length - 1]);
    expect(files.get("dashboard.md")?.split("\n").slice(0, 6)).toEqual([
      "<!-- handover:dashboard -->",
      "## Handover: done",
      "",
      "**Done: every backend moved from replicore-a to replicore-b, and replicore-a is decommissioned.**",
      "",
      "Next: Close this issue.",
    ]);
    // The versions show the chain moving: each step PR in turn is the one the headline waits for.
    const waitedFor = bodies.map((body) => /^\*\*.*?#(\d+)/m.exec(body)?.[1]).filter((n) => n !== undefined);
    expect(waitedFor.filter((n, i) => n !== waitedFor[i - 1])).toEqual(["2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  it("writes an index naming every file group", () => {
    const readme = files.get("README.md")?.split("\n") ?? [];
    expect(readme.filter((l) => !l.startsWith("  - [dashboards/"))).toEqual([
      "# What GitHub would show",
      "",
      `- [dashboard.md](dashboard.md): the migration issue's dashboard comment at the end (${readme.length - 7} version(s) below)`,
      "- prs/: the title and body of each of the 8 pull request(s) Handover opened",
      "- replies/: the 2 comment(s) Handover posted besides the dashboard, each under the comment it answers",
      `- tree/: the ${[...files.keys()].filter((p) => p.startsWith("tree/")).length} file(s) of the default branch at the end`,
      "",
    ]);
  });
});

describe("rehearse --out: where it may write", () => {
  it("refuses a directory holding other files, and leaves it untouched", async () => {
    const dir = tempDir("mine");
    writeFileSync(join(dir, "notes.md"), "mine\n");
    const before = hashTree(dir);
    const run = await cli([...base(), "--out", dir]);
    expect(run).toEqual({
      code: 2,
      out: "",
      err: `handover rehearse: --out ${dir}: not empty and not an earlier rehearsal's output (choose a new or empty directory)\n`,
    });
    expect(hashTree(dir)).toEqual(before);
  });

  it("refuses a file", async () => {
    const path = join(tempDir("file"), "out.md");
    writeFileSync(path, "x\n");
    const run = await cli([...base(), "--out", path]);
    expect(run).toEqual({ code: 2, out: "", err: `handover rehearse: --out ${path}: not a directory\n` });
    expect(readFileSync(path, "utf8")).toBe("x\n");
  });

  it("replaces an earlier rehearsal's output whole (nothing stale is left)", async () => {
    const dir = tempDir("again");
    writeFileSync(join(dir, "README.md"), "# What GitHub would show\n");
    mkdirSync(join(dir, "prs"));
    writeFileSync(join(dir, "prs", "099-stale.md"), "old\n");
    const run = await cli([...base(), "--format", "json", "--out", dir]);
    expect(run.code).toBe(0);
    const paths = Object.keys(hashTree(dir));
    expect(paths).not.toContain("prs/099-stale.md");
    expect(paths).toContain("prs/009-decommission.md");
  }, 120_000);
});
