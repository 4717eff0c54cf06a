// Planning a breaking upgrade on a realistic repo of each Core era (design sections 1 and 3).
import { beforeAll, describe, expect, it } from "vitest";
import { checkTree } from "../../../src/invariant/index.js";
import { applyStep, type Plan } from "../../../src/plan/index.js";
import { loadRepo, type FileMap } from "../../../src/repo/index.js";
import type { Violation } from "../../../src/spec/violation.js";
import {
  actions,
  treeAfter,
  changedLines,
  edit,
  fixture,
  planOk,
  request,
  stepNamed,
  valueAt,
  walk,
} from "./helpers.js";

const RESTART_KEY = ["spec", "template", "metadata", "annotations", "handover.replicante.io/restart"];

/** The REPLACE-ME leftovers a scaffolded target is expected to carry until operators fill them in. */
function scaffoldLeftovers(cluster: string, file: string, fields: string[]): Violation[] {
  return fields.map((field) => ({
    rule: "unfinished-scaffold",
    message: expect.stringContaining(field) as unknown as string,
    clusters: [cluster],
    subject: field,
    files: [file],
  }));
}

function restartWarning(cluster: string, era: string): string {
  return `${cluster} (${era} era) reads its backends only at start-up and has no restart key to bump: the rolling restart must come from the deploy pipeline`;
}

interface EraCase {
  fixture: string;
  source: string;
  target: string;
  version: string;
  groups?: string;
  steps: [string, string][];
  /** Every file the source still has at decommission: exactly what it must delete. */
  sourceFiles: string[];
  /** Violations of the final tree (the scaffold's placeholders, if the target was scaffolded). */
  finalViolations: Violation[];
}

const CASES: EraCase[] = [
  {
    fixture: "files-pre03",
    source: "replicore-a",
    target: "replicore-b",
    version: "0.2.2",
    groups: "canary: mongo\nrest: *",
    steps: [
      ["prepare", "prepare"],
      ["release-canary", "release"],
      ["adopt-canary", "adopt"],
      ["release-rest", "release"],
      ["adopt-rest", "adopt"],
      ["decommission", "decommission"],
    ],
    sourceFiles: [
      "clusters/replicore-a/conf.d/kafka.yaml",
      "clusters/replicore-a/conf.d/mongo.yaml",
      "clusters/replicore-a/conf.d/zookeeper.yaml",
      "clusters/replicore-a/deployment.yaml",
      "clusters/replicore-a/etc/replicante.yaml",
      "clusters/replicore-a/kustomization.yaml",
    ],
    finalViolations: scaffoldLeftovers("replicore-b", "clusters/replicore-b/etc/replicante.yaml", [
      "coordinator.options.ensemble",
      "events.stream.options.brokers",
      "storage.options.uri",
      "tasks.options.brokers",
    ]),
  },
  {
    fixture: "http",
    source: "replicore-blue",
    target: "replicore-green",
    version: "0.6.0",
    groups: "canary: https://static.corp/discovery/kafka.json\nrest: *",
    steps: [
      ["prepare", "prepare"],
      ["release-canary", "release"],
      ["adopt-canary", "adopt"],
      ["release-rest", "release"],
      ["adopt-rest", "adopt"],
      ["decommission", "decommission"],
    ],
    sourceFiles: ["clusters/replicore-blue/core.yaml", "clusters/replicore-blue/replicante.yaml"],
    finalViolations: scaffoldLeftovers("replicore-green", "clusters/replicore-green/replicante.yaml", [
      "coordinator.options.ensemble",
      "events.stream.options.brokers",
      "storage.primary.options.uri",
      "storage.view.options.uri",
      "tasks.options.brokers",
    ]),
  },
  {
    fixture: "settings",
    source: "replicore-old",
    target: "replicore-new",
    version: "0.7.2",
    steps: [
      ["prepare", "prepare"],
      ["release-kafka-static", "release"],
      ["adopt-kafka-static", "adopt"],
      ["release-legacy-inventory", "release"],
      ["adopt-legacy-inventory", "adopt"],
      ["release-mongo-inventory", "release"],
      ["adopt-mongo-inventory", "adopt"],
      ["decommission", "decommission"],
    ],
    // The DiscoverySettings objects stay (disabled) until decommission: replictl apply never prunes.
    sourceFiles: [
      "clusters/replicore-old/apply/drain-node.yaml",
      "clusters/replicore-old/apply/kafka.yml",
      "clusters/replicore-old/apply/legacy-inventory.yaml",
      "clusters/replicore-old/apply/mongo.yaml",
      "clusters/replicore-old/replicante.yaml",
    ],
    finalViolations: scaffoldLeftovers("replicore-new", "clusters/replicore-new/replicante.yaml", [
      "coordinator.options.ensemble",
      "events.options.brokers",
      "storage.primary.options.uri",
      "storage.view.options.uri",
      "tasks.options.brokers",
    ]),
  },
  {
    fixture: "target-exists",
    source: "replicore-a",
    target: "replicore-b",
    version: "0.3.1",
    steps: [
      ["prepare", "prepare"],
      ["release-mongo-rs", "release"],
      ["adopt-mongo-rs", "adopt"],
      ["release-zookeeper", "release"],
      ["adopt-zookeeper", "adopt"],
      ["decommission", "decommission"],
    ],
    sourceFiles: [
      "clusters/replicore-a/conf.d/mongo-rs.yaml",
      "clusters/replicore-a/conf.d/zookeeper.yaml",
      "clusters/replicore-a/replicante.yaml",
    ],
    finalViolations: [],
  },
];

