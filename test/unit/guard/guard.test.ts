import { describe, expect, it } from "vitest";
import { guardMergeGroup, guardPullRequest, guardVerdict, lineOf, lockedPaths } from "../../../src/guard/index.js";
import type { GitHubPort, GuardRun } from "../../../src/github/port.js";
import { formBody } from "../../../src/spec/issue.js";
import { readDirTree } from "../../../src/cli/disk.js";

const example = await readDirTree("examples/config-repo");

function withFile(path: string, content: string): Map<string, string> {
  return new Map([...example, [path, content]]);
}

describe("lineOf", () => {
  it("finds the first line holding the subject, else line 1", () => {
    const tree = new Map([["a.yaml", "x: 1\n- cluster_id: mongo-rs-orders\n"]]);
    expect(lineOf(tree, "a.yaml", "mongo-rs-orders")).toBe(2);
    expect(lineOf(tree, "a.yaml", "absent")).toBe(1);
    expect(lineOf(tree, "missing.yaml", "x")).toBe(1);
  });
});

describe("guardVerdict", () => {
  it("passes a clean tree with no lock in the way", () => {
    expect(guardVerdict(example, undefined, [], ["README.md"])).toEqual({
      conclusion: "success",
      output: {
        title: "No two Replicante Core clusters share a datastore",
        summary: "The invariant holds on this PR's tree.",
        annotations: [],
      },
    });
  });

  it("fails a tree where a second cluster reaches a datastore, annotating the offending line of each file", () => {
    const cfg =
      "version: 1\nclusters:\n  replicore-a:\n    config: clusters/replicore-a/replicante.yaml\n    mounts: { /opt/replicante: clusters/replicore-a }\n  other:\n    config: clusters/other/replicante.yaml\n";
    let tree = withFile(".github/handover.yml", cfg);
    tree = new Map([
      ...tree,
      ["clusters/other/replicante.yaml", "discovery:\n  backends:\n    files: [conf.d/users.yaml]\n"],
      [
        "clusters/other/conf.d/users.yaml",
        "# users\n- cluster_id: mongo-rs-users\n  nodes: ['http://elsewhere:37017']\n",
      ],
    ]);
    const verdict = guardVerdict(tree, undefined, [], []);
    expect(verdict.conclusion).toBe("failure");
    expect(verdict.output.title).toBe("1 invariant violation");
    expect(verdict.output.summary).toBe(
      "- **shared-datastore** (a datastore cluster_id is reachable from two clusters): datastore cluster_id mongo-rs-users is reachable from replicore-a (clusters/replicore-a/conf.d/mongo.yaml) and other (clusters/other/conf.d/users.yaml)",
    );
    expect(verdict.output.annotations).toEqual([
      {
        path: "clusters/replicore-a/conf.d/mongo.yaml",
        start_line: 8,
        end_line: 8,
        annotation_level: "failure",
        message: expect.stringContaining("shared-datastore: datastore cluster_id mongo-rs-users"),
      },
      {
        path: "clusters/other/conf.d/users.yaml",
        start_line: 2,
        end_line: 2,
        annotation_level: "failure",
        message: expect.stringContaining("shared-datastore: datastore cluster_id mongo-rs-users"),
      },
    ]);
  });

  it("fails a PR that is not the migration's own when it touches the discovery of a locked cluster, naming the issue", () => {
    const locks = [{ issue: 42, clusters: ["replicore-a", "replicore-b"] }];
    const changed = ["clusters/replicore-a/conf.d/mongo.yaml", "README.md"];
    const verdict = guardVerdict(example, undefined, locks, changed);
    expect(verdict).toEqual({
      conclusion: "failure",
      output: {
        title: "Touches a cluster locked by migration #42",
        summary:
          "- **locked**: `clusters/replicore-a/conf.d/mongo.yaml` is discovery of replicore-a, which migration #42 is moving; change it through that migration, or after it is done",
        annotations: [
          {
            path: "clusters/replicore-a/conf.d/mongo.yaml",
            start_line: 1,
            end_line: 1,
            annotation_level: "failure",
            message: "locked by migration #42 (replicore-a)",
          },
        ],
      },
    });
    expect(guardVerdict(example, 42, locks, changed).conclusion).toBe("success");
  });

  it("fails the prepare scaffold while a REPLACE-ME is left", () => {
    const core =
      example
        .get("clusters/replicore-a/replicante.yaml")
        ?.replace("zk1.prod:2181,zk2.prod:2181,zk3.prod:2181/replicante", "REPLACE-ME:2181/replicante") ?? "";
    const verdict = guardVerdict(withFile("clusters/replicore-a/replicante.yaml", core), undefined, [], []);
    expect(verdict.conclusion).toBe("failure");
    expect(verdict.output.annotations).toEqual([
      {
        path: "clusters/replicore-a/replicante.yaml",
        start_line: 8,
        end_line: 8,
        annotation_level: "failure",
        message: expect.stringContaining('coordinator.options.ensemble is still "REPLACE-ME:2181/replicante"'),
      },
    ]);
  });
});

