// Flux Kustomizations and Argo CD Applications that would apply one object (rule `duplicate-resource`).
import { describe, expect, it } from "vitest";
import { planMigration } from "../../../src/plan/index.js";
import { findingDeployerClashes } from "../../../src/repo/index.js";
import { finish } from "../../../src/spec/work.js";
import { edit, fixture, refusedAt, request } from "../plan/helpers.js";

const object = (kind: string, name: string, namespace?: string): string =>
  `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ""}`;

const flux = (name: string, path: string, extra = ""): string =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ./${path}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n${extra}`;

const argo = (name: string, path: string, destination: string): string =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\nspec:\n  source:\n    repoURL: https://github.com/acme/config.git\n    path: ${path}\n  destination:\n${destination}`;

/** Two apps, each a kustomization listing `objects.yaml`, plus the deployer files given. */
function repo(a: string, b: string, deployers: Record<string, string>): Map<string, string> {
  return new Map([
    ["apps/a/kustomization.yaml", "resources: [objects.yaml]\n"],
    ["apps/a/objects.yaml", a],
    ["apps/b/kustomization.yaml", "resources: [objects.yaml]\n"],
    ["apps/b/objects.yaml", b],
    ...Object.entries(deployers),
  ]);
}

/** [second deployer, first deployer, shared objects] of each clash. */
const clashes = (tree: Map<string, string>): [string, string, string[]][] =>
  finish(findingDeployerClashes(tree, ["a", "b", "c", "d"])).map((c) => [
    c.second.name,
    c.first.name,
    c.shared.map((r) => `${r.kind} ${r.namespace}/${r.name}`),
  ]);