describe.each(CASES)("every era: $fixture", (c) => {
  let tree: Map<string, string>;
  let plan: Plan;
  let trees: Map<string, string>[];
  beforeAll(async () => {
    tree = await fixture(c.fixture);
    plan = planOk(tree, request(c.source, c.target, c.version, c.groups));
    trees = walk(tree, plan);
  });

  it("the fixture is clean before the migration", () => {
    expect(checkTree(tree)).toStrictEqual([]);
  });

  it("plans prepare, release/adopt per group in order, then decommission", () => {
    expect(plan.steps.map((s) => [s.id, s.kind])).toStrictEqual(c.steps);
    for (const step of plan.steps) {
      const cluster = step.kind === "prepare" || step.kind === "adopt" ? c.target : c.source;
      expect(step.cluster, step.id).toBe(cluster);
      expect(step.branch).toBe(`handover/42/${step.id}`);
      expect(step.group).toBe(
        step.kind === "release" || step.kind === "adopt" ? step.id.replace(/^(release|adopt)-/, "") : null,
      );
    }
  });

  it("re-applying any step on the tree after it changes nothing", () => {
    plan.steps.forEach((step, i) => {
      const done = trees[i + 1] as Map<string, string>;
      expect(applyStep(done, plan.context, step).tree, step.id).toStrictEqual(done);
    });
  });

  it("applying each step with applyStep gives the tree its planned changes give", () => {
    plan.steps.forEach((step, i) => {
      expect(applyStep(trees[i] as FileMap, plan.context, step).tree, step.id).toStrictEqual(trees[i + 1]);
    });
  });

  it("decommission deletes every source file and the source's handover.yml entry, nothing of the target", () => {
    const step = stepNamed(plan, "decommission");
    expect(actions(step)).toStrictEqual([
      ["update", ".github/handover.yml"],
      ...c.sourceFiles.map((p) => ["delete", p]),
    ]);
    const before = trees[trees.length - 2] as Map<string, string>;
    const final = trees[trees.length - 1] as Map<string, string>;
    const loaded = loadRepo(final);
    expect(loaded.ok && [...loaded.model.clusters.keys()]).toStrictEqual([c.target]);
    expect([...final.keys()].filter((p) => p.startsWith(`clusters/${c.source}/`))).toStrictEqual([]);
    for (const [path, content] of before) {
      if (!c.sourceFiles.includes(path) && path !== ".github/handover.yml") expect(final.get(path), path).toBe(content);
    }
  });

  it("the final tree passes the invariant checker, apart from the scaffold's placeholders", () => {
    expect(checkTree(trees[trees.length - 1] as FileMap)).toStrictEqual(c.finalViolations);
  });

  it("after every step the tree passes the checker, apart from the scaffold's placeholders", () => {
    plan.steps.forEach((step, i) => {
      const left = checkTree(trees[i + 1] as FileMap).filter(
        (v) => v.rule !== "unfinished-scaffold" || v.clusters[0] !== c.target,
      );
      expect(left, step.id).toStrictEqual([]);
    });
  });
});