describe("lockedPaths", () => {
  it("counts the Core config and discovery files of locked clusters, nothing else", () => {
    const changed = [
      "clusters/replicore-a/replicante.yaml",
      "clusters/replicore-a/statefulset.yaml",
      "clusters/replicore-a/conf.d/kafka.yaml",
    ];
    expect(lockedPaths(example, [{ issue: 7, clusters: ["replicore-a"] }], changed)).toEqual([
      { issue: 7, cluster: "replicore-a", path: "clusters/replicore-a/replicante.yaml" },
      { issue: 7, cluster: "replicore-a", path: "clusters/replicore-a/conf.d/kafka.yaml" },
    ]);
  });
});

describe("guardVerdict with the base's handover.yml", () => {
  const config = example.get(".github/handover.yml") ?? "";
  // The PR drops replicore-a's entry and adds a cluster that discovers replicore-a's MongoDB.
  const head = new Map([
    ...example,
    [
      ".github/handover.yml",
      config.replace(/ {2}replicore-a:\n(?: {4}.*\n)*/, "  sneaky:\n    config: clusters/sneaky/replicante.yaml\n"),
    ],
    ["clusters/sneaky/replicante.yaml", "discovery:\n  backends:\n    files: [conf.d/mongo.yaml]\n"],
    ["clusters/sneaky/conf.d/mongo.yaml", example.get("clusters/replicore-a/conf.d/mongo.yaml") ?? ""],
  ]);
  const changed = [".github/handover.yml", "clusters/sneaky/replicante.yaml", "clusters/sneaky/conf.d/mongo.yaml"];

  it("the head config alone hides the shared datastore", () => {
    expect(guardVerdict(head, undefined, [], changed).conclusion).toBe("success");
  });

  it("a locked cluster's base entry is checked too: the shared datastore and the removed entry both fail the PR", () => {
    const verdict = guardVerdict(
      head,
      undefined,
      [{ issue: 7, clusters: ["replicore-a", "replicore-b"] }],
      changed,
      example,
    );
    expect(verdict.conclusion).toBe("failure");
    const rules = verdict.output.summary.split("\n").map((l) => /^- \*\*([a-z-]+)\*\*/.exec(l)?.[1]);
    expect([...new Set(rules)]).toEqual(["shared-datastore", "shared-node", "locked"]);
    expect(verdict.output.summary).toContain(
      "- **locked**: `.github/handover.yml` removes the entry of replicore-a, which migration #7 is moving",
    );
  });
});

