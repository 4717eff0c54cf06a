// Exact outputs of the CLI commands on their happy paths (DESIGN sections 4 and 7).
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyPatch } from "diff";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readSeqItems } from "../../../src/edit/index.js";
import { checkTree } from "../../../src/invariant/index.js";
import {
  addCluster,
  cli,
  CONFIG,
  CORE_A,
  CORE_B,
  coreConfig,
  EXAMPLE_ISSUE,
  EXAMPLE_REPO,
  exampleCopy,
  hashTree,
  issueFile,
  readTree,
  removeTempDirs,
  ROOT,
  tempDir,
} from "./helpers.js";

afterAll(removeTempDirs);

interface JsonChange {
  path: string;
  action: "create" | "update" | "delete";
  content: string | null;
  diff: string;
}
interface JsonStep {
  id: string;
  kind: string;
  group: string | null;
  cluster: string;
  branch: string;
  title: string;
  status: string;
  gate: { cluster: string; checks: unknown[]; soak: string; timeout: string } | null;
  changes: JsonChange[];
}
interface JsonPlan {
  issue: number;
  source: string;
  target: string;
  version: string;
  groups: { name: string; backends: string[] }[];
  steps: JsonStep[];
  warnings: string[];
}

describe("check", () => {
  it("--format json on the example: ok, no violations", async () => {
    const run = await cli(["check", "--repo", EXAMPLE_REPO, "--format", "json"]);
    expect(run.err).toBe("");
    expect(JSON.parse(run.out)).toEqual({ ok: true, violations: [] });
    expect(run.code).toBe(0);
  });

  it("text on the example: one line", async () => {
    const run = await cli(["check", "--repo", EXAMPLE_REPO]);
    expect(run.err).toBe("");
    expect(run.out).toBe(
      `✓ ${EXAMPLE_REPO}: no two Replicante Core clusters share a backend, datastore or dependency\n`,
    );
    expect(run.code).toBe(0);
  });

  // replicore-b shares replicore-a's storage and a datastore, and still has a REPLACE-ME ensemble.
  const PROD_URI = "mongodb://mongo1.prod:27017,mongo2.prod:27017,mongo3.prod:27017/?replicaSet=replistore";
  const violating = (): string =>
    exampleCopy({
      [CONFIG]: addCluster("replicore-b", [`config: ${CORE_B}`]),
      [CORE_B]: coreConfig("['conf.d/users.yaml']", { uri: PROD_URI, ensemble: "REPLACE-ME:2181/replicante" }),
      "clusters/replicore-b/conf.d/users.yaml":
        "- cluster_id: mongo-rs-users\n  nodes: ['http://mongo-users-9.data:37017']\n",
    });
  const violations = [
    {
      rule: "shared-datastore",
      message:
        "datastore cluster_id mongo-rs-users is reachable from replicore-a (clusters/replicore-a/conf.d/mongo.yaml) and replicore-b (clusters/replicore-b/conf.d/users.yaml)",
      clusters: ["replicore-a", "replicore-b"],
      subject: "mongo-rs-users",
      files: ["clusters/replicore-a/conf.d/mongo.yaml", "clusters/replicore-b/conf.d/users.yaml"],
    },
    {
      rule: "shared-dependency",
      message: `storage.options.uri (uri ${PROD_URI} db replicore) is shared by replicore-a (${CORE_A}) and replicore-b (${CORE_B}): a new cluster needs its own dependencies`,
      clusters: ["replicore-a", "replicore-b"],
      subject: "mongo1.prod:27017,mongo2.prod:27017,mongo3.prod:27017|replicore",
      files: [CORE_A, CORE_B],
    },
    {
      rule: "unfinished-scaffold",
      message: `cluster replicore-b: ${CORE_B}: coordinator.options.ensemble is still "REPLACE-ME:2181/replicante": fill in the new cluster's own dependency`,
      clusters: ["replicore-b"],
      subject: "coordinator.options.ensemble",
      files: [CORE_B],
    },
  ];

  it("--format json on a violating repo: the exact violations, by rule", async () => {
    const run = await cli(["check", "--repo", violating(), "--format", "json"]);
    expect(run.err).toBe("");
    expect(JSON.parse(run.out)).toEqual({ ok: false, violations });
    expect(run.code).toBe(1);
  });

  it("text on a violating repo: each violation, its files, and the rules broken", async () => {
    const repo = violating();
    const run = await cli(["check", "--repo", repo]);
    expect(run.err).toBe("");
    expect(run.out).toBe(
      [
        `3 violations in ${repo}:`,
        ...violations.flatMap((v) => [`✗ ${v.rule}: ${v.message}`, `    files: ${v.files.join(", ")}`]),
        "",
        "Rules broken: shared-datastore (a datastore cluster_id is reachable from two clusters); " +
          "shared-dependency (two clusters share a dependency (coordinator, storage or Kafka)); " +
          "unfinished-scaffold (a REPLACE-ME placeholder is left in a cluster's config)",
        "",
      ].join("\n"),
    );
    expect(run.code).toBe(1);
  });
});

