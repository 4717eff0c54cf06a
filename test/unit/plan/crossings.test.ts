// Every crossing of DESIGN.md section 3a on fixture repos in the shapes of Replicante's playgrounds, with the exact
// files each step writes.
import { describe, expect, it } from "vitest";
import { checkTree } from "../../../src/invariant/index.js";
import { applyStep, planMigration, type PlannedStep } from "../../../src/plan/index.js";
import { edit, fixture, planOk, request, stepNamed, treeAfter } from "./helpers.js";

const CONFIG = ".github/handover.yml";

function filled(tree: Map<string, string>, target: string): Map<string, string> {
  const next = new Map(tree);
  for (const [path, text] of next) next.set(path, text.replaceAll("REPLACE-ME", `${target}-deps.internal`));
  return next;
}

describe("files (0.3) -> http (0.4): static discovery documents", () => {
  it("prepare writes the target in 0.4's shape: storage.primary/view, http: [], static_discovery REPLACE-ME", async () => {
    const tree = await fixture("core-0.3");
    const plan = planOk(tree, request("replicore-a", "replicore-b", "0.4.0", "mongo: mongo\nrest: *"));
    const after = treeAfter(tree, plan, "prepare");
    expect(after.get("clusters/replicore-b/replicante.yaml")).toBe(`api:
  bind: '0.0.0.0:16016'


coordinator:
  backend: 'zookeeper'
  options:
    ensemble: 'REPLACE-ME:2181/replicante'


discovery:
  backends:
    http: []


events:
  stream:
    backend: kafka
    options:
      brokers: 'REPLACE-ME:9092'


logging:
  async: false
  level: debug


storage:
  primary:
    backend: mongodb
    options:
      uri: mongodb://REPLACE-ME:27017/
  view:
    backend: mongodb
    options:
      db: repliview
      uri: mongodb://REPLACE-ME:27017/


tasks:
  backend: kafka
  options:
    brokers: 'REPLACE-ME:9092'


timeouts:
  agents_api: 5
`);
    expect(after.get(CONFIG)).toBe(`${tree.get(CONFIG)}  replicore-b:
    config: clusters/replicore-b/replicante.yaml
    static_discovery:
      dir: discovery/replicore-b
      url: https://REPLACE-ME/replicore-b
    version: 0.4.0
    mounts:
      /opt/replicante: clusters/replicore-b   # compose binds ./replicante.yaml and ./conf.d here
    restart:
      file: clusters/replicore-b/docker-compose.yml
      key: [services, replicante, labels, handover.replicante.io/restart]
    health:
      - http: http://replicore-b.playground:16016/api/unstable/introspect/health
`);
    expect(after.get("clusters/replicore-b/docker-compose.yml")).toContain("image: replicanteio/replicante:v0.4.0\n");
    expect(after.has("clusters/replicore-b/conf.d/mongo.yaml")).toBe(false);
  });

  it("adopt writes <dir>/<group>.json ({cursor: null, clusters}) and adds <url>/<group>.json to the http list", async () => {
    const tree = await fixture("core-0.3");
    const plan = planOk(tree, request("replicore-a", "replicore-b", "0.4.0", "mongo: mongo\nrest: *"));
    const step = stepNamed(plan, "adopt-mongo");
    expect(step.changes.map((c) => [c.action, c.path])).toStrictEqual([
      ["update", "clusters/replicore-b/docker-compose.yml"],
      ["update", "clusters/replicore-b/replicante.yaml"],
      ["create", "discovery/replicore-b/mongo.json"],
    ]);
    expect(JSON.parse(step.changes[2]?.content ?? "")).toStrictEqual({
      cursor: null,
      clusters: [
        {
          cluster_id: "play-mongodb-rs",
          display_name: "Replica set",
          nodes: ["http://172.64.255.244:37017/", "http://172.64.255.243:37017/"],
        },
        { cluster_id: "play-mongodb-sharded", nodes: ["http://172.64.255.234:37017/", "http://172.64.255.233:37017/"] },
      ],
    });
    const config = treeAfter(tree, plan, "adopt-rest").get("clusters/replicore-b/replicante.yaml") ?? "";
    expect(config).toContain(`discovery:
  backends:
    http:
      - url: 'https://REPLACE-ME/replicore-b/mongo.json'
      - url: 'https://REPLACE-ME/replicore-b/rest.json'
`);
  });

  it("once the url is filled in, the checker compares the document's datastores with the files era's", async () => {
    const tree = await fixture("core-0.3");
    const plan = planOk(tree, request("replicore-a", "replicore-b", "0.4.0", "mongo: mongo\nrest: *"));
    const prepared = filled(treeAfter(tree, plan, "prepare"), "replicore-b");
    const filledPlan = planMigration(
      prepared,
      request("replicore-a", "replicore-b", "0.4.0", "mongo: mongo\nrest: *"),
      42,
    );
    if (!filledPlan.ok) throw new Error(JSON.stringify(filledPlan));
    // Adopt before release: both clusters would reach the replica set.
    const adoptedEarly = treeAfter(prepared, filledPlan.plan, "adopt-mongo");
    adoptedEarly.set("clusters/replicore-a/replicante.yaml", tree.get("clusters/replicore-a/replicante.yaml") ?? "");
    expect(
      checkTree(adoptedEarly)
        .filter((v) => v.rule === "shared-datastore")
        .map((v) => v.message),
    ).toStrictEqual([
      "datastore cluster_id play-mongodb-rs is reachable from replicore-a (clusters/replicore-a/conf.d/mongo.yaml) and replicore-b (discovery/replicore-b/mongo.json)",
      "datastore cluster_id play-mongodb-sharded is reachable from replicore-a (clusters/replicore-a/conf.d/mongo.yaml) and replicore-b (discovery/replicore-b/mongo.json)",
    ]);
    expect(checkTree(treeAfter(prepared, filledPlan.plan, "decommission"))).toStrictEqual([]);
  });

  it("a target already in the repo without static_discovery is refused naming the key", async () => {
    const tree = await fixture("core-0.3");
    const plan = planOk(tree, request("replicore-a", "replicore-b", "0.4.0"));
    const prepared = filled(treeAfter(tree, plan, "prepare"), "replicore-b");
    prepared.set(
      CONFIG,
      edit(prepared.get(CONFIG) ?? "", [
        [
          "    static_discovery:\n      dir: discovery/replicore-b\n      url: https://replicore-b-deps.internal/replicore-b\n",
          "",
        ],
      ]),
    );
    const result = planMigration(prepared, request("replicore-a", "replicore-b", "0.4.0"), 42);
    expect(result).toStrictEqual({
      ok: false,
      kind: "input",
      problems: [
        `${CONFIG}: clusters.replicore-b.static_discovery: is required to adopt files-era backends into a http-era cluster: a folder a static web server publishes ({dir, url}), where Handover writes the discovery documents`,
      ],
    });
  });
});

