// Kustomize packaging through a whole migration (DESIGN section 3b): a Flux-applied repo whose cluster folder holds a
// kustomization with generators (both `name=path` and `path` forms), a secret generator and a patch, and a parent
// kustomization that lists the cluster folder.
import { beforeAll, describe, expect, it } from "vitest";
import { checkTree } from "../../../src/invariant/index.js";
import { planMigration, type Plan } from "../../../src/plan/index.js";
import { renderPrBody } from "../../../src/render/pr.js";
import {
  danglingRefs,
  findingDanglingRefs,
  kustomizationRefs,
  readingKustomizationRefs,
} from "../../../src/repo/index.js";
import { actions, edit, fixture, pieces, planOk, refusedAt, request, stepNamed, treeAfter } from "./helpers.js";

const PARENT = "clusters/kustomization.yaml";
const SOURCE_K = "clusters/replicore-a/kustomization.yaml";
const TARGET_K = "clusters/replicore-b/kustomization.yaml";

describe("Kustomize packaging (kustomize fixture: generators, patches, parent kustomization)", () => {
  let tree: Map<string, string>;
  let plan: Plan;
  beforeAll(async () => {
    tree = await fixture("kustomize");
    plan = planOk(tree, request("replicore-a", "replicore-b", "0.3.1", "canary: mongo\nrest: *"));
  });

  it("prepare copies every file of the folder but discovery, lists none of the discovery files, and joins the parent", () => {
    const step = stepNamed(plan, "prepare");
    expect(actions(step)).toStrictEqual([
      ["update", ".github/handover.yml"],
      ["update", PARENT],
      ["create", "clusters/replicore-b/config/replicante.yaml"],
      ["create", "clusters/replicore-b/config/tls.crt"],
      ["create", TARGET_K],
      ["create", "clusters/replicore-b/patches/resources.yaml"],
      ["create", "clusters/replicore-b/service.yaml"],
      ["create", "clusters/replicore-b/statefulset.yaml"],
    ]);
    const next = treeAfter(tree, plan, "prepare");
    expect(next.get(PARENT)).toBe(`${tree.get(PARENT)}  - ./replicore-b\n`);
    expect(next.get(TARGET_K)).toBe(
      edit(tree.get(SOURCE_K)?.replaceAll("replicore-a", "replicore-b") ?? "", [
        [
          "    files:\n      - mongo.yaml=config/conf.d/mongo.yaml   # orders replica set\n      - config/conf.d/kafka.yaml\n",
          "    files: []\n",
        ],
      ]),
    );
    expect(next.get("clusters/replicore-b/config/tls.crt")).toBe(tree.get("clusters/replicore-a/config/tls.crt"));
    expect(step.unplaced).toBeUndefined();
  });

  it("adopt adds each copied discovery file to the generator that packages the source's copy, in the same form", () => {
    const canary = treeAfter(tree, plan, "adopt-canary");
    expect(actions(stepNamed(plan, "adopt-canary"))).toStrictEqual([
      ["create", "clusters/replicore-b/config/conf.d/mongo.yaml"],
      ["update", "clusters/replicore-b/config/replicante.yaml"],
      ["update", TARGET_K],
      ["update", "clusters/replicore-b/statefulset.yaml"],
    ]);
    const prepared = treeAfter(tree, plan, "prepare");
    expect(canary.get(TARGET_K)).toBe(
      edit(prepared.get(TARGET_K) ?? "", [
        ["    files: []\n", "    files:\n      - mongo.yaml=config/conf.d/mongo.yaml\n"],
      ]),
    );
    const rest = treeAfter(tree, plan, "adopt-rest");
    expect(rest.get(TARGET_K)).toBe(
      edit(canary.get(TARGET_K) ?? "", [
        [
          "      - mongo.yaml=config/conf.d/mongo.yaml\n",
          "      - mongo.yaml=config/conf.d/mongo.yaml\n      - config/conf.d/kafka.yaml\n",
        ],
      ]),
    );
  });

  it("an adopt of every backend at once registers each copy in the source's order and form, in one list", () => {
    const all = planOk(tree, request("replicore-a", "replicore-b", "0.3.1", "all: *"));
    const prepared = treeAfter(tree, all, "prepare");
    expect(treeAfter(tree, all, "adopt-all").get(TARGET_K)).toBe(
      edit(prepared.get(TARGET_K) ?? "", [
        [
          "    files: []\n",
          "    files:\n      - mongo.yaml=config/conf.d/mongo.yaml\n      - config/conf.d/kafka.yaml\n",
        ],
      ]),
    );
  });

  it("release leaves the source's generators alone (its discovery files stay until decommission)", () => {
    for (const id of ["release-canary", "release-rest"]) {
      expect(actions(stepNamed(plan, id)).map(([, path]) => path)).not.toContain(SOURCE_K);
    }
  });

  it("decommission removes the source folder from the parent and leaves no dangling entry", () => {
    const before = treeAfter(tree, plan, "adopt-rest");
    const after = treeAfter(tree, plan, "decommission");
    expect(after.get(PARENT)).toBe(edit(before.get(PARENT) ?? "", [["  - ./replicore-a   # Core 0.3 fleet\n", ""]]));
    expect([...after.keys()].filter((p) => p.startsWith("clusters/replicore-a/"))).toStrictEqual([]);
    expect(checkTree(after).filter((v) => v.rule !== "unfinished-scaffold")).toStrictEqual([]);
  });

  it("the tree after every step builds: no kustomization names a missing file", () => {
    for (const step of plan.steps) {
      const violations = checkTree(treeAfter(tree, plan, step.id)).filter((v) => v.rule === "dangling-reference");
      expect(violations, step.id).toStrictEqual([]);
    }
  });

  it("a file of the source's own dirs whose path does not name it is listed on the plan and the prepare PR", async () => {
    const shared = new Map(tree);
    shared.set(
      ".github/handover.yml",
      (tree.get(".github/handover.yml") ?? "").replace(
        "    discovery: files\n",
        "    discovery: files\n    mounts: { /etc/replicante/tls: tls/fleet }\n",
      ),
    );
    shared.set("tls/fleet/ca.crt", "a shared CA\n");
    const result = planMigration(shared, request("replicore-a", "replicore-b", "0.3.1"), 7);
    if (!result.ok) throw new Error(JSON.stringify(result));
    const prepare = stepNamed(result.plan, "prepare");
    expect(prepare.unplaced).toStrictEqual(["tls/fleet/ca.crt"]);
    expect(result.plan.warnings).toContain(
      'prepare could not place 1 file(s) of replicore-a for replicore-b (their paths do not contain "replicore-a"): tls/fleet/ca.crt; copy what replicore-b needs by hand on the prepare PR',
    );
    const body = renderPrBody({
      issue: 7,
      step: prepare,
      index: 0,
      total: 6,
      previousPr: null,
      changes: prepare.changes,
      version: "0.3.1",
    });
    expect(body).toContain(
      "### Not copied\nThese files of the old cluster's folder do not contain its name, so Handover could not tell where the new cluster's copies belong; copy what it needs by hand on this branch:\n- `tls/fleet/ca.crt`\n",
    );
  });
});

