// Resource identities as `kustomize build` tells them apart (rule `duplicate-resource`). Each clash case here was run
// through kustomize v5.5 (`kubectl kustomize`) first; test/gitops/kustomize.test.ts holds the model to it on random trees.
import { describe, expect, it } from "vitest";
import { builtResources, findingResourceClashes, type ResourceClash } from "../../../src/repo/kustomize-build.js";
import { finish } from "../../../src/spec/work.js";

const clashes = (files: Record<string, string>): ResourceClash[] =>
  finish(findingResourceClashes(new Map(Object.entries(files))));

/** One YAML document of a resource. */
const res = (apiVersion: string, kind: string, name: string, namespace?: string): string =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ""}`;

/** [kustomization, what, what] of each clash, as the operator reads them. */
const told = (found: ResourceClash[]): [string, string, string, string][] =>
  found.map((c) => [
    c.kustomization,
    `${c.first.file} ${c.first.where}`,
    `${c.second.file} ${c.second.where}`,
    `${c.by}: ${c.second.apiVersion} ${c.second.kind} ${c.second.namespace}/${c.second.name}`,
  ]);

describe("resource clashes of a kustomize build", () => {
  it("two overlays whose generators make one ConfigMap name: told once, by the parent that builds both", () => {
    const overlay =
      "namespace: replicante\nconfigMapGenerator:\n  - name: replicante-config\n    files: [replicante.yaml]\n";
    expect(
      told(
        clashes({
          "clusters/kustomization.yaml": "resources:\n  - a\n  - b\n",
          "clusters/a/kustomization.yaml": overlay,
          "clusters/b/kustomization.yaml": overlay,
          "top/kustomization.yaml": "resources: [../clusters]\n",
        }),
      ),
    ).toStrictEqual([
      [
        "clusters/kustomization.yaml",
        "clusters/a/kustomization.yaml configMapGenerator[0]",
        "clusters/b/kustomization.yaml configMapGenerator[0]",
        "accumulation: v1 ConfigMap replicante/replicante-config",
      ],
    ]);
  });

  it("no namespace is the namespace default; another version of a kind is another resource", () => {
    expect(
      told(
        clashes({
          "kustomization.yaml": "resources: [a.yaml, b.yaml, d1.yaml, d2.yaml]\n",
          "a.yaml": res("v1", "ConfigMap", "x"),
          "b.yaml": res("v1", "ConfigMap", "x", "default"),
          "d1.yaml": res("apps/v1", "Deployment", "x"),
          "d2.yaml": res("apps/v1beta2", "Deployment", "x"),
        }),
      ),
    ).toStrictEqual([
      ["kustomization.yaml", "a.yaml document 0", "b.yaml document 0", "accumulation: v1 ConfigMap default/x"],
    ]);
  });

  it("a namePrefix keeps two copies apart, except for the Namespaces and CRDs it does not rename", () => {
    const base = `${res("v1", "Namespace", "fleet")}---\n${res("v1", "ConfigMap", "c")}---\n${res("apiextensions.k8s.io/v1", "CustomResourceDefinition", "foos.example.com")}`;
    expect(
      told(
        clashes({
          "kustomization.yaml": "resources: [a, b]\n",
          "a/kustomization.yaml": "namePrefix: a-\nresources: [r.yaml]\n",
          "a/r.yaml": base,
          "b/kustomization.yaml": "namePrefix: b-\nresources: [r.yaml]\n",
          "b/r.yaml": base,
        }),
      ),
    ).toStrictEqual([
      ["kustomization.yaml", "a/r.yaml document 0", "b/r.yaml document 0", "accumulation: v1 Namespace /fleet"],
      [
        "kustomization.yaml",
        "a/r.yaml document 2",
        "b/r.yaml document 2",
        "accumulation: apiextensions.k8s.io/v1 CustomResourceDefinition /foos.example.com",
      ],
    ]);
  });

  it("a namespace: that puts two same-named resources of two namespaces in one clashes; cluster-scoped kinds keep none", () => {
    expect(
      told(
        clashes({
          "kustomization.yaml": "namespace: one\nresources: [r.yaml]\n",
          "r.yaml": `${res("v1", "ConfigMap", "x", "a")}---\n${res("v1", "ConfigMap", "x", "b")}---\n${res("rbac.authorization.k8s.io/v1", "ClusterRole", "r")}`,
        }),
      ),
    ).toStrictEqual([
      ["kustomization.yaml", "r.yaml document 0", "r.yaml document 1", "namespace: v1 ConfigMap one/x"],
    ]);
  });

  it("a generator that merges into a base's ConfigMap changes it, and one diamond of a base clashes", () => {
    expect(
      told(
        clashes({
          "base/kustomization.yaml": "configMapGenerator:\n  - name: cfg\n    literals: [a=1]\n",
          "overlay/kustomization.yaml":
            "resources: [../base]\nconfigMapGenerator:\n  - name: cfg\n    behavior: merge\n    literals: [b=2]\n",
          "both/kustomization.yaml": "resources: [../base, ../overlay]\n",
        }),
      ),
    ).toStrictEqual([
      [
        "both/kustomization.yaml",
        "base/kustomization.yaml configMapGenerator[0]",
        "base/kustomization.yaml configMapGenerator[0]",
        "accumulation: v1 ConfigMap default/cfg",
      ],
    ]);
  });

  it("a component applies its namespace to what the kustomization applying it holds, and the clash is that one's", () => {
    const component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamespace: a\n";
    expect(
      told(
        clashes({
          "ns/kustomization.yaml": component,
          "app/kustomization.yaml": "resources: [r.yaml]\ncomponents: [../ns]\n",
          "app/r.yaml": `${res("v1", "ConfigMap", "x")}---\n${res("v1", "ConfigMap", "x", "a")}`,
        }),
      ),
    ).toStrictEqual([
      ["app/kustomization.yaml", "app/r.yaml document 0", "app/r.yaml document 1", "namespace: v1 ConfigMap a/x"],
    ]);
  });

  it("a component runs after the generators of the kustomization applying it: its suffix renames what they made", () => {
    const tree = new Map(
      Object.entries({
        "suffix/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnameSuffix: -s\nresources: [r.yaml]\n",
        "suffix/r.yaml": res("rbac.authorization.k8s.io/v1", "ClusterRole", "x"),
        "app/kustomization.yaml":
          "resources: [r.yaml]\ncomponents: [../suffix]\nconfigMapGenerator:\n  - name: x\n    literals: [k=v]\n",
        "app/r.yaml": res("v1", "Secret", "x"),
      }),
    );
    expect(builtResources(tree, "app")?.map((r) => `${r.kind} ${r.namespace}/${r.name}`)).toStrictEqual([
      "Secret default/x-s",
      "ConfigMap default/x-s",
      "ClusterRole /x-s",
    ]);
    // A component is not built on its own, so it tells no clash of its own either.
    expect(builtResources(tree, "suffix")).toBeUndefined();
  });

  it("what it cannot see adds nothing: remote bases, missing entries, unreadable files, a cycle, documents without a name", () => {
    expect(
      clashes({
        "kustomization.yaml":
          "resources:\n  - github.com/org/repo//base?ref=v1\n  - missing.yaml\n  - bad.yaml\n  - nameless.yaml\n  - loop\n  - loop\n",
        "bad.yaml": "kind: [\n",
        "nameless.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n---\n---\nplain text\n",
        "loop/kustomization.yaml": "resources: [../loop2]\n",
        "loop2/kustomization.yaml": "resources: [../loop]\n",
      }),
    ).toStrictEqual([]);
  });
});