describe("files era before Core 0.3 (files-pre03: `cluster` key, workdir above the config dir)", () => {
  let tree: Map<string, string>;
  let plan: Plan;
  beforeAll(async () => {
    tree = await fixture("files-pre03");
    plan = planOk(tree, request("replicore-a", "replicore-b", "0.2.2", "canary: mongo\nrest: *"));
  });

  it("groups the backends by file name and carries no restart warning (restart is configured)", () => {
    expect(plan.groups).toStrictEqual([
      { name: "canary", backends: ["mongo"] },
      { name: "rest", backends: ["kafka", "zookeeper"] },
    ]);
    expect(plan.warnings.filter((w) => /restart/.test(w))).toStrictEqual([]);
  });

  it("prepare scaffolds the target: REPLACE-ME dependencies, empty discovery, no discovery file copied", () => {
    const step = stepNamed(plan, "prepare");
    expect(step.status).toBe("planned");
    expect(actions(step)).toStrictEqual([
      ["update", ".github/handover.yml"],
      ["create", "clusters/replicore-b/deployment.yaml"],
      ["create", "clusters/replicore-b/etc/replicante.yaml"],
      ["create", "clusters/replicore-b/kustomization.yaml"],
    ]);
    const next = treeAfter(tree, plan, "prepare");
    expect(next.get(".github/handover.yml")).toBe(`# Handover config for the legacy Core 0.2 fleet.
version: 1

clusters:
  # Core 0.2.1, files discovery with the pre-0.3 \`cluster\` key.
  replicore-a:
    config: clusters/replicore-a/etc/replicante.yaml
    workdir: "clusters/replicore-a"   # the process runs one level above etc/
    discovery: files
    restart:
      file: clusters/replicore-a/deployment.yaml
      key: [spec, template, metadata, annotations, "handover.replicante.io/restart"]
    health:
      - deployment: replicore-a
    soak: 5m
  replicore-b:
    config: clusters/replicore-b/etc/replicante.yaml
    version: 0.2.2
    workdir: "clusters/replicore-b"   # the process runs one level above etc/
    discovery: files
    restart:
      file: clusters/replicore-b/deployment.yaml
      key: [spec, template, metadata, annotations, "handover.replicante.io/restart"]
    health:
      - deployment: replicore-b
    soak: 5m

defaults:
  soak: 10m
  timeout: 1h
`);
    const config = next.get("clusters/replicore-b/etc/replicante.yaml") ?? "";
    expect(valueAt(config, ["discovery", "backends", "files"])).toStrictEqual([]);
    for (const key of [
      ["coordinator", "options", "ensemble"],
      ["events", "stream", "options", "brokers"],
      ["storage", "options", "uri"],
      ["tasks", "options", "brokers"],
    ]) {
      expect(valueAt(config, key), key.join(".")).toContain("REPLACE-ME");
    }
    // Every other line is the source's, with the cluster name replaced.
    const source = (tree.get("clusters/replicore-a/etc/replicante.yaml") ?? "").replaceAll(
      "replicore-a",
      "replicore-b",
    );
    const lines = changedLines(source, config);
    expect([...lines.removed].sort()).toStrictEqual(
      [
        '    ensemble: "zk1.legacy:2181,zk2.legacy:2181/replicante"',
        "    files:",
        "    uri: mongodb://mongo1.legacy:27017/",
        "    brokers: 'kafka1.legacy:9092,kafka2.legacy:9092'",
        "      - 'conf.d/kafka.yaml'",
        '      - "./conf.d/zookeeper.yaml"',
        "      - conf.d/mongo.yaml       # orders and users replica sets",
        "      # Zookeeper ensembles managed by this cluster.",
        "      brokers: 'kafka1.legacy:9092,kafka2.legacy:9092'",
      ].sort(),
    );
    expect(lines.added).toHaveLength(5);
    expect(lines.added.filter((l) => l !== "    files: []").every((l) => l.includes("REPLACE-ME"))).toBe(true);
    // The scaffold has no discovery files yet, so its kustomization lists none (kustomize build would fail).
    expect(next.get("clusters/replicore-b/kustomization.yaml")).toBe(
      edit(tree.get("clusters/replicore-a/kustomization.yaml")?.replaceAll("replicore-a", "replicore-b") ?? "", [
        [
          "    files:\n      - conf.d/mongo.yaml\n      - conf.d/kafka.yaml\n      - conf.d/zookeeper.yaml\n",
          "    files: []\n",
        ],
      ]),
    );
    const deployment = changedLines(
      tree.get("clusters/replicore-a/deployment.yaml")?.replaceAll("replicore-a", "replicore-b") ?? "",
      next.get("clusters/replicore-b/deployment.yaml") ?? "",
    );
    expect(deployment.removed).toStrictEqual(["          image: replicanteio/replicante:v0.2.1"]);
    expect([...next.keys()].filter((p) => p.startsWith("clusters/replicore-b/conf.d/"))).toStrictEqual([]);
  });

  it("release-canary removes only the mongo entry line and writes the restart annotation into the Deployment", () => {
    const step = stepNamed(plan, "release-canary");
    expect(actions(step)).toStrictEqual([
      ["update", "clusters/replicore-a/deployment.yaml"],
      ["update", "clusters/replicore-a/etc/replicante.yaml"],
    ]);
    const next = treeAfter(tree, plan, "release-canary");
    expect(
      next.get("clusters/replicore-a/etc/replicante.yaml"),
    ).toBe(`# Replicante Core 0.2.1 — replicore-a (legacy fleet).
# Paths in discovery.backends.files are relative to the working dir,
# which is clusters/replicore-a (one level above this file).
api:
  bind: '0.0.0.0:16016'

coordinator:
  backend: zookeeper
  options:
    ensemble: "zk1.legacy:2181,zk2.legacy:2181/replicante"

discovery:
  backends:
    files:
      - 'conf.d/kafka.yaml'

      # Zookeeper ensembles managed by this cluster.
      - "./conf.d/zookeeper.yaml"
  interval: 60

events:
  snapshots:
    enabled: true
    frequency: 60
  stream:
    backend: kafka
    options:
      brokers: 'kafka1.legacy:9092,kafka2.legacy:9092'

storage:
  backend: mongodb
  options:
    db: replicore
    uri: mongodb://mongo1.legacy:27017/

tasks:
  backend: kafka
  options:
    brokers: 'kafka1.legacy:9092,kafka2.legacy:9092'
    queue_prefix: task

timeouts:
  agents_api: 15
`);
    expect(next.get("clusters/replicore-a/deployment.yaml")).toBe(`# Replicante Core 0.2 for replicore-a.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: replicore-a
  labels:
    app.kubernetes.io/name: replicore-a
spec:
  replicas: 2
  selector:
    matchLabels:
      app: replicore-a
  template:
    metadata:
      labels:
        app: replicore-a
      annotations:
        handover.replicante.io/restart: 42-release-canary
    spec:
      containers:
        - name: replicante
          image: replicanteio/replicante:v0.2.1
          workingDir: /home/replicante
          args: ["--config", "etc/replicante.yaml"]
          volumeMounts:
            - name: config
              mountPath: /home/replicante/etc/replicante.yaml
              subPath: replicante.yaml
            - name: discovery
              mountPath: /home/replicante/conf.d
      volumes:
        - name: config
          configMap:
            name: replicore-a-config   # built by kustomize from etc/
        - name: discovery
          configMap:
            name: replicore-a-discovery   # built by kustomize from conf.d/ (a ConfigMap holds no folders)
`);
    // The discovery file stays with the source until decommission.
    expect(next.get("clusters/replicore-a/conf.d/mongo.yaml")).toBe(tree.get("clusters/replicore-a/conf.d/mongo.yaml"));
  });

  it("adopt-canary copies mongo.yaml (with its `cluster` keys) into the target workdir and adds the entry as written", () => {
    const step = stepNamed(plan, "adopt-canary");
    expect(actions(step)).toStrictEqual([
      ["create", "clusters/replicore-b/conf.d/mongo.yaml"],
      ["update", "clusters/replicore-b/deployment.yaml"],
      ["update", "clusters/replicore-b/etc/replicante.yaml"],
      ["update", "clusters/replicore-b/kustomization.yaml"],
    ]);
    const before = treeAfter(tree, plan, "release-canary");
    const next = treeAfter(tree, plan, "adopt-canary");
    // The copy joins the generator that packages the source's mongo.yaml, written the same way.
    expect(next.get("clusters/replicore-b/kustomization.yaml")).toBe(
      edit(before.get("clusters/replicore-b/kustomization.yaml") ?? "", [
        ["    files: []\n", "    files:\n      - conf.d/mongo.yaml\n"],
      ]),
    );
    expect(
      next.get("clusters/replicore-b/conf.d/mongo.yaml"),
    ).toBe(`# MongoDB replica sets (Core 0.2: the id key is \`cluster\`, not \`cluster_id\`).
- cluster: mongo-orders
  nodes:
    - 'http://mongo-orders-1.legacy:37017'
    - 'http://mongo-orders-2.legacy:37017'
- cluster: "mongo-users"
  nodes:
    - http://mongo-users-1.legacy:37017
`);
    expect(next.get("clusters/replicore-b/etc/replicante.yaml")).toBe(
      edit(before.get("clusters/replicore-b/etc/replicante.yaml") ?? "", [
        ["    files: []\n", "    files:\n      - conf.d/mongo.yaml\n"],
      ]),
    );
    expect(next.get("clusters/replicore-b/deployment.yaml")).toBe(
      edit(before.get("clusters/replicore-b/deployment.yaml") ?? "", [
        [
          "        app: replicore-b\n    spec:",
          "        app: replicore-b\n      annotations:\n        handover.replicante.io/restart: 42-adopt-canary\n    spec:",
        ],
      ]),
    );
  });

  it("every release bumps the source restart key and every adopt the target's, to <issue>-<step-id>", () => {
    for (const step of plan.steps.filter((s) => s.kind === "release" || s.kind === "adopt")) {
      const cluster = step.kind === "release" ? "replicore-a" : "replicore-b";
      const text = treeAfter(tree, plan, step.id).get(`clusters/${cluster}/deployment.yaml`) ?? "";
      expect(valueAt(text, RESTART_KEY), step.id).toBe(`42-${step.id}`);
    }
  });

  it("adopt-rest places both files of the group and appends both entries exactly as the source wrote them", () => {
    const next = treeAfter(tree, plan, "adopt-rest");
    expect(next.get("clusters/replicore-b/conf.d/kafka.yaml")).toBe(tree.get("clusters/replicore-a/conf.d/kafka.yaml"));
    expect(next.get("clusters/replicore-b/conf.d/zookeeper.yaml")).toBe(
      tree.get("clusters/replicore-a/conf.d/zookeeper.yaml"),
    );
    const config = next.get("clusters/replicore-b/etc/replicante.yaml") ?? "";
    expect(config).toContain(
      `    files:\n      - conf.d/mongo.yaml\n      - 'conf.d/kafka.yaml'\n      - "./conf.d/zookeeper.yaml"\n`,
    );
  });

  it("decommission removes the source entry with its comment and keeps shared files", () => {
    const final = treeAfter(tree, plan, "decommission");
    expect(final.get(".github/handover.yml")).toBe(`# Handover config for the legacy Core 0.2 fleet.
version: 1

clusters:
  replicore-b:
    config: clusters/replicore-b/etc/replicante.yaml
    version: 0.2.2
    workdir: "clusters/replicore-b"   # the process runs one level above etc/
    discovery: files
    restart:
      file: clusters/replicore-b/deployment.yaml
      key: [spec, template, metadata, annotations, "handover.replicante.io/restart"]
    health:
      - deployment: replicore-b
    soak: 5m

defaults:
  soak: 10m
  timeout: 1h
`);
    expect(final.get("clusters/shared/namespace.yaml")).toBe(tree.get("clusters/shared/namespace.yaml"));
    expect(final.get("README.md")).toBe(tree.get("README.md"));
  });
});