describe("guardPullRequest on a base whose files the process holds", () => {
  const migration = formBody({
    source: "replicore-a",
    target: "replicore-b",
    version: "0.3.1",
    groups: "canary: mongo",
  });
  const other = formBody({ source: "replicore-x", target: "replicore-y", version: "0.3.1", groups: "canary: mongo" });

  /** A port over two commits (base, head) that records what the guard reads; `held` commits are in memory. */
  function portOver(trees: Record<string, Map<string, string>>, held: string[], heldBlobs: string[] = []) {
    const calls: string[] = [];
    const paths = new Map<string, string>();
    for (const [commit, tree] of Object.entries(trees))
      for (const [path, text] of tree) paths.set(`${path}@${text}`, `${commit}:${path}`);
    const written: GuardRun[] = [];
    const writtenOn: string[] = [];
    const port = {
      owner: "acme",
      repo: "config",
      botLogin: "handover[bot]",
      ownCheckRun: () => undefined,
      defaultBranch: async () => ({ name: "main", sha: "base" }),
      heldTree: (commit: string) => (held.includes(commit) ? trees[commit] : undefined),
      heldBlob: (blob: string) => (heldBlobs.includes(blob) ? blob.slice(blob.indexOf("@") + 1) : undefined),
      listTree: async (commit: string) => {
        calls.push(`listTree ${commit}`);
        return [...(trees[commit] ?? [])].map(([path, text]) => ({ path, sha: `${path}@${text}`, size: text.length }));
      },
      readBlob: async (blob: string) => {
        calls.push(`readBlob ${paths.get(blob)}`);
        return blob.slice(blob.indexOf("@") + 1);
      },
      openMigrationIssues: async () => [1, 3],
      getIssue: async (number: number) => {
        calls.push(`getIssue ${number}`);
        return { number, body: number === 1 ? migration : other, author: "alice", labels: ["handover"] };
      },
      permission: async () => "admin",
      changedFiles: async () => ["clusters/replicore-a/conf.d/mongo.yaml"],
      findCheckRun: async () => undefined,
      createCheckRun: async (sha: string, _name: string, run: GuardRun) => {
        written.push(run);
        writtenOn.push(sha);
      },
      getCommit: async (sha: string) => {
        calls.push(`getCommit ${sha}`);
        return { sha, tree: `t-${sha}`, parents: ["base", "prhead"], committer: "GitHub", message: "Merge" };
      },
      getPull: async (number: number) => {
        calls.push(`getPull ${number}`);
        return number === 2
          ? { number, headSha: "prhead", headRef: "handover/1/release-canary", author: "handover[bot]" }
          : { number, headSha: "prhead", headRef: "dana/mongo", author: "dana" };
      },
    };
    return { port: port as unknown as GitHubPort, calls, written, writtenOn };
  }

  it("reads nothing of the base, only the head's files the checker needs, and gives the verdict reading both would", async () => {
    const head = withFile("clusters/replicore-a/conf.d/mongo.yaml", "- cluster_id: mongo-rs-orders\n  nodes: []\n");
    const pull = { number: 9, headSha: "head", headRef: "dana/mongo", author: "dana" };
    const reading = portOver({ base: example, head }, []);
    const holding = portOver({ base: example, head }, ["base"]);
    const read = await guardPullRequest(reading.port, pull);
    expect(read.conclusion).toBe("failure");
    expect(read.output.title).toContain("#1");
    expect(await guardPullRequest(holding.port, pull)).toEqual(read);
    expect(holding.written).toEqual([read]);
    const needed = [
      "readBlob head:.github/handover.yml",
      "readBlob head:clusters/replicore-a/replicante.yaml",
      "readBlob head:clusters/replicore-a/conf.d/kafka.yaml",
      "readBlob head:clusters/replicore-a/conf.d/mongo.yaml",
      "readBlob head:clusters/replicore-a/conf.d/zookeeper.yaml",
    ];
    const issues = ["getIssue 1", "getIssue 3"];
    expect([...reading.calls].sort()).toEqual(
      [
        "listTree base",
        "listTree head",
        "readBlob base:clusters/replicore-a/conf.d/mongo.yaml",
        ...needed,
        ...issues,
      ].sort(),
    );
    expect([...holding.calls].sort()).toEqual(["listTree head", ...needed, ...issues].sort());
  });

  it("a blob the process holds is taken from memory: only the files the PR changed are read", async () => {
    const edited = "- cluster_id: mongo-rs-orders\n  nodes: []\n";
    const head = withFile("clusters/replicore-a/conf.d/mongo.yaml", edited);
    const pull = { number: 9, headSha: "head", headRef: "dana/mongo", author: "dana" };
    const read = await guardPullRequest(portOver({ base: example, head }, []).port, pull);
    const blobs = [...example].map(([path, text]) => `${path}@${text}`);
    const holding = portOver({ base: example, head }, [], blobs);
    expect(await guardPullRequest(holding.port, pull)).toEqual(read);
    expect(holding.calls).toEqual([
      "listTree head",
      "listTree base",
      "getIssue 1",
      "getIssue 3",
      "readBlob head:clusters/replicore-a/conf.d/mongo.yaml",
    ]);
  });

  it("a merge queue's group of a person's PR: judged on the group's head against its base, the PR's changes and author counting; written on the group's head", async () => {
    const group = withFile("clusters/replicore-a/conf.d/mongo.yaml", "- cluster_id: mongo-rs-orders\n  nodes: []\n");
    const queued = { headSha: "group", baseSha: "base", headRef: "gh-readonly-queue/main/pr-9-base", pull: 9 };
    const guarded = portOver({ base: example, group }, ["base"]);
    const verdict = await guardMergeGroup(guarded.port, queued);
    // The same verdict as the PR's own guard on that tree: migration #1 holds replicore-a.
    const asPull = await guardPullRequest(portOver({ base: example, head: group }, ["base"]).port, {
      number: 9,
      headSha: "head",
      headRef: "dana/mongo",
      author: "dana",
    });
    expect(verdict).toEqual(asPull);
    expect(verdict.conclusion).toBe("failure");
    expect(guarded.writtenOn).toEqual(["group"]);
    expect(guarded.calls.slice(0, 2)).toEqual(["getPull 9", "listTree group"]);
  });

  it("a merge queue's group of Handover's own step PR: its migration is not read for locks, and it passes", async () => {
    const group = withFile("clusters/replicore-a/conf.d/mongo.yaml", "- cluster_id: mongo-rs-orders\n  nodes: []\n");
    const queued = { headSha: "group", baseSha: "base", headRef: "gh-readonly-queue/main/pr-2-base", pull: 2 };
    const guarded = portOver({ base: example, group }, ["base"]);
    expect((await guardMergeGroup(guarded.port, queued)).conclusion).toBe("success");
    expect(guarded.writtenOn).toEqual(["group"]);
    expect(guarded.calls.filter((c) => c.startsWith("getIssue"))).toEqual(["getIssue 3"]);
  });

  it("a merge group known from the push that made its branch: its base is the group commit's first parent", async () => {
    const group = withFile("clusters/replicore-a/conf.d/mongo.yaml", "- cluster_id: mongo-rs-orders\n  nodes: []\n");
    const pushed = { headSha: "group", headRef: "refs/heads/gh-readonly-queue/main/pr-9-base", pull: 9 };
    const guarded = portOver({ base: example, group }, ["base"]);
    const verdict = await guardMergeGroup(guarded.port, pushed);
    const told = portOver({ base: example, group }, ["base"]);
    expect(await guardMergeGroup(told.port, { ...pushed, baseSha: "base" })).toEqual(verdict);
    expect(verdict.conclusion).toBe("failure");
    expect(guarded.calls.slice(0, 3)).toEqual(["getCommit group", "getPull 9", "listTree group"]);
    expect(guarded.writtenOn).toEqual(["group"]);
  });

  it("a merge group whose branch names no PR fails, saying why, without reading anything", async () => {
    const guarded = portOver({ base: example, group: example }, ["base"]);
    const verdict = await guardMergeGroup(guarded.port, { headSha: "group", baseSha: "base", headRef: "queue-9" });
    expect(verdict.conclusion).toBe("failure");
    expect(verdict.output.title).toBe("Merge group of an unknown PR");
    expect(verdict.output.summary).toContain("`queue-9` does not name its PR");
    expect(guarded.calls).toEqual([]);
    expect(guarded.writtenOn).toEqual(["group"]);
  });

  it("a push to one of Handover's step PRs: the PR's own migration is not read for locks, the others are", async () => {
    const head = withFile("clusters/replicore-a/conf.d/mongo.yaml", "- cluster_id: mongo-rs-orders\n  nodes: []\n");
    const step = { number: 2, headSha: "head", headRef: "handover/1/release-canary", author: "handover[bot]" };
    const guarded = portOver({ base: example, head }, ["base"]);
    expect((await guardPullRequest(guarded.port, step)).conclusion).toBe("success");
    expect(guarded.calls.filter((c) => c.startsWith("getIssue"))).toEqual(["getIssue 3"]);
  });
});
