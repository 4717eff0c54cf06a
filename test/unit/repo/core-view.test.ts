// What a Core container deployed by Kustomize reads (rule `unmounted-file`), on the kustomize fixture changed one way at
// a time. test/gitops/core-view.test.ts holds the reading to the real kustomize on random mounts and generators.
import { beforeAll, describe, expect, it } from "vitest";
import { checkTree } from "../../../src/invariant/index.js";
import { CoreViews, isCoreImage } from "../../../src/repo/core-view.js";
import type { Violation } from "../../../src/spec/violation.js";
import { edit, fixture, planOk, request, walk } from "../plan/helpers.js";
import { planMigration } from "../../../src/plan/index.js";

const DIR = "clusters/replicore-a";
const K = `${DIR}/kustomization.yaml`;
const STS = `${DIR}/statefulset.yaml`;
const CONFIG = `${DIR}/config/replicante.yaml`;

let start: Map<string, string>;
beforeAll(async () => {
  start = await fixture("kustomize");
});

/** The fixture with `file` edited. */
function changed(...edits: [string, [string, string][]][]): Map<string, string> {
  const tree = new Map(start);
  for (const [file, replacements] of edits) tree.set(file, edit(tree.get(file) ?? "", replacements));
  return tree;
}

const unmounted = (tree: Map<string, string>): Violation[] =>
  checkTree(tree).filter((v) => v.rule === "unmounted-file");