describe("http era (Core 0.5)", () => {
  let tree: Map<string, string>;
  let plan: Plan;
  beforeAll(async () => {
    tree = await fixture("http");
    plan = planOk(
      tree,
      request(
        "replicore-blue",
        "replicore-green",
        "0.6.0",
        "canary: https://static.corp/discovery/kafka.json\nrest: *",
      ),
    );
  });

  it("backend ids are the urls, in config order under `*`", () => {
    expect(plan.groups).toStrictEqual([
      { name: "canary", backends: ["https://static.corp/discovery/kafka.json"] },
      {
        name: "rest",
        backends: ["https://inventory.corp:8443/replicante/mongo", "https://inventory.corp:8443/replicante/zookeeper"],
      },
    ]);
    expect(plan.warnings.filter((w) => /restart/.test(w))).toStrictEqual([]);
  });

  it("prepare scaffolds both storage sections, the events stream and tasks with REPLACE-ME and empties the http list", () => {
    const next = treeAfter(tree, plan, "prepare");
    expect(actions(stepNamed(plan, "prepare"))).toStrictEqual([
      ["update", ".github/handover.yml"],
      ["create", "clusters/replicore-green/core.yaml"],
      ["create", "clusters/replicore-green/replicante.yaml"],
    ]);
    const config = next.get("clusters/replicore-green/replicante.yaml") ?? "";
    expect(valueAt(config, ["discovery", "backends", "http"])).toStrictEqual([]);
    for (const key of [
      ["coordinator", "options", "ensemble"],
      ["events", "stream", "options", "brokers"],
      ["storage", "primary", "options", "uri"],
      ["storage", "view", "options", "uri"],
      ["tasks", "options", "brokers"],
    ]) {
      expect(valueAt(config, key), key.join(".")).toContain("REPLACE-ME");
    }
    const loaded = loadRepo(next);
    const green = loaded.ok ? loaded.model.clusters.get("replicore-green") : undefined;
    expect(green?.spec.restart).toStrictEqual({
      file: "clusters/replicore-green/core.yaml",
      key: RESTART_KEY,
      document: 1,
    });
    expect(green?.spec.health).toStrictEqual([
      { status: "ci/deploy-replicore-green" },
      { http: "https://replicore-green.internal:16016/api/unstable/introspect/health" },
    ]);
  });

  it("release-canary removes the flow-style entry line and bumps document 1 of the manifest, keeping quotes and comment", () => {
    const step = stepNamed(plan, "release-canary");
    expect(actions(step)).toStrictEqual([
      ["update", "clusters/replicore-blue/core.yaml"],
      ["update", "clusters/replicore-blue/replicante.yaml"],
    ]);
    const next = treeAfter(tree, plan, "release-canary");
    expect(next.get("clusters/replicore-blue/replicante.yaml")).toBe(`# Replicante Core 0.5.0 — replicore-blue
api:
  bind: '0.0.0.0:16016'
  healthcheck_refresh: 10

coordinator:
  backend: 'zookeeper'
  options:
    ensemble: 'zk1.blue:2181,zk2.blue:2181,zk3.blue:2181/replicante'

discovery:
  backends:
    http:
      # Inventory service: paginated POST.
      - url: 'https://inventory.corp:8443/replicante/mongo'
        method: POST
        timeout: 30000
        headers:
          Authorization: 'Bearer \${INVENTORY_TOKEN}'   # injected at deploy time

      - url: https://inventory.corp:8443/replicante/zookeeper
        method: "POST"
        timeout: 10000
        headers: {}
  interval: 60
  term: 10800

events:
  snapshots:
    enabled: true
    frequency: 60
  stream:
    backend: kafka
    options:
      ack_level: 'all'
      brokers: 'kafka1.blue:9092,kafka2.blue:9092'
      topic_prefix: 'stream'

storage:
  primary:
    backend: mongodb
    options:
      db: replicore
      uri: 'mongodb://mongo1.blue:27017,mongo2.blue:27017/?replicaSet=replistore'
  view:
    backend: mongodb
    options:
      db: repliview
      uri: 'mongodb://mongo1.blue:27017,mongo2.blue:27017/?replicaSet=replistore'

tasks:
  backend: kafka
  options:
    brokers: 'kafka1.blue:9092,kafka2.blue:9092'
    queue_prefix: task

timeouts:
  agents_api: 15
`);
    expect(
      next.get("clusters/replicore-blue/core.yaml"),
    ).toBe(`# Replicante Core 0.5 for replicore-blue: Service, then Deployment.
apiVersion: v1
kind: Service
metadata:
  name: replicore-blue
spec:
  selector:
    app: replicore-blue
  ports:
    - name: api
      port: 16016
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: replicore-blue
spec:
  replicas: 3
  selector:
    matchLabels:
      app: replicore-blue
  template:
    metadata:
      labels:
        app: replicore-blue
      annotations:
        prometheus.io/scrape: 'true'
        handover.replicante.io/restart: "42-release-canary"   # left by an earlier migration
    spec:
      containers:
        - name: replicante
          image: replicanteio/replicante:v0.5.0
`);
  });

  it("adopt-canary adds the flow mapping whole to the target's empty list and bumps the target", () => {
    const before = treeAfter(tree, plan, "release-canary");
    const next = treeAfter(tree, plan, "adopt-canary");
    expect(actions(stepNamed(plan, "adopt-canary"))).toStrictEqual([
      ["update", "clusters/replicore-green/core.yaml"],
      ["update", "clusters/replicore-green/replicante.yaml"],
    ]);
    expect(next.get("clusters/replicore-green/replicante.yaml")).toBe(
      edit(before.get("clusters/replicore-green/replicante.yaml") ?? "", [
        ["    http: []\n", '    http:\n      - {url: "https://static.corp/discovery/kafka.json", method: GET}\n'],
      ]),
    );
    expect(valueAt(next.get("clusters/replicore-green/core.yaml") ?? "", RESTART_KEY, 1)).toBe("42-adopt-canary");
    expect(valueAt(next.get("clusters/replicore-green/core.yaml") ?? "", ["kind"], 0)).toBe("Service");
  });

  it("adopt-rest copies each block mapping whole: headers, timeout and method as in the source", () => {
    const next = treeAfter(tree, plan, "adopt-rest");
    expect(
      valueAt(next.get("clusters/replicore-green/replicante.yaml") ?? "", ["discovery", "backends", "http"]),
    ).toStrictEqual([
      { url: "https://static.corp/discovery/kafka.json", method: "GET" },
      {
        url: "https://inventory.corp:8443/replicante/mongo",
        method: "POST",
        timeout: 30000,
        headers: { Authorization: "Bearer ${INVENTORY_TOKEN}" },
      },
      { url: "https://inventory.corp:8443/replicante/zookeeper", method: "POST", timeout: 10000, headers: {} },
    ]);
    const items = (next.get("clusters/replicore-green/replicante.yaml") ?? "").split("\n");
    for (const line of [
      "        method: POST",
      "        timeout: 30000",
      '        method: "POST"',
      "        headers: {}",
    ]) {
      expect(items, line).toContain(line);
    }
  });

  // "Add the entries whole": a multi-line entry keeps the comment on its last line too.
  it("adopt-rest keeps the comment on the last line of the copied entry", () => {
    const next = treeAfter(tree, plan, "adopt-rest");
    expect((next.get("clusters/replicore-green/replicante.yaml") ?? "").split("\n")).toContain(
      "          Authorization: 'Bearer ${INVENTORY_TOKEN}'   # injected at deploy time",
    );
  });

  it("without a restart configured, the plan warns for both clusters and touches no manifest", async () => {
    const noRestart = new Map(tree);
    noRestart.set(
      ".github/handover.yml",
      edit(tree.get(".github/handover.yml") ?? "", [
        [
          "    restart:\n      file: clusters/replicore-blue/core.yaml\n      key: [spec, template, metadata, annotations, handover.replicante.io/restart]\n      document: 1   # the Deployment; document 0 is the Service\n",
          "",
        ],
      ]),
    );
    const p = planOk(
      noRestart,
      request(
        "replicore-blue",
        "replicore-green",
        "0.6.0",
        "canary: https://static.corp/discovery/kafka.json\nrest: *",
      ),
    );
    expect(p.warnings.filter((w) => /restart/.test(w)).sort()).toStrictEqual([
      restartWarning("replicore-blue", "http"),
      restartWarning("replicore-green", "http"),
    ]);
    for (const step of p.steps.filter((s) => s.kind === "release")) {
      expect(actions(step), step.id).toStrictEqual([["update", "clusters/replicore-blue/replicante.yaml"]]);
    }
    for (const step of p.steps.filter((s) => s.kind === "adopt")) {
      expect(actions(step), step.id).toStrictEqual([["update", "clusters/replicore-green/replicante.yaml"]]);
    }
  });
});