describe("http (0.6) -> settings (0.7): one DiscoverySettings per backend", () => {
  it("prepare writes 0.7's shape: no discovery.backends, events flattened, settings_dir", async () => {
    const tree = await fixture("core-0.6");
    const plan = planOk(tree, request("replicore-blue", "replicore-green", "0.7.2"));
    const after = treeAfter(tree, plan, "prepare");
    const config = after.get("k8s/replicore-green/replicante.yaml") ?? "";
    expect(config).toContain(`discovery:
  interval: 30

events:
  backend: kafka
  options:
    brokers: 'REPLACE-ME:9092'

storage:
`);
    expect(after.get(CONFIG)).toContain(`  replicore-green:
    config: k8s/replicore-green/replicante.yaml
    settings_dir: k8s/replicore-green/apply
    version: 0.7.2
`);
  });

  it("adopt writes the entry's own http fields under spec, with the source's interval", async () => {
    const tree = await fixture("core-0.6");
    const plan = planOk(tree, request("replicore-blue", "replicore-green", "0.7.2"));
    const adopt = plan.steps.find((s) => s.id.startsWith("adopt-https"));
    expect(adopt?.changes.map((c) => [c.action, c.path, c.content])).toStrictEqual([
      [
        "create",
        "k8s/replicore-green/apply/https---cmdb-corp-api-replicante-env-pro.yaml",
        `apiVersion: replicante.io/v0
kind: DiscoverySettings
metadata:
  namespace: default
  name: https---cmdb-corp-api-replicante-env-pro
spec:
  backend: http
  enabled: true
  interval: 30
  url: 'https://cmdb.corp/api/Replicante?Env=Prod'
  method: POST
  body: {team: storage}
  timeout: 30000
`,
      ],
    ]);
    const second = plan.steps.find((s) => s.id === "adopt-http---inventory-corp-9876-discover-2");
    expect(second?.changes[0]?.content).toBe(`apiVersion: replicante.io/v0
kind: DiscoverySettings
metadata:
  namespace: default
  name: http---inventory-corp-9876-discover-2
spec:
  backend: http
  enabled: true
  interval: 30
  url: 'http://inventory.corp:9876/discover'
  method: GET
  headers:
    X-Team: data
  tls: {"ca_cert":"/tls/ca.crt","client_cert":null}
`);
    expect(checkTree(treeAfter(tree, plan, "decommission")).map((v) => v.rule)).toStrictEqual(
      Array(5).fill("unfinished-scaffold"),
    );
  });

  it("an object the target holds with the same values, however commented, is left as it is; a different one is refused", async () => {
    const tree = await fixture("core-0.6");
    const plan = planOk(tree, request("replicore-blue", "replicore-green", "0.7.2"));
    const adopt = plan.steps.find((s) => s.id.startsWith("adopt-https"));
    const [path, content] = [adopt?.changes[0]?.path ?? "", adopt?.changes[0]?.content ?? ""];
    const commented = `# written by Handover, reviewed by dana\n${content.replace("interval: 30\n", "interval: 30 # the source's\n")}`;
    const release = plan.steps[plan.steps.indexOf(adopt as PlannedStep) - 1];
    const base = new Map(treeAfter(tree, plan, release?.id ?? "")).set(path, commented);
    const after = applyStep(base, plan.context, adopt as PlannedStep).tree;
    expect(after.get(path)).toBe(commented);
    expect([...after].filter(([file, text]) => base.get(file) !== text)).toStrictEqual([]);
    const other = new Map(base).set(path, content.replace("method: POST", "method: GET"));
    expect(() => applyStep(other, plan.context, adopt as PlannedStep)).toThrow(
      expect.objectContaining({
        problems: [
          `${path}: a different file is already where https://cmdb.corp/api/Replicante?Env=Prod's DiscoverySettings would be written; ` +
            "Handover never overwrites it: move it away and plan again",
        ],
      }),
    );
  });
});