describe("what a Core container reads", () => {
  it("the fixture's pods read every file Handover takes for theirs: nothing to report", () => {
    expect(unmounted(start)).toStrictEqual([]);
    const [core] = new CoreViews(start).containers(DIR) ?? [];
    expect(core?.workload).toBe("StatefulSet replicore-a");
    expect(core?.read("/etc/replicante/conf.d/kafka.yaml")).toStrictEqual({
      kind: "file",
      file: `${DIR}/config/conf.d/kafka.yaml`,
      from: "ConfigMap replicore-a-discovery",
      at: `${K} configMapGenerator[1]`,
    });
  });

  it("a discovery file its generator does not hold: named, with the entry that would add it", () => {
    const tree = changed([K, [["      - config/conf.d/kafka.yaml\n", ""]]]);
    expect(unmounted(tree)).toStrictEqual([
      {
        rule: "unmounted-file",
        message: `${STS}: StatefulSet replicore-a, container replicante: Core replicore-a lists discovery file conf.d/kafka.yaml (${CONFIG}), which the container reads at /etc/replicante/conf.d/kafka.yaml, and ConfigMap replicore-a-discovery has no key kafka.yaml: Handover counts the datastores ${DIR}/config/conf.d/kafka.yaml lists as replicore-a's, and this Core would not manage them; add config/conf.d/kafka.yaml to the files of ConfigMap replicore-a-discovery (${K} configMapGenerator[1])`,
        clusters: ["replicore-a"],
        subject: "conf.d/kafka.yaml",
        files: [STS, K, `${DIR}/config/conf.d/kafka.yaml`],
      },
    ]);
  });

  it("a suggestion writes the key the container looks for when it is not the file's name", () => {
    const renamed = changed([
      K,
      [["      - mongo.yaml=config/conf.d/mongo.yaml", "      - orders.yaml=config/conf.d/mongo.yaml"]],
    ]);
    expect(unmounted(renamed).map((v) => v.message.split("; ").pop())).toStrictEqual([
      `add config/conf.d/mongo.yaml to the files of ConfigMap replicore-a-discovery (${K} configMapGenerator[1])`,
    ]);
    const subPath = changed([
      STS,
      [
        [
          "              mountPath: /etc/replicante/conf.d\n",
          "              mountPath: /etc/replicante/conf.d\n            - name: discovery\n              mountPath: /etc/replicante/conf.d/mongo.yaml\n              subPath: m\n",
        ],
      ],
    ]);
    expect(unmounted(subPath).map((v) => v.message.split("; ").pop())).toStrictEqual([
      `add m=config/conf.d/mongo.yaml to the files of ConfigMap replicore-a-discovery (${K} configMapGenerator[1])`,
    ]);
    const unlisted = changed([
      STS,
      [
        [
          "            name: replicore-a-discovery",
          "            name: replicore-a-discovery\n            items: [{ key: kafka.yaml, path: kafka.yaml }]",
        ],
      ],
    ]);
    expect(unmounted(unlisted).map((v) => v.message.split(", and ")[1]?.split(":")[0])).toStrictEqual([
      "the items of ConfigMap replicore-a-discovery's volume put no key at mongo.yaml",
    ]);
  });

  it("items naming a key the ConfigMap lacks: the pod does not start, and that alone is told", () => {
    const items = (optional: string) =>
      changed([
        STS,
        [
          [
            "            name: replicore-a-discovery",
            `            name: replicore-a-discovery\n${optional}            items: [{ key: m, path: mongo.yaml }, { key: kafka.yaml, path: kafka.yaml }]`,
          ],
        ],
      ]);
    expect(unmounted(items(""))).toStrictEqual([
      {
        rule: "unmounted-file",
        message: `${STS}: StatefulSet replicore-a, container replicante: the items of volume discovery name key m, which ConfigMap replicore-a-discovery (${K} configMapGenerator[1]) does not hold: the kubelet does not set the volume up, and the pod does not start; add the key to the generator, or drop the item`,
        clusters: ["replicore-a"],
        subject: "m",
        files: [STS, K],
      },
    ]);
    // An optional volume is set up without it: then mongo.yaml is what is missing.
    expect(unmounted(items("            optional: true\n")).map((v) => v.subject)).toStrictEqual(["conf.d/mongo.yaml"]);
  });

  it("a discovery file filled from another repo file: both files named", () => {
    const tree = changed([
      K,
      [["      - mongo.yaml=config/conf.d/mongo.yaml", "      - mongo.yaml=config/conf.d/kafka.yaml"]],
    ]);
    expect(unmounted(tree).map((v) => [v.subject, v.message])).toStrictEqual([
      [
        "conf.d/mongo.yaml",
        `${STS}: StatefulSet replicore-a, container replicante: Core replicore-a lists discovery file conf.d/mongo.yaml (${CONFIG}), which the container reads at /etc/replicante/conf.d/mongo.yaml, from ${DIR}/config/conf.d/kafka.yaml (ConfigMap replicore-a-discovery, ${K} configMapGenerator[1]), not from ${DIR}/config/conf.d/mongo.yaml: Handover counts the datastores ${DIR}/config/conf.d/mongo.yaml lists as replicore-a's, and this Core would not manage them`,
      ],
    ]);
  });

  it("a config no volume mounts: the config is named, and the discovery files it lists are not looked at", () => {
    const tree = changed([
      STS,
      [
        [
          '          args: ["--config", "/etc/replicante/replicante.yaml"]',
          '          args: ["--config", "/etc/replicante/core.yaml"]',
        ],
      ],
    ]);
    expect(unmounted(tree).map((v) => [v.subject, v.message, v.files])).toStrictEqual([
      [
        "/etc/replicante/core.yaml",
        `${STS}: StatefulSet replicore-a, container replicante: reads its Core config at /etc/replicante/core.yaml, and no volume is mounted there; .github/handover.yml names ${CONFIG} as replicore-a's config (clusters.replicore-a.config), so Handover would check and change a config this Core does not read; mount ${CONFIG} at /etc/replicante/core.yaml`,
        [STS, K, CONFIG],
      ],
    ]);
  });

  it("a config from a literal of its generator, and a subPath below which nothing lies", () => {
    const literal = changed([
      K,
      [
        [
          "      - replicante.yaml=config/replicante.yaml",
          '      - config/tls.crt\n    literals: ["replicante.yaml={}"]',
        ],
      ],
    ]);
    expect(unmounted(literal).map((v) => v.message.split(", ")[2])).toStrictEqual([
      `from a literal of ConfigMap replicore-a-config (${K} configMapGenerator[0])`,
    ]);
    const below = changed([STS, [["mountPath: /etc/replicante/replicante.yaml", "mountPath: /etc/replicante"]]]);
    expect(unmounted(below).map((v) => v.message.split(", and ")[1]?.split(";")[0])).toStrictEqual([
      "/etc/replicante is the single key replicante.yaml of ConfigMap replicore-a-config",
    ]);
  });

  it("a pre-existing mismatch refuses the migration before its first step, naming it", () => {
    const tree = changed([K, [["      - config/conf.d/kafka.yaml\n", ""]]]);
    const found = planMigration(tree, request("replicore-a", "replicore-b", "0.3.1", "canary: mongo\nrest: *"), 42);
    expect(found).toStrictEqual({ ok: false, kind: "invariant", step: null, violations: unmounted(tree) });
    expect(unmounted(tree)).toHaveLength(1);
  });

  it("refuses a prepare whose copied items name the discovery keys the scaffold's empty generator no longer holds", () => {
    const tree = changed([
      STS,
      [
        [
          "            name: replicore-a-discovery",
          "            name: replicore-a-discovery\n            items: [{ key: mongo.yaml, path: mongo.yaml }, { key: kafka.yaml, path: kafka.yaml }]",
        ],
      ],
    ]);
    expect(unmounted(tree)).toStrictEqual([]);
    const found = planMigration(tree, request("replicore-a", "replicore-b", "0.3.1", "canary: mongo\nrest: *"), 42);
    expect(found.ok).toBe(false);
    expect(
      found.ok ? [] : "step" in found ? [found.step, found.violations.map((v) => [v.clusters, v.subject])] : [],
    ).toStrictEqual([
      "prepare",
      [
        [["replicore-b"], "kafka.yaml"],
        [["replicore-b"], "mongo.yaml"],
      ],
    ]);
  });

  it("every step of the fixture's migration keeps each Core reading its own files", () => {
    const plan = planOk(start, request("replicore-a", "replicore-b", "0.3.1", "canary: mongo\nrest: *"));
    const trees = walk(start, plan);
    expect(trees).toHaveLength(plan.steps.length + 1);
    for (const tree of trees) expect(unmounted(tree)).toStrictEqual([]);
    // Both Cores are followed on every tree where both run: the target's from prepare on, until decommission.
    const followed = trees.map(
      (tree) =>
        ["clusters/replicore-a", "clusters/replicore-b"].filter(
          (d) => (new CoreViews(tree).containers(d) ?? []).length > 0,
        ).length,
    );
    expect(followed).toStrictEqual([1, ...plan.steps.slice(0, -1).map(() => 2), 1]);
  });
});