describe("settings era (Core 0.7, DiscoverySettings objects)", () => {
  let tree: Map<string, string>;
  let plan: Plan;
  beforeAll(async () => {
    tree = await fixture("settings");
    plan = planOk(tree, request("replicore-old", "replicore-new", "0.7.2"));
  });

  it("one group per object, named after metadata.name, and no restart warning", () => {
    expect(plan.groups).toStrictEqual([
      { name: "kafka-static", backends: ["kafka-static"] },
      { name: "legacy-inventory", backends: ["legacy-inventory"] },
      { name: "mongo-inventory", backends: ["mongo-inventory"] },
    ]);
    expect(plan.warnings).toStrictEqual([
      "prepare scaffolds replicore-new with REPLACE-ME dependency endpoints: fill them in on the prepare PR (the guard fails it until then)",
    ]);
  });

  it("prepare copies the config, and no object of settings_dir (neither DiscoverySettings nor the NodeAction)", () => {
    expect(actions(stepNamed(plan, "prepare"))).toStrictEqual([
      ["update", ".github/handover.yml"],
      ["create", "clusters/replicore-new/replicante.yaml"],
    ]);
    const next = treeAfter(tree, plan, "prepare");
    const config = next.get("clusters/replicore-new/replicante.yaml") ?? "";
    for (const key of [
      ["coordinator", "options", "ensemble"],
      ["events", "options", "brokers"],
      ["storage", "primary", "options", "uri"],
      ["storage", "view", "options", "uri"],
      ["tasks", "options", "brokers"],
    ]) {
      expect(valueAt(config, key), key.join(".")).toContain("REPLACE-ME");
    }
    expect(valueAt(config, ["discovery"])).toStrictEqual({ interval: 15, term: 43200 });
    expect(next.get(".github/handover.yml")).toBe(`${tree.get(".github/handover.yml")}  replicore-new:
    config: clusters/replicore-new/replicante.yaml
    version: 0.7.2
    discovery: settings
    settings_dir: clusters/replicore-new/apply
    # No restart: 0.7 picks up DiscoverySettings through the API.
    health:
      - deployment: replicore-new
`);
  });

  it("release sets spec.enabled: false in the source's object (replictl apply never prunes a deleted file)", () => {
    expect(stepNamed(plan, "release-mongo-inventory").changes.map((c) => [c.action, c.path, c.content])).toStrictEqual([
      [
        "update",
        "clusters/replicore-old/apply/mongo.yaml",
        tree.get("clusters/replicore-old/apply/mongo.yaml")?.replace("enabled: true", "enabled: false"),
      ],
    ]);
    expect(stepNamed(plan, "release-kafka-static").changes.map((c) => c.content)).toStrictEqual([
      tree
        .get("clusters/replicore-old/apply/kafka.yml")
        ?.replace("  backend: http\n", "  backend: http\n  enabled: false\n"),
    ]);
    expect(stepNamed(plan, "release-legacy-inventory").status).toBe("no-diff");
  });

  it("adopt creates each object, byte for byte as planned, in the target's settings_dir", () => {
    const objects: [string, string][] = [
      ["kafka-static", "kafka.yml"],
      ["legacy-inventory", "legacy-inventory.yaml"],
      ["mongo-inventory", "mongo.yaml"],
    ];
    for (const [group, file] of objects) {
      expect(actions(stepNamed(plan, `adopt-${group}`))).toStrictEqual([
        ["create", `clusters/replicore-new/apply/${file}`],
      ]);
      expect(treeAfter(tree, plan, `adopt-${group}`).get(`clusters/replicore-new/apply/${file}`)).toBe(
        tree.get(`clusters/replicore-old/apply/${file}`),
      );
    }
  });

  it("adopt leaves in place an object of the target's with the same values, a person's comment in it kept", () => {
    const copy = "clusters/replicore-new/apply/mongo.yaml";
    const original = tree.get("clusters/replicore-old/apply/mongo.yaml") ?? "";
    const commented = original.replace("  interval: 10\n", "  interval: 10 # agreed with the DBAs\n");
    const before = new Map(treeAfter(tree, plan, "release-mongo-inventory")).set(copy, commented);
    const after = applyStep(before, plan.context, stepNamed(plan, "adopt-mongo-inventory")).tree;
    expect(after.get(copy)).toBe(commented);
    expect([...after].filter(([path, text]) => before.get(path) !== text)).toStrictEqual([]);
  });

  it("adopt never overwrites another object of the target's where the copy would go: it names both files", () => {
    const copy = "clusters/replicore-new/apply/mongo.yaml";
    const other = (tree.get("clusters/replicore-old/apply/mongo.yaml") ?? "").replace("inventory.old", "inventory.new");
    const before = new Map(treeAfter(tree, plan, "release-mongo-inventory")).set(copy, other);
    expect(() => applyStep(before, plan.context, stepNamed(plan, "adopt-mongo-inventory"))).toThrow(
      expect.objectContaining({
        problems: [
          `${copy}: a different DiscoverySettings object is already where replicore-old's mongo-inventory ` +
            "(clusters/replicore-old/apply/mongo.yaml) would be copied into replicore-new; Handover never overwrites it: " +
            "rename one of them (or give it the same values if it is the same backend) and plan again",
        ],
      }),
    );
  });

  it("the disabled object moves like the others but reaches nothing in either cluster", () => {
    const loaded = loadRepo(treeAfter(tree, plan, "adopt-legacy-inventory"));
    const target = loaded.ok ? loaded.model.clusters.get("replicore-new") : undefined;
    expect(target?.backends.find((b) => b.id === "legacy-inventory")?.reach).toStrictEqual([]);
  });
});

