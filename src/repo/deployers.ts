// The Flux Kustomizations and Argo CD Applications of a repo, and what each applies. Two of them that apply one object
// (a copied cluster's `StatefulSet replicore` in one namespace) take it from each other at every sync, and pruning one
// (the old cluster's, at decommission) deletes it from under the other.
import { posix } from "node:path";
import { readYamlDocuments } from "../spec/yaml.js";
import { kustomizationIn, namePattern } from "./kustomize.js";
import { patchesReach } from "./core-view.js";
import { builtResources, fileResources, NOT_RENAMED, resourceIdentity, type BuiltResource } from "./kustomize-build.js";
import type { FileMap } from "./tree.js";

/** A Flux Kustomization or an Argo CD Application of the repo. */
export interface Deployer {
  kind: "Flux Kustomization" | "Argo CD Application";
  name: string;
  file: string;
  /** The repo folder it applies (`` the root). */
  path: string;
  /**
   * What decides where its objects land besides the repo: the folder of its file (a Flux instance applies the
   * deployers under its own path; an app-of-apps, those it lists), its source, and its destination cluster.
   */
  place: string;
  /**
   * Flux `targetNamespace` and Argo CD `kustomize.namespace` (every namespaced object), or Argo CD
   * `destination.namespace` (objects that name none).
   */
  namespace: { value: string; over: "all" | "unset" } | undefined;
  /** Flux `namePrefix`/`nameSuffix`, Argo CD `kustomize.namePrefix`/`nameSuffix`: as a kustomization's. */
  rename: { prefix: string; suffix: string };
  /**
   * A folder with no kustomization: whether the manifests of its subfolders are applied too (Flux: always; Argo CD:
   * with `directory.recurse`).
   */
  recurse: boolean;
  /**
   * Patches of its own (Flux `spec.patches`, Argo CD `kustomize.patches`), components, or a Helm or plugin source that
   * may change the containers, mounts or volumes of what it applies, or the data of its ConfigMaps and Secrets.
   */
  patches: boolean;
}

type Node = Record<string, unknown>;
const node = (value: unknown): Node => (value !== null && typeof value === "object" ? (value as Node) : {});
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const listed = (value: unknown): boolean => Array.isArray(value) && value.length > 0;