describe("rule duplicate-resource", () => {
  it("refuses a prepare whose copy would define the source's ConfigMap and Secret again in the parent's build", async () => {
    const tree = await fixture("kustomize");
    tree.set(
      SOURCE_K,
      edit(tree.get(SOURCE_K) ?? "", [
        ["name: replicore-a-config", "name: replicante-config"],
        ["name: replicore-a-tls", "name: replicante-tls"],
      ]),
    );
    const sts = "clusters/replicore-a/statefulset.yaml";
    tree.set(sts, edit(tree.get(sts) ?? "", [["name: replicore-a-config", "name: replicante-config"]]));
    // The source alone builds: its names clash with nothing yet.
    expect(checkTree(tree)).toStrictEqual([]);
    const result = planMigration(tree, request("replicore-a", "replicore-b", "0.3.1", "canary: mongo\nrest: *"), 42);
    const tail =
      "(kustomize build fails); give each cluster's copy a name of its own (prepare renames a name that contains the source cluster's name)";
    expect(result).toStrictEqual(
      refusedAt("prepare", [
        {
          rule: "duplicate-resource",
          message: `${PARENT}: builds ConfigMap "replicante-config" in namespace replicante twice, from ${SOURCE_K} (configMapGenerator[0]) and ${TARGET_K} (configMapGenerator[0]) ${tail}`,
          clusters: ["replicore-a", "replicore-b"],
          subject: "ConfigMap/replicante/replicante-config",
          files: [PARENT, SOURCE_K, TARGET_K],
        },
        {
          rule: "duplicate-resource",
          message: `${PARENT}: builds Secret "replicante-tls" in namespace replicante twice, from ${SOURCE_K} (secretGenerator[0]) and ${TARGET_K} (secretGenerator[0]) ${tail}`,
          clusters: ["replicore-a", "replicore-b"],
          subject: "Secret/replicante/replicante-tls",
          files: [PARENT, SOURCE_K, TARGET_K],
        },
      ]),
    );
  });

  it("names a clash a kustomization's namespace makes, and the clusters whose folders hold the resources", () => {
    const config = "version: 1\nclusters:\n  alpha:\n    config: clusters/alpha/replicante.yaml\n    health: none\n";
    const violations = checkTree(
      new Map([
        [".github/handover.yml", config],
        ["clusters/alpha/replicante.yaml", "discovery:\n  backends:\n    files: []\n"],
        ["clusters/alpha/kustomization.yaml", "namespace: fleet\nresources: [a.yaml, b.yaml]\n"],
        ["clusters/alpha/a.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: core\n  namespace: one\n"],
        ["clusters/alpha/b.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: core\n  namespace: two\n"],
      ]),
    );
    expect(violations).toStrictEqual([
      {
        rule: "duplicate-resource",
        message:
          'clusters/alpha/kustomization.yaml: builds Service "core" in namespace fleet twice, from clusters/alpha/a.yaml (document 0) and clusters/alpha/b.yaml (document 0) once its namespace: fleet puts them in one namespace (kustomize build fails); give one of them a name of its own',
        clusters: ["alpha"],
        subject: "Service/fleet/core",
        files: ["clusters/alpha/kustomization.yaml", "clusters/alpha/a.yaml", "clusters/alpha/b.yaml"],
      },
    ]);
  });
});