describe("files era with the target already prepared (target-exists)", () => {
  let tree: Map<string, string>;
  let plan: Plan;
  beforeAll(async () => {
    tree = await fixture("target-exists");
    plan = planOk(tree, request("replicore-a", "replicore-b", "0.3.1"));
  });

  it("prepare is a no-op with status no-diff, and the only warning is the source's missing restart", () => {
    const step = stepNamed(plan, "prepare");
    expect(step.status).toBe("no-diff");
    expect(step.changes).toStrictEqual([]);
    expect(plan.warnings).toStrictEqual([restartWarning("replicore-a", "files")]);
    expect(plan.steps.filter((s) => s.id !== "prepare").map((s) => s.status)).toStrictEqual([
      "planned",
      "planned",
      "planned",
      "planned",
      "planned",
    ]);
  });

  it("release removes the entry line and, with no restart configured, changes nothing else", () => {
    const step = stepNamed(plan, "release-mongo-rs");
    expect(actions(step)).toStrictEqual([["update", "clusters/replicore-a/replicante.yaml"]]);
    expect(
      treeAfter(tree, plan, "release-mongo-rs").get("clusters/replicore-a/replicante.yaml"),
    ).toBe(`# replicore-a: Core 0.3.0
coordinator:
  backend: 'zookeeper'
  options:
    ensemble: 'zk1.a:2181,zk2.a:2181/replicante'

discovery:
  backends:
    files:
      - /opt/replicante/conf.d/zookeeper.yaml   # absolute, through the mount
  interval: 60

storage:
  backend: mongodb
  options:
    db: replicore
    uri: 'mongodb://store.a:27017/'
`);
  });

  it("releasing the last entry leaves `files: []`", () => {
    expect(
      treeAfter(tree, plan, "release-zookeeper").get("clusters/replicore-a/replicante.yaml"),
    ).toBe(`# replicore-a: Core 0.3.0
coordinator:
  backend: 'zookeeper'
  options:
    ensemble: 'zk1.a:2181,zk2.a:2181/replicante'

discovery:
  backends:
    files: []
  interval: 60

storage:
  backend: mongodb
  options:
    db: replicore
    uri: 'mongodb://store.a:27017/'
`);
  });

  it("adopt copies the file, adds the entry as written to the existing list (comment kept) and bumps the target", () => {
    const step = stepNamed(plan, "adopt-mongo-rs");
    expect(actions(step)).toStrictEqual([
      ["create", "clusters/replicore-b/conf.d/mongo-rs.yaml"],
      ["update", "clusters/replicore-b/replicante.yaml"],
      ["update", "clusters/replicore-b/statefulset.yaml"],
    ]);
    const next = treeAfter(tree, plan, "adopt-mongo-rs");
    expect(next.get("clusters/replicore-b/conf.d/mongo-rs.yaml")).toBe(
      tree.get("clusters/replicore-a/conf.d/mongo-rs.yaml"),
    );
    expect(
      next.get("clusters/replicore-b/replicante.yaml"),
    ).toBe(`# replicore-b: Core 0.3.1, its own Zookeeper and MongoDB.
coordinator:
  backend: 'zookeeper'
  options:
    ensemble: 'zk1.b:2181,zk2.b:2181/replicante'

discovery:
  backends:
    files:   # Handover adds the backends one group at a time
      - 'conf.d/mongo-rs.yaml'
  interval: 60

storage:
  backend: mongodb
  options:
    db: replicore
    uri: 'mongodb://store.b:27017/'
`);
    expect(next.get("clusters/replicore-b/statefulset.yaml")).toBe(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: replicore-b
spec:
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
        handover.replicante.io/restart: 42-adopt-mongo-rs
    spec:
      containers:
        - name: replicante
          image: replicanteio/replicante:v0.3.1
`);
  });

  it("an absolute entry lands through the target's own mount", () => {
    const next = treeAfter(tree, plan, "adopt-zookeeper");
    expect(next.get("clusters/replicore-b/conf.d/zookeeper.yaml")).toBe(
      tree.get("clusters/replicore-a/conf.d/zookeeper.yaml"),
    );
    expect(
      valueAt(next.get("clusters/replicore-b/replicante.yaml") ?? "", ["discovery", "backends", "files"]),
    ).toStrictEqual(["conf.d/mongo-rs.yaml", "/opt/replicante/conf.d/zookeeper.yaml"]);
    expect(valueAt(next.get("clusters/replicore-b/statefulset.yaml") ?? "", RESTART_KEY)).toBe("42-adopt-zookeeper");
  });

  // A dir both clusters mount (here `tls`, mounted at /etc/replicante/tls by both) is not the source's alone: kept.
  it("decommission leaves a dir that the target mounts as well", () => {
    const shared = new Map(tree);
    shared.set("tls/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    shared.set(
      ".github/handover.yml",
      edit(tree.get(".github/handover.yml") ?? "", [
        [
          "mounts: {/opt/replicante: clusters/replicore-a}",
          "mounts: {/opt/replicante: clusters/replicore-a, /etc/replicante/tls: tls}",
        ],
        [
          "      /opt/replicante: clusters/replicore-b\n",
          "      /opt/replicante: clusters/replicore-b\n      /etc/replicante/tls: tls\n",
        ],
      ]),
    );
    const p = planOk(shared, request("replicore-a", "replicore-b", "0.3.1"));
    expect(actions(stepNamed(p, "decommission"))).toStrictEqual([
      ["update", ".github/handover.yml"],
      ["delete", "clusters/replicore-a/conf.d/mongo-rs.yaml"],
      ["delete", "clusters/replicore-a/conf.d/zookeeper.yaml"],
      ["delete", "clusters/replicore-a/replicante.yaml"],
    ]);
  });
});