describe("deployers that would apply one object", () => {
  it("two Flux Kustomizations of one Flux instance: the objects both apply, namespace or not", () => {
    const objects = `${object("ConfigMap", "cfg")}---\n${object("Service", "core", "default")}---\n${object("Namespace", "fleet")}`;
    expect(
      clashes(
        repo(objects, objects, {
          "clusters/prod/a.yaml": flux("a", "apps/a"),
          "clusters/prod/b.yaml": flux("b", "apps/b"),
        }),
      ),
    ).toStrictEqual([["b", "a", ["ConfigMap default/cfg", "Service default/core", "Namespace /fleet"]]]);
  });

  it("Flux targetNamespace moves every namespaced object; a Namespace object stays shared", () => {
    const objects = `${object("ConfigMap", "cfg", "x")}---\n${object("Namespace", "fleet")}`;
    const deployers = {
      "clusters/prod/a.yaml": flux("a", "apps/a", "  targetNamespace: a\n"),
      "clusters/prod/b.yaml": flux("b", "apps/b", "  targetNamespace: b\n"),
    };
    expect(clashes(repo(objects, objects, deployers))).toStrictEqual([["b", "a", ["Namespace /fleet"]]]);
  });

  it("Flux spec.namePrefix and Argo CD kustomize.namePrefix/namespace keep copies apart (not a Namespace object)", () => {
    const objects = `${object("ConfigMap", "cfg", "x")}---\n${object("Namespace", "fleet")}`;
    const server = "    server: https://kubernetes.default.svc\n";
    const deployers = {
      "clusters/prod/a.yaml": flux("a", "apps/a", "  namePrefix: a-\n"),
      "clusters/prod/b.yaml": flux("b", "apps/b", "  namePrefix: b-\n"),
      "argocd/c.yaml": argo("c", "apps/a", server).replace(
        "    path: apps/a\n",
        "    path: apps/a\n    kustomize:\n      namespace: c\n",
      ),
      "argocd/d.yaml": argo("d", "apps/b", server).replace(
        "    path: apps/b\n",
        "    path: apps/b\n    kustomize:\n      nameSuffix: -d\n",
      ),
    };
    expect(clashes(repo(objects, objects, deployers))).toStrictEqual([
      ["d", "c", ["Namespace /fleet"]],
      ["b", "a", ["Namespace /fleet"]],
    ]);
  });

  it("Argo CD destination.namespace places only the objects that name none", () => {
    const objects = `${object("ConfigMap", "cfg")}---\n${object("Secret", "shared", "infra")}`;
    const deployers = {
      "argocd/a.yaml": argo("a", "apps/a", "    server: https://kubernetes.default.svc\n    namespace: a\n"),
      "argocd/b.yaml": argo("b", "apps/b", "    server: https://kubernetes.default.svc\n    namespace: b\n"),
    };
    expect(clashes(repo(objects, objects, deployers))).toStrictEqual([["b", "a", ["Secret infra/shared"]]]);
  });

  it("nothing shared between two Kubernetes clusters: two Flux instances' folders, two Argo CD destinations", () => {
    const objects = object("ConfigMap", "cfg");
    expect(
      clashes(
        repo(objects, objects, {
          "clusters/prod/a.yaml": flux("a", "apps/a"),
          "clusters/staging/b.yaml": flux("b", "apps/b"),
          "argocd/c.yaml": argo("c", "apps/a", "    server: https://prod.example\n"),
          "argocd/d.yaml": argo("d", "apps/b", "    server: https://staging.example\n"),
        }),
      ),
    ).toStrictEqual([]);
  });

  it("a folder with no kustomization: Flux applies every manifest below it, Argo CD those in it unless directory.recurse", () => {
    const plain = (app: string): [string, string][] => [
      [`plain/${app}/statefulset.yaml`, object("ConfigMap", "top")],
      [`plain/${app}/nested/service.yaml`, object("Service", "nested")],
      [`plain/${app}/replicante.yaml`, "discovery:\n  backends:\n    files: []\n"],
    ];
    const tree = new Map([...plain("a"), ...plain("b"), ...plain("c"), ...plain("d")]);
    tree.set("clusters/prod/a.yaml", flux("a", "plain/a"));
    tree.set("clusters/prod/b.yaml", flux("b", "plain/b"));
    tree.set("argocd/c.yaml", argo("c", "plain/c", "    server: https://kubernetes.default.svc\n"));
    tree.set(
      "argocd/d.yaml",
      argo("d", "plain/d", "    server: https://kubernetes.default.svc\n").replace(
        "    path: plain/d\n",
        "    path: plain/d\n    directory:\n      recurse: true\n",
      ),
    );
    expect(clashes(tree)).toStrictEqual([
      ["d", "c", ["ConfigMap default/top"]],
      ["b", "a", ["Service default/nested", "ConfigMap default/top"]],
    ]);
  });

  it("refuses a prepare whose copied Flux Kustomization would apply the source's StatefulSet and ConfigMap again", async () => {
    const tree = await fixture("flux");
    const deployer = "clusters/production/replicore-a.yaml";
    tree.set(
      deployer,
      edit(tree.get(deployer) ?? "", [
        ["  targetNamespace: replicore-a   # each Core cluster in a namespace of its own\n", ""],
      ]),
    );
    const result = planMigration(tree, request("replicore-a", "replicore-b", "0.3.1", "canary: etcd\nrest: *"), 42);
    expect(result).toStrictEqual(
      refusedAt("prepare", [
        {
          rule: "duplicate-resource",
          message:
            'clusters/production/replicore-b.yaml: Flux Kustomization replicore-b applies StatefulSet "replicore" in namespace default, ConfigMap "replicore-config" in namespace default, ' +
            'ConfigMap "replicore-discovery" in namespace default, ' +
            "which Flux Kustomization replicore-a (clusters/production/replicore-a.yaml) applies too: each sync takes them from the other, and pruning one deletes them from under the other; " +
            "give each cluster's copy a name of its own (prepare renames a name that contains the source cluster's name) or a namespace of its own (spec.targetNamespace)",
          clusters: ["replicore-a", "replicore-b"],
          subject: "Flux Kustomization replicore-b",
          files: ["clusters/production/replicore-b.yaml", deployer],
        },
      ]),
    );
  });
});
