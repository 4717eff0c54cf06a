// Handover's reading of Kustomize held to the real kustomize (`kubectl kustomize`, v4 or later): random trees of
// kustomizations built both ways, and every tree of a migration of the GitOps fixtures built for real.
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { readDirTree } from "../../src/cli/disk.js";
import { checkTree } from "../../src/invariant/index.js";
import {
  builtResources,
  findingResourceClashes,
  folderOf,
  kustomizationFiles,
  loadRepo,
  type BuiltResource,
} from "../../src/repo/index.js";
import { finish } from "../../src/spec/work.js";
import { planOk, request, walk } from "../unit/plan/helpers.js";
import { ensureKustomize, kustomize } from "./kubectl.js";
import { podsOf, scratch } from "./pods.js";

const missing = ensureKustomize();
/** Trees built with kubectl, each a process of its own: longer than a unit test, on a busy machine most of all. */
const KUBECTL_MS = 180_000;
if (missing) console.warn(`NOTICE: real-kustomize tests skipped: ${missing}`);

const { onDisk } = scratch();

const CLUSTER_SCOPED_HERE = new Set(["Namespace", "ClusterRole", "CustomResourceDefinition"]);

/** `apiVersion kind namespace/name` of each resource kustomize put out (a generator's hash taken off its name). */
function idsOut(yaml: string): string[] {
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } })
    .map(({ apiVersion, kind, metadata }) => {
      const namespace = CLUSTER_SCOPED_HERE.has(kind) ? "" : (metadata.namespace ?? "default");
      const name = ["ConfigMap", "Secret"].includes(kind) ? metadata.name.replace(/-[a-z0-9]{10}$/, "") : metadata.name;
      return `${apiVersion} ${kind} ${namespace}/${name}`;
    })
    .sort();
}

const idsModel = (resources: BuiltResource[]): string[] =>
  resources.map((r) => `${r.apiVersion} ${r.kind} ${r.namespace}/${r.name}`).sort();

// Few names, namespaces and kinds, so that random trees clash often. (Not `y`: kustomize reads kustomization files
// as YAML 1.1, where a plain `y` is true.)
const KINDS = [
  ["v1", "ConfigMap"],
  ["v1", "Secret"],
  ["apps/v1", "Deployment"],
  ["apps/v1beta2", "Deployment"],
  ["v1", "Namespace"],
  ["rbac.authorization.k8s.io/v1", "ClusterRole"],
  ["apiextensions.k8s.io/v1", "CustomResourceDefinition"],
] as const;
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const docArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  name: fc.constantFrom("x", "w"),
  namespace: maybe(fc.constantFrom("default", "a")),
});
const kustomizationArb = fc.record({
  namespace: maybe(fc.constantFrom("default", "a", "b")),
  namePrefix: maybe(fc.constantFrom("p-", "q-")),
  nameSuffix: maybe(fc.constant("-s")),
  files: fc.array(fc.array(docArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 }),
  generators: fc.array(
    fc.record({
      field: fc.constantFrom("configMapGenerator", "secretGenerator"),
      name: fc.constantFrom("x", "w"),
      namespace: maybe(fc.constantFrom("default", "a")),
    }),
    { maxLength: 2 },
  ),
  children: fc.array(fc.nat(), { maxLength: 3 }),
  // A Component: the kustomizations that name it list it under `components`, and it applies to what they hold.
  component: fc.boolean(),
});
type KustomizationCase = typeof kustomizationArb extends fc.Arbitrary<infer T> ? T : never;