describe("check on a Kustomize repo whose Core would not read a discovery file", () => {
  it("exits 1 and names the workload, the path the container reads and the generator entry that fixes it", async () => {
    const repo = tempDir("repo");
    cpSync(join(ROOT, "test/fixtures/repos/kustomize"), repo, { recursive: true });
    const kustomization = join(repo, "clusters/replicore-a/kustomization.yaml");
    writeFileSync(kustomization, readFileSync(kustomization, "utf8").replace("      - config/conf.d/kafka.yaml\n", ""));
    const run = await cli(["check", "--repo", repo, "--format", "json"]);
    expect(run.err).toBe("");
    const dir = "clusters/replicore-a";
    expect(JSON.parse(run.out)).toEqual({
      ok: false,
      violations: [
        {
          rule: "unmounted-file",
          message: `${dir}/statefulset.yaml: StatefulSet replicore-a, container replicante: Core replicore-a lists discovery file conf.d/kafka.yaml (${dir}/config/replicante.yaml), which the container reads at /etc/replicante/conf.d/kafka.yaml, and ConfigMap replicore-a-discovery has no key kafka.yaml: Handover counts the datastores ${dir}/config/conf.d/kafka.yaml lists as replicore-a's, and this Core would not manage them; add config/conf.d/kafka.yaml to the files of ConfigMap replicore-a-discovery (${dir}/kustomization.yaml configMapGenerator[1])`,
          clusters: ["replicore-a"],
          subject: "conf.d/kafka.yaml",
          files: [`${dir}/statefulset.yaml`, `${dir}/kustomization.yaml`, `${dir}/config/conf.d/kafka.yaml`],
        },
      ],
    });
    expect(run.code).toBe(1);
  });
});

// Planned once at load time: every test below reads the same JSON document.
const planRun = await cli([
  "plan",
  "--repo",
  EXAMPLE_REPO,
  "--issue",
  join(ROOT, "examples/issue.md"),
  "--number",
  "42",
  "--format",
  "json",
]);