describe("what the reading leaves alone, rather than guess", () => {
  /** The fixture with kafka.yaml dropped from its discovery generator: reported, when the pod is followed. */
  const DROP: [string, [string, string][]] = [K, [["      - config/conf.d/kafka.yaml\n", ""]]];
  const cases: [string, [string, [string, string][]]][] = [
    [
      "a patch that may change mounts",
      [`${DIR}/patches/resources.yaml`, [["          resources:", "          volumeMounts: []\n          resources:"]]],
    ],
    [
      "a JSON patch of the container's args",
      [
        K,
        [
          [
            "patches:\n",
            'patches:\n  - target: { kind: StatefulSet }\n    patch: \'[{"op": "replace", "path": "/spec/template/spec/containers/0/args", "value": []}]\'\n',
          ],
        ],
      ],
    ],
    [
      "a patch of a ConfigMap's data (kustomize's springboot example does this)",
      [
        K,
        [
          [
            "patches:\n",
            "patches:\n  - patch: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: { name: replicore-a-discovery }\n      data: { kafka.yaml: '[]' }\n",
          ],
        ],
      ],
    ],
    ["a Helm chart in the build", [K, [["patches:\n", "helmCharts:\n  - name: extra\npatches:\n"]]]],
    [
      "a volume of another kind",
      [STS, [["          configMap:\n            name: replicore-a-discovery", "          emptyDir: {}"]]],
    ],
    ["a ConfigMap not made by the build", [STS, [["name: replicore-a-discovery", "name: made-elsewhere"]]]],
    [
      "a shell command line",
      [
        STS,
        [
          [
            'args: ["--config", "/etc/replicante/replicante.yaml"]',
            'command: ["sh", "-c", "exec replicante --config $CONFIG"]',
          ],
        ],
      ],
    ],
    [
      "a patch of the kustomization that includes the cluster's folder",
      [
        "clusters/kustomization.yaml",
        [
          [
            "  - ./replicore-a   # Core 0.3 fleet\n",
            "  - ./replicore-a   # Core 0.3 fleet\npatches:\n  - path: mounts.yaml\n",
          ],
        ],
      ],
    ],
    ["a Flux substitution in a mount path", [STS, [["mountPath: /etc/replicante/conf.d", "mountPath: ${CONF_D}"]]]],
    [
      "a generator with an env file",
      [K, [["  - name: replicore-a-discovery\n", "  - name: replicore-a-discovery\n    envs: [extra.env]\n"]]],
    ],
  ];
  it.each(cases)("%s", (_, change) => {
    expect(unmounted(changed(DROP)).map((v) => v.subject)).toStrictEqual(["conf.d/kafka.yaml"]);
    expect(unmounted(changed(DROP, change))).toStrictEqual([]);
  });

  it("a deployer named after the cluster whose own patches may change mounts; one whose patches do not is followed", () => {
    const deployer = (patch: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: replicore-a }\nspec:\n  path: ./clusters/replicore-a\n  sourceRef: { kind: GitRepository, name: flux-system }\n  patches:\n    - target: { kind: StatefulSet }\n      patch: |\n        ${patch}\n`;
    const mounts = changed(DROP);
    mounts.set("flux-system/replicore-a.yaml", deployer('[{"op": "add", "path": "/spec/template/spec/volumes/-"}]'));
    expect(unmounted(mounts)).toStrictEqual([]);
    const labels = changed(DROP);
    labels.set(
      "flux-system/replicore-a.yaml",
      deployer('[{"op": "add", "path": "/metadata/labels/team", "value": "a"}]'),
    );
    expect(unmounted(labels).map((v) => v.subject)).toStrictEqual(["conf.d/kafka.yaml"]);
  });

  it("a base completed by its overlay is read through the overlay only", () => {
    const tree = new Map(start);
    tree.set(K, edit(tree.get(K) ?? "", [["      - config/conf.d/kafka.yaml\n", ""]]));
    tree.set(
      `${DIR}/prod/kustomization.yaml`,
      "resources: [..]\nconfigMapGenerator:\n  - name: replicore-a-discovery\n    behavior: merge\n    files: [../config/conf.d/kafka.yaml]\n",
    );
    expect(unmounted(tree)).toStrictEqual([]);
    expect(new CoreViews(tree).containers(DIR)?.map((c) => c.kustomization)).toStrictEqual([
      `${DIR}/prod/kustomization.yaml`,
    ]);
  });

  it("tells Replicante Core's image from its UI's and from other images", () => {
    expect(
      [
        "replicanteio/replicante:v0.3.1",
        "replicanteio/replicante",
        "registry.example.com:5000/mirror/replicante@sha256:abc",
        "replicanteio/webui:v0.3",
        "replicanteio/replicante-agent-mongodb:v0.3",
      ].map(isCoreImage),
    ).toStrictEqual([true, true, true, false, false]);
  });
});