/** Kustomizations k0..kN in folders of those names, each listing its files, generators and earlier ones (kN: the root). */
function treeOf(kustomizations: KustomizationCase[]): { tree: Map<string, string>; reached: Set<string> } {
  const tree = new Map<string, string>();
  const childrenOf = (i: number): number[] => (i === 0 ? [] : (kustomizations[i]?.children.map((c) => c % i) ?? []));
  const isComponent = (i: number): boolean => i < kustomizations.length - 1 && kustomizations[i]?.component === true;
  kustomizations.forEach((k, i) => {
    const lines: string[] = isComponent(i) ? ["apiVersion: kustomize.config.k8s.io/v1alpha1", "kind: Component"] : [];
    if (k.namespace) lines.push(`namespace: ${k.namespace}`);
    if (k.namePrefix) lines.push(`namePrefix: ${k.namePrefix}`);
    if (k.nameSuffix) lines.push(`nameSuffix: ${k.nameSuffix}`);
    const children = childrenOf(i);
    const resources = [
      ...k.files.map((_, f) => `r${f}.yaml`),
      ...children.filter((c) => !isComponent(c)).map((c) => `../k${c}`),
    ];
    if (resources.length > 0) lines.push("resources:", ...resources.map((r) => `  - ${r}`));
    const components = children.filter(isComponent).map((c) => `../k${c}`);
    if (components.length > 0) lines.push("components:", ...components.map((c) => `  - ${c}`));
    // A component's own resources get names of their own (`cx`), so that more trees with one build, and what it
    // does to the resources of the kustomization applying it is compared.
    const own = (name: string): string => (isComponent(i) ? `c${name}` : name);
    k.files.forEach((docs, f) => {
      const text = docs.map(({ kind: type, name: written, namespace }) => {
        const name = own(written);
        const [apiVersion, kind] = type as readonly [string, string];
        return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ""}`;
      });
      tree.set(`k${i}/r${f}.yaml`, text.join("---\n"));
    });
    for (const field of ["configMapGenerator", "secretGenerator"]) {
      const gens = k.generators.filter((g) => g.field === field);
      if (gens.length === 0) continue;
      lines.push(`${field}:`);
      for (const g of gens)
        lines.push(
          `  - name: ${own(g.name)}`,
          ...(g.namespace ? [`    namespace: ${g.namespace}`] : []),
          "    literals: [k=v]",
        );
    }
    tree.set(`k${i}/kustomization.yaml`, `${lines.join("\n")}\n`);
  });
  const reached = new Set<string>();
  const reach = (i: number): void => {
    if (reached.has(`k${i}/kustomization.yaml`)) return;
    reached.add(`k${i}/kustomization.yaml`);
    for (const c of childrenOf(i)) reach(c);
  };
  reach(kustomizations.length - 1);
  return { tree, reached };
}

describe.skipIf(missing !== undefined)("the real kustomize", () => {
  it(
    "builds a random tree of kustomizations exactly when Handover finds no clash in it, and puts out what Handover expects",
    () => {
      const RUNS = 150;
      let failed = 0;
      let componentsBuilt = 0;
      fc.assert(
        fc.property(fc.array(kustomizationArb, { minLength: 1, maxLength: 4 }), (kustomizations) => {
          const { tree, reached } = treeOf(kustomizations);
          const root = `k${kustomizations.length - 1}`;
          const real = kustomize(join(onDisk(tree), root));
          const clashes = finish(findingResourceClashes(tree)).filter((c) => reached.has(c.kustomization));
          if (real.ok) {
            expect(clashes).toStrictEqual([]);
            expect(idsModel(builtResources(tree, root) ?? [])).toStrictEqual(idsOut(real.yaml));
            if ([...reached].some((file) => tree.get(file)?.includes("kind: Component"))) componentsBuilt++;
          } else {
            failed++;
            expect(clashes.length, real.error).toBeGreaterThan(0);
          }
        }),
        { numRuns: RUNS, seed: 20261130 },
      );
      // Both answers were put to the test, and components applied to what their kustomization holds.
      expect(failed).toBeGreaterThan(10);
      expect(RUNS - failed).toBeGreaterThan(20);
      expect(componentsBuilt).toBeGreaterThan(0);
    },
    KUBECTL_MS,
  );

  const migrations = [
    ["kustomize", "0.3.1", "canary: mongo\nrest: *"],
    ["flux", "0.3.1", "canary: etcd\nrest: *"],
    ["argocd", "0.3.1", "canary: postgres\nrest: *"],
    ["files-pre03", "0.2.2", "canary: mongo\nrest: *"],
  ] as const;
  it.each(migrations)(
    "%s fixture: every kustomization of every tree of the migration builds, and each Core's pod reads the discovery files Handover says it has",
    async (fixture, version, groups) => {
      const start = await readDirTree(`test/fixtures/repos/${fixture}`);
      const plan = planOk(start, request("replicore-a", "replicore-b", version, groups));
      let read = 0;
      for (const tree of walk(start, plan)) {
        const root = onDisk(tree);
        const outputs = new Map<string, string>();
        for (const file of kustomizationFiles(tree)) {
          const built = kustomize(join(root, dirname(file)));
          expect(built.ok ? "" : built.error, file).toBe("");
          if (built.ok) outputs.set(dirname(file), built.yaml);
        }
        expect(checkTree(tree).filter((v) => v.rule === "duplicate-resource")).toStrictEqual([]);
        const loaded = loadRepo(tree);
        if (!loaded.ok) throw new Error("fixture tree does not load");
        for (const cluster of loaded.model.clusters.values()) {
          const folder = folderOf(cluster) ?? "";
          const builds = [...outputs].filter(([dir]) => dir === folder || dir.startsWith(`${folder}/`));
          const pods = builds.flatMap(([, yaml]) => podsOf(yaml));
          expect(pods.length, cluster.name).toBeGreaterThan(0);
          const expected = cluster.backends.flatMap((b) => b.files).map((f) => tree.get(f));
          for (const pod of pods) {
            expect(pod.discovery, `${cluster.name}: the pod's Core config lists its discovery files`).toHaveLength(
              expected.length,
            );
            expect(pod.discovery.map((path) => pod.files.get(path)).sort()).toStrictEqual(expected.sort());
            read += expected.length;
          }
        }
      }
      expect(read).toBeGreaterThan(plan.steps.length);
    },
    KUBECTL_MS,
  );
});