describe("rule dangling-reference", () => {
  const config = "version: 1\nclusters:\n  alpha:\n    config: clusters/alpha/replicante.yaml\n";
  const core = "discovery:\n  backends:\n    files: []\n";

  it("names every kustomization entry whose file (or folder with a kustomization) is missing", () => {
    const violations = checkTree(
      new Map([
        [".github/handover.yml", config],
        ["clusters/alpha/replicante.yaml", core],
        [
          "clusters/alpha/kustomization.yaml",
          [
            "resources:",
            "  - deploy.yaml",
            "  - ../base",
            "  - github.com/acme/platform//base?ref=v1",
            "configMapGenerator:",
            "  - name: alpha",
            "    files:",
            "      - replicante.yaml",
            "      - mongo.yaml=conf.d/mongo.yaml",
            "patches:",
            "  - path: patch.yaml",
            "",
          ].join("\n"),
        ],
        ["clusters/base/deploy.yaml", "kind: Deployment\n"],
      ]),
    );
    expect(violations.map(({ rule, clusters, subject, files }) => ({ rule, clusters, subject, files }))).toStrictEqual([
      {
        rule: "dangling-reference",
        clusters: ["alpha"],
        subject: "clusters/alpha/conf.d/mongo.yaml",
        files: ["clusters/alpha/kustomization.yaml"],
      },
      {
        rule: "dangling-reference",
        clusters: ["alpha"],
        subject: "clusters/alpha/deploy.yaml",
        files: ["clusters/alpha/kustomization.yaml"],
      },
      {
        rule: "dangling-reference",
        clusters: ["alpha"],
        subject: "clusters/alpha/patch.yaml",
        files: ["clusters/alpha/kustomization.yaml"],
      },
      {
        rule: "dangling-reference",
        clusters: ["alpha"],
        subject: "clusters/base",
        files: ["clusters/alpha/kustomization.yaml"],
      },
    ]);
    expect(violations[0]?.message).toBe(
      'clusters/alpha/kustomization.yaml: configMapGenerator[0].files[1]: "mongo.yaml=conf.d/mongo.yaml" names clusters/alpha/conf.d/mongo.yaml, and no such file exists (kustomize build fails)',
    );
    expect(violations[3]?.message).toBe(
      'clusters/alpha/kustomization.yaml: resources[1]: "../base" names clusters/base, and no such file or folder with a kustomization exists (kustomize build fails)',
    );
  });

  it("passes when every entry resolves: files, a folder with a Kustomization file, a remote base", () => {
    expect(
      checkTree(
        new Map([
          [".github/handover.yml", config],
          ["clusters/alpha/replicante.yaml", core],
          [
            "clusters/alpha/kustomization.yml",
            "resources: [../base, https://example.com/x.yaml]\nconfigMapGenerator:\n  - name: a\n    files: [replicante.yaml]\n",
          ],
          ["clusters/base/Kustomization", "resources: []\n"],
        ]),
      ),
    ).toStrictEqual([]);
  });
});

