// Core versions drive eras (DESIGN.md sections 1 and 3a): the era follows from `version`, the target's from the issue,
// and every crossing the table does not list is refused naming both versions.
import { describe, expect, it } from "vitest";
import { planMigration } from "../../../src/plan/index.js";
import { checkTree } from "../../../src/invariant/index.js";
import { loadRepo } from "../../../src/repo/index.js";
import { edit, fixture, planOk, request, treeAfter, stepNamed } from "./helpers.js";

const CONFIG = ".github/handover.yml";

function problemsOf(tree: Map<string, string>, source: string, target: string, version: string): string[] {
  const result = planMigration(tree, request(source, target, version), 42);
  if (result.ok || result.kind !== "input") throw new Error(`expected an input refusal, got ${JSON.stringify(result)}`);
  return result.problems;
}

describe("the era follows from version", () => {
  it("a 0.7 config still carrying the docs' discovery.backends.http block is settings era", async () => {
    const tree = await fixture("core-0.7");
    const loaded = loadRepo(tree);
    if (!loaded.ok) throw new Error("core-0.7 does not load");
    const old = loaded.model.clusters.get("old");
    expect(old?.era).toBe("settings");
    expect(old?.backends.map((b) => b.id)).toStrictEqual(["inventory", "playground"]);
  });

  it("a discovery key that contradicts version is a config error naming both", async () => {
    const tree = await fixture("core-0.3");
    tree.set(
      CONFIG,
      edit(tree.get(CONFIG) ?? "", [["    version: 0.3.1\n", "    version: 0.3.1\n    discovery: http\n"]]),
    );
    expect(checkTree(tree).map((v) => v.message)).toStrictEqual([
      `${CONFIG}: clusters.replicore-a.discovery: "http": contradicts version 0.3.1: Core 0.3.1 reads the files era (http is Core 0.4-0.6); fix one of them`,
    ]);
  });

  it("version 0.7 without settings_dir asks for it", async () => {
    const tree = await fixture("core-0.7");
    tree.set(CONFIG, edit(tree.get(CONFIG) ?? "", [["    settings_dir: replicore/old/apply\n", ""]]));
    expect(checkTree(tree).map((v) => v.message)).toStrictEqual([
      `${CONFIG}: clusters.old.settings_dir: is required (is required when Core 0.7.2 reads DiscoverySettings)`,
    ]);
  });

  it("a version that is not one is named with its value", async () => {
    const tree = await fixture("core-0.3");
    tree.set(CONFIG, edit(tree.get(CONFIG) ?? "", [["version: 0.3.1", "version: latest"]]));
    expect(checkTree(tree).map((v) => v.message)).toStrictEqual([
      `${CONFIG}: clusters.replicore-a.version: "latest": expected a Replicante Core version such as 0.3.1 (or v0.4)`,
    ]);
  });

  it("a version YAML reads as a number (0.4) is read as the version text", async () => {
    const tree = await fixture("core-0.6");
    tree.set(CONFIG, edit(tree.get(CONFIG) ?? "", [["version: 0.6.0", "version: 0.6"]]));
    const loaded = loadRepo(tree);
    expect(loaded.ok && loaded.model.clusters.get("replicore-blue")?.era).toBe("http");
  });
});

describe("crossings section 3a does not list are refused, naming both versions", () => {
  it("a target older than the source is refused", async () => {
    const tree = await fixture("core-0.3");
    expect(problemsOf(tree, "replicore-a", "replicore-b", "0.3.0")).toStrictEqual([
      "Target version: 0.3.0: replicore-a (Core 0.3.1) -> replicore-b: refused: Core 0.3.1 (files era) -> Core 0.3.0 (files era): the target version is older than the source; Handover only upgrades",
    ]);
  });

  it("settings -> http (a source of unknown version) is refused naming both eras and the target version", async () => {
    const tree = await fixture("settings");
    expect(problemsOf(tree, "replicore-old", "replicore-new", "0.6.0")).toStrictEqual([
      "Target version: 0.6.0: replicore-old (settings era) -> replicore-new: refused: settings era (Core 0.7+) -> Core 0.6.0 (http era): moving backends from the settings era back to the http era is not an upgrade Replicante supports",
    ]);
  });

  it("a target already in the repo whose version differs from the issue's is refused naming both", async () => {
    const tree = await fixture("target-exists");
    tree.set(
      CONFIG,
      edit(tree.get(CONFIG) ?? "", [
        [
          "    config: clusters/replicore-b/replicante.yaml\n",
          "    config: clusters/replicore-b/replicante.yaml\n    version: 0.3.0\n",
        ],
      ]),
    );
    expect(problemsOf(tree, "replicore-a", "replicore-b", "0.3.1")).toStrictEqual([
      `Target version: 0.3.1: ${CONFIG} says replicore-b runs Core 0.3.0 (clusters.replicore-b.version); they must agree`,
    ]);
  });

  it("a target already in the repo in another era than the target version's is refused naming both", async () => {
    const tree = await fixture("target-exists");
    expect(problemsOf(tree, "replicore-a", "replicore-b", "0.5.0")).toStrictEqual([
      `Target version: 0.5.0: Core 0.5.0 reads the http era, but replicore-b is configured for the files era in ${CONFIG}; set clusters.replicore-b.version to 0.5.0 and give it the http era's discovery`,
    ]);
  });
});