describe("files (0.3) -> settings (0.7)", () => {
  it("adopt writes the group's document and a DiscoverySettings naming <url>/<group>.json", async () => {
    const tree = await fixture("core-0.3");
    const plan = planOk(tree, request("replicore-a", "replicore-b", "0.7.2", "all: *"));
    const step = stepNamed(plan, "adopt-all");
    expect(step.changes.map((c) => [c.action, c.path])).toStrictEqual([
      ["create", "clusters/replicore-b/apply/all.yaml"],
      ["create", "discovery/replicore-b/all.json"],
    ]);
    expect(step.changes[0]?.content).toBe(`apiVersion: replicante.io/v0
kind: DiscoverySettings
metadata:
  namespace: default
  name: all
spec:
  backend: http
  enabled: true
  interval: 60
  method: GET
  url: 'https://REPLACE-ME/replicore-b/all.json'
`);
    expect(
      (JSON.parse(step.changes[1]?.content ?? "") as { clusters: { cluster_id: string }[] }).clusters.map(
        (c) => c.cluster_id,
      ),
    ).toStrictEqual(["kafka-play-QW1", "play-mongodb-rs", "play-mongodb-sharded", "play-zookeeper"]);
    const config = treeAfter(tree, plan, "prepare").get("clusters/replicore-b/replicante.yaml") ?? "";
    expect(config).toContain("\ndiscovery: {}\n\n\nevents:\n  backend: kafka\n");
  });
});