describe("plan --format json on the example", () => {
  const run = planRun;
  const plan = JSON.parse(run.out) as JsonPlan;
  const base = readTree(EXAMPLE_REPO);

  it("exits 0 with nothing on stderr", () => {
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
  });

  it("names the migration and its groups", () => {
    expect({
      issue: plan.issue,
      source: plan.source,
      target: plan.target,
      version: plan.version,
      groups: plan.groups,
    }).toEqual({
      issue: 42,
      source: "replicore-a",
      target: "replicore-b",
      version: "0.3.1",
      groups: [
        { name: "canary", backends: ["mongo"] },
        { name: "wave-1", backends: ["kafka"] },
        { name: "rest", backends: ["zookeeper"] },
      ],
    });
    expect(plan.warnings).toEqual([
      "prepare scaffolds replicore-b with REPLACE-ME dependency endpoints: fill them in on the prepare PR (the guard fails it until then)",
    ]);
  });

  it("has the 8 steps in order, with ids, kinds, groups, clusters, branches, titles and status", () => {
    const head = (s: JsonStep) => [s.id, s.kind, s.group, s.cluster, s.branch, s.title, s.status];
    expect(plan.steps.map(head)).toEqual([
      [
        "prepare",
        "prepare",
        null,
        "replicore-b",
        "handover/42/prepare",
        "[handover #42] Prepare replicore-b for Replicante Core 0.3.1",
        "planned",
      ],
      [
        "release-canary",
        "release",
        "canary",
        "replicore-a",
        "handover/42/release-canary",
        "[handover #42] Release canary (mongo) from replicore-a",
        "planned",
      ],
      [
        "adopt-canary",
        "adopt",
        "canary",
        "replicore-b",
        "handover/42/adopt-canary",
        "[handover #42] Adopt canary (mongo) into replicore-b",
        "planned",
      ],
      [
        "release-wave-1",
        "release",
        "wave-1",
        "replicore-a",
        "handover/42/release-wave-1",
        "[handover #42] Release wave-1 (kafka) from replicore-a",
        "planned",
      ],
      [
        "adopt-wave-1",
        "adopt",
        "wave-1",
        "replicore-b",
        "handover/42/adopt-wave-1",
        "[handover #42] Adopt wave-1 (kafka) into replicore-b",
        "planned",
      ],
      [
        "release-rest",
        "release",
        "rest",
        "replicore-a",
        "handover/42/release-rest",
        "[handover #42] Release rest (zookeeper) from replicore-a",
        "planned",
      ],
      [
        "adopt-rest",
        "adopt",
        "rest",
        "replicore-b",
        "handover/42/adopt-rest",
        "[handover #42] Adopt rest (zookeeper) into replicore-b",
        "planned",
      ],
      [
        "decommission",
        "decommission",
        null,
        "replicore-a",
        "handover/42/decommission",
        "[handover #42] Decommission replicore-a",
        "planned",
      ],
    ]);
  });

  it("gates each step on the cluster it changed, with the issue's soak; decommission has none", () => {
    const gate = (cluster: string) => ({
      cluster,
      soak: "15m",
      timeout: "2h",
      checks: [{ flux: cluster }, { deployment: cluster }],
    });
    expect(plan.steps.map((s) => s.gate)).toEqual([
      gate("replicore-b"),
      gate("replicore-a"),
      gate("replicore-b"),
      gate("replicore-a"),
      gate("replicore-b"),
      gate("replicore-a"),
      gate("replicore-b"),
      null,
    ]);
  });

  it("lists every change's path and action", () => {
    const release = [`update ${CORE_A}`, "update clusters/replicore-a/statefulset.yaml"];
    const adopt = (file: string) => [
      `create clusters/replicore-b/conf.d/${file}`,
      `update ${CORE_B}`,
      "update clusters/replicore-b/statefulset.yaml",
    ];
    expect(plan.steps.map((s) => s.changes.map((c) => `${c.action} ${c.path}`))).toEqual([
      [`update ${CONFIG}`, `create ${CORE_B}`, "create clusters/replicore-b/statefulset.yaml"],
      release,
      adopt("mongo.yaml"),
      release,
      adopt("kafka.yaml"),
      release,
      adopt("zookeeper.yaml"),
      [
        `update ${CONFIG}`,
        "delete clusters/replicore-a/conf.d/kafka.yaml",
        "delete clusters/replicore-a/conf.d/mongo.yaml",
        "delete clusters/replicore-a/conf.d/zookeeper.yaml",
        `delete ${CORE_A}`,
        "delete clusters/replicore-a/statefulset.yaml",
      ],
    ]);
  });

  /** The tree after each step, applying each change's whole `content` in order. */
  const trees: Map<string, string>[] = [];
  {
    let tree = new Map(base);
    for (const step of plan.steps) {
      tree = new Map(tree);
      for (const change of step.changes) {
        if (change.content === null) tree.delete(change.path);
        else tree.set(change.path, change.content);
      }
      trees.push(tree);
    }
  }
  const final = trees[trees.length - 1] ?? new Map<string, string>();

  it("each change's action matches the tree it applies to, and content is null only for delete", () => {
    let before = base;
    plan.steps.forEach((step, i) => {
      for (const change of step.changes) {
        const existed = before.has(change.path);
        expect([step.id, change.path, change.action, existed, change.content === null]).toEqual([
          step.id,
          change.path,
          change.action,
          change.action !== "create",
          change.action === "delete",
        ]);
      }
      before = trees[i] ?? before;
    });
  });

  it("each change's diff turns the file before the step into its content", () => {
    let before: Map<string, string> = base;
    plan.steps.forEach((step, i) => {
      for (const change of step.changes) {
        const patched = applyPatch(before.get(change.path) ?? "", change.diff);
        expect([step.id, change.path, patched]).toEqual([step.id, change.path, change.content ?? ""]);
      }
      before = trees[i] ?? before;
    });
  });

  it("bumps the restart annotation with <issue>-<step-id> in every release and adopt step", () => {
    plan.steps.forEach((step, i) => {
      if (step.kind !== "release" && step.kind !== "adopt") return;
      const statefulset = trees[i]?.get(`clusters/${step.cluster}/statefulset.yaml`) ?? "";
      const docs = statefulset
        .split(/^---$/m)
        .map((d) => parse(d) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } });
      expect([step.id, docs[1]?.spec?.template?.metadata?.annotations?.["handover.replicante.io/restart"]]).toEqual([
        step.id,
        `42-${step.id}`,
      ]);
    });
  });

  it("leaves a final tree with no replicore-a file and replicore-b holding every backend", () => {
    expect([...final.keys()].sort()).toEqual([
      CONFIG,
      "README.md",
      "clusters/replicore-b/conf.d/kafka.yaml",
      "clusters/replicore-b/conf.d/mongo.yaml",
      "clusters/replicore-b/conf.d/zookeeper.yaml",
      CORE_B,
      "clusters/replicore-b/statefulset.yaml",
    ]);
    expect(final.get(CONFIG)).not.toContain("replicore-a");
    expect(Object.keys((parse(final.get(CONFIG) ?? "") as { clusters: object }).clusters)).toEqual(["replicore-b"]);
    for (const file of ["kafka.yaml", "mongo.yaml", "zookeeper.yaml"]) {
      expect(final.get(`clusters/replicore-b/conf.d/${file}`)).toBe(base.get(`clusters/replicore-a/conf.d/${file}`));
    }
  });

  it("lists the three discovery entries in the target exactly as the source writes them", () => {
    const core = final.get(CORE_B) ?? "";
    const path = ["discovery", "backends", "files"];
    expect(readSeqItems(core, path).map((item) => item.raw)).toEqual([
      "'conf.d/mongo.yaml'",
      "'conf.d/kafka.yaml'",
      "/opt/replicante/conf.d/zookeeper.yaml",
    ]);
    expect((parse(core) as { discovery: { backends: { files: string[] } } }).discovery.backends.files).toEqual([
      "conf.d/mongo.yaml",
      "conf.d/kafka.yaml",
      "/opt/replicante/conf.d/zookeeper.yaml",
    ]);
    expect(core).toContain("'conf.d/kafka.yaml'");
    expect(core).toContain("'conf.d/mongo.yaml'");
  });

  it("leaves only the scaffold's REPLACE-ME values for operators to fill in", () => {
    expect(checkTree(final).map((v) => [v.rule, v.clusters, v.subject])).toEqual([
      ["unfinished-scaffold", ["replicore-b"], "coordinator.options.ensemble"],
      ["unfinished-scaffold", ["replicore-b"], "events.stream.options.brokers"],
      ["unfinished-scaffold", ["replicore-b"], "storage.options.uri"],
      ["unfinished-scaffold", ["replicore-b"], "tasks.options.brokers"],
    ]);
  });

  it("text output starts with the migration, its groups and its step count", async () => {
    const text = await cli([
      "plan",
      "--repo",
      EXAMPLE_REPO,
      "--issue",
      join(ROOT, "examples/issue.md"),
      "--number",
      "42",
    ]);
    expect(text.code).toBe(0);
    expect(text.err).toBe("");
    expect(text.out.split("\n").slice(0, 8)).toEqual([
      "Plan for issue #42: replicore-a -> replicore-b (Replicante Core 0.3.1)",
      "Groups: canary (mongo), wave-1 (kafka), rest (zookeeper)",
      "8 steps, each opened only after the previous one merged and its gate passed.",
      "",
      "1. prepare  [handover #42] Prepare replicore-b for Replicante Core 0.3.1",
      "   branch handover/42/prepare",
      "   gate: replicore-b healthy (2 checks, soak 15m, timeout 2h)",
      `   update ${CONFIG}`,
    ]);
    for (const step of plan.steps) expect(text.out).toContain(`   branch ${step.branch}\n`);
  });
});