describe("files (< 0.3) -> files (0.3): cluster renamed cluster_id", () => {
  it("adopt writes each discovery file with only the cluster: keys renamed, every other byte kept", async () => {
    const tree = await fixture("core-0.2");
    const plan = planOk(tree, request("replicore-old", "replicore-new", "0.3.1"));
    expect(plan.steps.map((s) => s.id)).toStrictEqual([
      "prepare",
      "release-kafka",
      "adopt-kafka",
      "release-mongo",
      "adopt-mongo",
      "decommission",
    ]);
    const mongo = stepNamed(plan, "adopt-mongo").changes.find(
      (c) => c.path === "stacks/replicore-new/conf.d/mongo.yaml",
    );
    expect(mongo?.content).toBe(`# Replica set
- cluster_id: "mongo-rs"
  nodes:
    - 'http://172.64.255.240:37017/'

# Sharded
- cluster_id:   mongo-sharded   # spacing kept
  nodes: ['http://172.64.255.230:37017/', 'http://172.64.255.229:37017/']
`);
    const after = treeAfter(tree, plan, "adopt-kafka");
    expect(after.get("stacks/replicore-new/conf.d/kafka.yaml")).toBe(`# Kafka brokers of the playground
- cluster_id: 'Kp3-9aZQTfyx1Lw0cM7b2Q'
  nodes:
    - 'http://172.64.255.250:10092/'
    - 'http://172.64.255.249:10092/'
`);
    expect(after.get("stacks/replicore-new/docker-compose.yml")).toContain("image: replicanteio/replicante:v0.3.1\n");
  });

  it("a 0.2 discovery file kept with cluster: in a 0.3 cluster is a malformed discovery file for the checker", async () => {
    const tree = await fixture("core-0.2");
    tree.set(CONFIG, edit(tree.get(CONFIG) ?? "", [["version: 0.2.1", "version: 0.3.0"]]));
    expect(checkTree(tree).map((v) => v.message)).toStrictEqual([
      'cluster replicore-old: stacks/replicore-old/conf.d/kafka.yaml: [0].cluster: "Kp3-9aZQTfyx1Lw0cM7b2Q": Core 0.3+ reads only `cluster_id` (0.3.0 renamed the key)',
      'cluster replicore-old: stacks/replicore-old/conf.d/mongo.yaml: [0].cluster: "mongo-rs": Core 0.3+ reads only `cluster_id` (0.3.0 renamed the key)',
    ]);
  });
});

describe("settings era as Core applies it", () => {
  it("the 0.7 scaffold copies no NodeAction, and release writes spec.enabled: false", async () => {
    const tree = await fixture("core-0.7");
    const plan = planOk(tree, request("old", "new", "0.7.2", "all: *"));
    expect(stepNamed(plan, "prepare").changes.map((c) => c.path)).toStrictEqual([
      CONFIG,
      "replicore/new/replicante.yaml",
      "replicore/new/stack.yaml",
    ]);
    expect(stepNamed(plan, "release-all").changes.map((c) => [c.path, c.content])).toStrictEqual([
      [
        "replicore/old/apply/inventory.yaml",
        tree.get("replicore/old/apply/inventory.yaml")?.replace("enabled: true", "enabled: false"),
      ],
      [
        "replicore/old/apply/playground.yaml",
        tree.get("replicore/old/apply/playground.yaml")?.replace("enabled: true", "enabled: false"),
      ],
    ]);
  });

  it("check reports an action object that another cluster also schedules on the same datastore", async () => {
    const tree = await fixture("core-0.7");
    const plan = planOk(tree, request("old", "new", "0.7.2", "all: *"));
    const after = treeAfter(tree, plan, "adopt-all");
    after.set("replicore/new/apply/ping.yaml", tree.get("replicore/old/apply/ping.yaml") ?? "");
    expect(checkTree(after).filter((v) => v.rule === "foreign-action")).toStrictEqual([
      {
        rule: "foreign-action",
        message:
          "cluster old: replicore/old/apply/ping.yaml: NodeAction targets datastore mongo-rs, which new also acts on: only the Core that manages a datastore may act on it",
        clusters: ["new", "old"],
        subject: "mongo-rs",
        files: ["replicore/old/apply/ping.yaml"],
      },
      {
        rule: "foreign-action",
        message:
          "cluster new: replicore/new/apply/ping.yaml: NodeAction targets datastore mongo-rs, which old also acts on: only the Core that manages a datastore may act on it",
        clusters: ["new", "old"],
        subject: "mongo-rs",
        files: ["replicore/new/apply/ping.yaml"],
      },
    ]);
  });
});