function repoFolder(path: unknown): string | undefined {
  if (typeof path !== "string") return undefined;
  const trimmed = path.replace(/^\.\//, "").replace(/\/+$/, "");
  return trimmed === "." ? "" : trimmed;
}

/** The deployer a YAML document is, when it is one that applies a folder of this repo. */
export function deployerOf(doc: unknown, file: string): Deployer | undefined {
  const object = node(doc);
  const [api, spec, name] = [text(object.apiVersion), node(object.spec), text(node(object.metadata).name)];
  const folder = posix.dirname(file);
  if (object.kind === "Kustomization" && api.startsWith("kustomize.toolkit.fluxcd.io/")) {
    const path = repoFolder(spec.path);
    if (path === undefined) return undefined;
    const target = text(spec.targetNamespace);
    const source = node(spec.sourceRef);
    const cluster = text(node(node(spec.kubeConfig).secretRef).name);
    return {
      kind: "Flux Kustomization",
      name,
      file,
      path,
      place: `flux\0${folder}\0${text(source.kind)}/${text(source.namespace)}/${text(source.name)}\0${cluster}`,
      namespace: target ? { value: target, over: "all" } : undefined,
      rename: { prefix: text(spec.namePrefix), suffix: text(spec.nameSuffix) },
      recurse: true,
      patches:
        patchesReach(JSON.stringify([spec.patches, spec.patchesStrategicMerge, spec.patchesJson6902])) ||
        listed(spec.components),
    };
  }
  if (object.kind === "Application" && api.startsWith("argoproj.io/")) {
    const sources = [node(spec.source), ...(Array.isArray(spec.sources) ? spec.sources.map(node) : [])];
    const source = sources.find((s) => typeof s.path === "string");
    const path = repoFolder(source?.path);
    if (!source || path === undefined) return undefined;
    const destination = node(spec.destination);
    const kustomize = node(source.kustomize);
    const namespace = text(kustomize.namespace) || text(destination.namespace);
    const over = text(kustomize.namespace) ? "all" : "unset";
    return {
      kind: "Argo CD Application",
      name,
      file,
      path,
      place: `argocd\0${folder}\0${text(source.repoURL)}\0${text(destination.server)}\0${text(destination.name)}`,
      namespace: namespace ? { value: namespace, over } : undefined,
      rename: { prefix: text(kustomize.namePrefix), suffix: text(kustomize.nameSuffix) },
      recurse: node(source.directory).recurse === true,
      patches:
        patchesReach(JSON.stringify(kustomize.patches ?? null)) ||
        listed(kustomize.components) ||
        ["helm", "plugin", "chart"].some((field) => source[field] !== undefined),
    };
  }
  return undefined;
}

/**
 * The deployers of a tree, in path order (files that cannot be one are not parsed), of the YAML files `among` lets
 * through (a guard downloads each file it reads).
 */
export function deployers(tree: FileMap, among: (path: string) => boolean = () => true): Deployer[] {
  const found: Deployer[] = [];
  for (const path of [...tree.keys()].filter((p) => /\.ya?ml$/.test(p) && among(p)).sort()) {
    const content = tree.get(path) ?? "";
    if (!content.includes("kustomize.toolkit.fluxcd.io") && !content.includes("argoproj.io")) continue;
    const docs = readYamlDocuments(path, content);
    if (!docs.ok) continue;
    for (const doc of docs.value) {
      const deployer = deployerOf(doc, path);
      if (deployer) found.push(deployer);
    }
  }
  return found;
}

/**
 * The manifests a deployer applies from a folder with no kustomization (Flux generates one listing them; Argo CD applies
 * the folder as a directory app), in path order.
 */
function plainFolder(tree: FileMap, deployer: Deployer, reads: (path: string) => boolean): BuiltResource[] {
  const prefix = deployer.path === "" ? "" : `${deployer.path}/`;
  const applies = (path: string): boolean =>
    path.startsWith(prefix) &&
    /\.ya?ml$/.test(path) &&
    (deployer.recurse || !path.slice(prefix.length).includes("/")) &&
    reads(path);
  return [...tree.keys()]
    .filter(applies)
    .sort()
    .flatMap((path) => fileResources(tree, path));
}

/** The objects a deployer applies, by identity: its folder's build, in the namespace it puts them in. */
function applied(tree: FileMap, deployer: Deployer, reads: (path: string) => boolean): Map<string, BuiltResource> {
  const built = kustomizationIn(tree, deployer.path)
    ? (builtResources(tree, deployer.path, reads) ?? [])
    : plainFolder(tree, deployer, reads);
  const { namespace: over, rename } = deployer;
  const placed = built.map((r) => ({
    ...r,
    ...(over && r.namespace !== "" && (over.over === "all" || r.unset) ? { namespace: over.value } : {}),
    ...(NOT_RENAMED.has(r.kind) ? {} : { name: `${rename.prefix}${r.name}${rename.suffix}` }),
  }));
  return new Map(placed.map((r) => [resourceIdentity(r), r]));
}

/**
 * The deployers of the files named after one of `clusters` (a deployer prepare copies is one:
 * `clusters/production/replicore-a.yaml`): a guard need not download every YAML file of a PR.
 */
export function namedDeployers(tree: FileMap, clusters: readonly string[]): Deployer[] {
  const patterns = clusters.map((name) => namePattern(name));
  return deployers(tree, (path) => patterns.some((pattern) => pattern.test(posix.basename(path))));
}

/** Two deployers of one place that apply the same objects. */
export interface DeployerClash {
  first: Deployer;
  second: Deployer;
  /** The objects both apply, as the second's folder builds them. */
  shared: BuiltResource[];
}

/**
 * Every pair of deployers that would apply one object, as work that yields between deployers. Only files named after
 * one of `clusters` are read as deployers (a deployer prepare copies is one: `clusters/production/replicore-a.yaml`),
 * and only the resource files `reads` lets through: a guard need not download every YAML file of a PR. `found`: those
 * deployers, when the caller has read them already.
 */
export function* findingDeployerClashes(
  tree: FileMap,
  clusters: readonly string[],
  reads: (path: string) => boolean = () => true,
  found: readonly Deployer[] = namedDeployers(tree, clusters),
): Generator<void, DeployerClash[]> {
  const byPlace = new Map<string, { deployer: Deployer; objects: Map<string, BuiltResource> }[]>();
  for (const deployer of found) {
    const objects = applied(tree, deployer, reads);
    yield;
    byPlace.set(deployer.place, [...(byPlace.get(deployer.place) ?? []), { deployer, objects }]);
  }
  const clashes: DeployerClash[] = [];
  for (const group of byPlace.values()) {
    group.forEach((second, j) => {
      for (const first of group.slice(0, j)) {
        const shared = [...second.objects].filter(([id]) => first.objects.has(id)).map(([, r]) => r);
        if (shared.length > 0) clashes.push({ first: first.deployer, second: second.deployer, shared });
      }
    });
  }
  return clashes;
}