describe("readingKustomizationRefs", () => {
  const files = Array.from({ length: 250 }, (_, i) => `      - ${i % 2 ? `d${i}.yaml=` : ""}conf.d/d${i}.yaml`);
  const text = [
    "resources:",
    "  - statefulset.yaml",
    "  - https://github.com/acme/base//x?ref=v1",
    "configMapGenerator:",
    "  - name: replicore-a-config",
    "    files:",
    "      - replicante.yaml",
    ...files,
    "",
  ].join("\n");

  it("gives what kustomizationRefs gives, letting the event loop through every 100 generator entries", () => {
    const { value, yields } = pieces(readingKustomizationRefs("clusters/replicore-a/kustomization.yaml", text));
    const refs = kustomizationRefs("clusters/replicore-a/kustomization.yaml", text);
    expect(value).toEqual(refs);
    expect(refs).toHaveLength(252);
    expect(refs[2]).toMatchObject({ field: "files", list: ["configMapGenerator", 0, "files"], index: 1, key: "" });
    expect(refs[3]).toMatchObject({ key: "d1.yaml", target: "clusters/replicore-a/conf.d/d1.yaml" });
    // 251 generator entries (the text, under 8,000 characters, parsed at once): after the 100th and the 200th.
    expect(yields).toBe(2);
  });

  it("lets findingDanglingRefs go over the entries in pieces too, finding the ones that name no file", () => {
    const tree = new Map([
      ["clusters/replicore-a/kustomization.yaml", text],
      ["clusters/replicore-a/statefulset.yaml", "kind: StatefulSet\n"],
      ["clusters/replicore-a/replicante.yaml", "discovery: {}\n"],
      ...Array.from({ length: 250 }, (_, i): [string, string] => [`clusters/replicore-a/conf.d/d${i}.yaml`, "[]\n"]),
    ]);
    tree.delete("clusters/replicore-a/conf.d/d7.yaml");
    const { value, yields } = pieces(findingDanglingRefs(tree));
    expect(value.map((r) => [r.index, r.target])).toEqual([[8, "clusters/replicore-a/conf.d/d7.yaml"]]);
    expect(value).toEqual(danglingRefs(tree));
    // The reading's two yields, and one after each 100 of the 252 references checked.
    expect(yields).toBe(4);
  });
});