describe("plan with no groups in the issue", () => {
  it("makes one group per backend, in config order", async () => {
    const issue = issueFile(
      EXAMPLE_ISSUE.replace(/### Backend groups\n\n[^#]*/, "### Backend groups\n\n_No response_\n\n"),
    );
    const run = await cli(["plan", "--repo", EXAMPLE_REPO, "--issue", issue, "--number", "7", "--format", "json"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.out) as JsonPlan;
    expect(plan.groups).toEqual([
      { name: "kafka", backends: ["kafka"] },
      { name: "mongo", backends: ["mongo"] },
      { name: "zookeeper", backends: ["zookeeper"] },
    ]);
    expect(plan.steps.map((s) => s.id)).toEqual([
      "prepare",
      "release-kafka",
      "adopt-kafka",
      "release-mongo",
      "adopt-mongo",
      "release-zookeeper",
      "adopt-zookeeper",
      "decommission",
    ]);
  });
});

describe("schema", () => {
  it("prints the JSON Schema of handover.yml, closed to unknown keys", async () => {
    const run = await cli(["schema"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.out) as {
      type: string;
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: unknown;
    };
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties)).toEqual([
      "version",
      "clusters",
      "defaults",
      "commands",
      "resync",
      "windows",
      "freezes",
      "approve",
      "automerge",
      "groups",
    ]);
    expect(schema.required).toEqual(["version", "clusters"]);
    expect(schema.additionalProperties).toBe(false);
  });

  it("--markdown prints the docs table", async () => {
    const run = await cli(["schema", "--markdown"]);
    expect(run.code).toBe(0);
    expect(run.out).toBe(readFileSync(join(ROOT, "docs/config-reference.md"), "utf8"));
  });
});

describe("init", () => {
  const FORM = ".github/ISSUE_TEMPLATE/replicante-upgrade.yml";

  it("writes exactly the issue form and a handover.yml that passes check; a second init overwrites nothing", async () => {
    const repo = tempDir("init");
    const first = await cli(["init", "--repo", repo]);
    expect(first.err).toBe("");
    expect(first.out).toBe(
      `wrote   ${FORM}\nwrote   ${CONFIG}\nwrote   issue.example.md\n\nNext: review ${CONFIG} (health checks, restart keys), run \`handover check --repo ${repo}\`, commit, and file a "Replicante Core breaking upgrade" issue.\n`,
    );
    expect(first.code).toBe(0);
    expect(
      Object.keys(hashTree(repo))
        .filter((p) => !p.endsWith("/"))
        .sort(),
    ).toEqual([FORM, CONFIG, "issue.example.md"].sort());
    expect(readFileSync(join(repo, FORM), "utf8")).toBe(readFileSync(join(ROOT, FORM), "utf8"));

    const check = await cli(["check", "--repo", repo, "--format", "json"]);
    expect(JSON.parse(check.out)).toEqual({ ok: true, violations: [] });
    expect(check.code).toBe(0);

    const before = hashTree(repo);
    const second = await cli(["init", "--repo", repo]);
    expect(second.err).toBe("");
    expect(second.out.split("\n").slice(0, 3)).toEqual([
      `kept    ${FORM} (already there; not overwritten)`,
      `kept    ${CONFIG} (already there; not overwritten)`,
      "kept    issue.example.md (already there; not overwritten)",
    ]);
    expect(second.code).toBe(0);
    expect(hashTree(repo)).toEqual(before);
  });

  it("keeps an existing handover.yml and only adds the issue form", async () => {
    const repo = exampleCopy();
    const config = readFileSync(join(repo, CONFIG), "utf8");
    const run = await cli(["init", "--repo", repo]);
    expect(run.code).toBe(0);
    expect(run.out.split("\n").slice(0, 2)).toEqual([
      `wrote   ${FORM}`,
      `kept    ${CONFIG} (already there; not overwritten)`,
    ]);
    expect(readFileSync(join(repo, CONFIG), "utf8")).toBe(config);
    expect(existsSync(join(repo, FORM))).toBe(true);
  });

  it.each([
    ["core-0.3", { "replicore-a": { config: "clusters/replicore-a/replicante.yaml", version: "0.3.1", health: [] } }],
    [
      "core-0.7",
      {
        old: {
          config: "replicore/old/replicante.yaml",
          version: "0.7.2",
          settings_dir: "replicore/old/apply",
          health: [],
        },
      },
    ],
  ])(
    "%s: the version from the image tag, and the folder of DiscoverySettings as settings_dir",
    async (name, clusters) => {
      const repo = tempDir("init");
      cpSync(join(ROOT, "test/fixtures/repos", name), repo, { recursive: true });
      rmSync(join(repo, CONFIG));
      const run = await cli(["init", "--repo", repo]);
      expect(run.code).toBe(0);
      expect((parse(readFileSync(join(repo, CONFIG), "utf8")) as { clusters: unknown }).clusters).toEqual(clusters);
    },
  );

  it("lists every replicante.yaml it finds as a cluster of the starter handover.yml, with the mounts its absolute entries need", async () => {
    const repo = exampleCopy({ [CONFIG]: null });
    const run = await cli(["init", "--repo", repo]);
    expect(run.code).toBe(0);
    const config = parse(readFileSync(join(repo, CONFIG), "utf8")) as {
      clusters: Record<string, { config: string; health: unknown[] }>;
    };
    expect(config.clusters).toEqual({
      "replicore-a": {
        config: CORE_A,
        version: "0.3.0",
        mounts: { "/opt/replicante": "clusters/replicore-a" },
        restart: {
          file: "clusters/replicore-a/statefulset.yaml",
          key: ["spec", "template", "metadata", "annotations", "handover.replicante.io/restart"],
          document: 1,
        },
        health: [],
      },
    });
    const check = await cli(["check", "--repo", repo, "--format", "json"]);
    expect(JSON.parse(check.out)).toEqual({ ok: true, violations: [] });
    expect(check.code).toBe(0);
  });
});

describe("--help", () => {
  it.each(["plan", "check", "schema", "init"])("%s --help exits 0 with its usage on stdout", async (command) => {
    const run = await cli([command, "--help"]);
    expect(run.err).toBe("");
    expect(run.out.split("\n")[0]).toBe(`Usage: handover ${command} [options]`);
    expect(run.code).toBe(0);
  });

  it.each(["plan", "check", "schema", "init"])("help %s prints the same usage", async (command) => {
    const viaHelp = await cli(["help", command]);
    const viaFlag = await cli([command, "--help"]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.out).toBe(viaFlag.out);
  });

  it("handover --help lists every command", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.err).toBe("");
    expect(run.out.split("\n")[0]).toBe("Usage: handover [options] [command]");
    for (const command of ["plan", "check", "schema", "init"])
      expect(run.out).toMatch(new RegExp(`^  ${command} \\[options\\]`, "m"));
  });

  it("check --help names its flags", async () => {
    const run = await cli(["check", "--help"]);
    expect(run.out).toContain("--repo <dir>");
    expect(run.out).toContain('--format <format>  text or json (default: "text")');
  });
});

// The example repo itself is never changed by any command above.
describe("the example repo", () => {
  it("is unchanged by plan and check", async () => {
    const before = hashTree(EXAMPLE_REPO);
    await cli(["plan", "--repo", EXAMPLE_REPO, "--issue", join(ROOT, "examples/issue.md"), "--format", "json"]);
    await cli(["check", "--repo", EXAMPLE_REPO]);
    expect(hashTree(EXAMPLE_REPO)).toEqual(before);
  });
});
