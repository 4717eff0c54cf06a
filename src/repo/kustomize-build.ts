// Which resources `kustomize build` would put out of each kustomization, by the identity it refuses to see twice: a
// repo whose two kustomizations built together define one ConfigMap (a copied cluster's `replicante-config`) fails
// the whole build (`may not add resource with an already registered id`), and Flux or Argo CD then applies nothing.
import { posix } from "node:path";
import { RecursiveMemo } from "../spec/memo.js";
import { readYaml, readYamlDocuments } from "../spec/yaml.js";
import { kustomizationFiles, kustomizationIn, localTarget } from "./kustomize.js";
import type { FileMap } from "./tree.js";

/** A resource as kustomize tells resources apart: group, version, kind, namespace, name. */
export interface BuiltResource {
  /** `apps/v1`, `v1` */
  apiVersion: string;
  kind: string;
  /** `` for a cluster-scoped kind; `default` when a namespaced resource names none (kustomize reads it so). */
  namespace: string;
  /** No namespace written or set by a kustomization: Argo CD puts it in its Application's destination namespace. */
  unset: boolean;
  name: string;
  /** The file that defines it: a resource file, or the kustomization whose generator makes it. */
  file: string;
  /** Where in that file: `document 0`, `configMapGenerator[1]`. */
  where: string;
  /**
   * The identities it had before a `namespace`, `namePrefix` or `nameSuffix` changed it: kustomize holds a generator
   * against those too (`id ... exists; behavior must be merge or replace`).
   */
  earlier: readonly string[];
}

/** Two resources one kustomization's build would hold with the same identity. */
export interface ResourceClash {
  /** The kustomization whose build fails. */
  kustomization: string;
  first: BuiltResource;
  second: BuiltResource;
  /** `namespace`: they were apart until this kustomization's `namespace` put them in one. */
  by: "accumulation" | "namespace";
}

/**
 * Kubernetes' kinds with no namespace (kustomize knows them from the API's OpenAPI description): its `namespace` leaves
 * them alone. Any other kind, a custom resource's included, is namespaced, as kustomize assumes.
 */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "CSIDriver",
  "CSINode",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

/** Kinds kustomize's `namePrefix` and `nameSuffix` do not rename. */
export const NOT_RENAMED = new Set(["Namespace", "CustomResourceDefinition"]);

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => value !== null && typeof value === "object" && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** What kustomize compares: group and version (apiVersion), kind, namespace, name. */
export function resourceIdentity(r: Omit<BuiltResource, "earlier" | "unset">): string {
  return `${r.apiVersion}\0${r.kind}\0${r.namespace}\0${r.name}`;
}

/** A resource as an operator finds it: `ConfigMap "replicante-config" in namespace replicante`. */
export function resourceName(r: BuiltResource): string {
  return `${r.kind} ${JSON.stringify(r.name)}${r.namespace === "" ? "" : ` in namespace ${r.namespace}`}`;
}

/** The resources of one YAML file kustomize lists under `resources`. */
export function fileResources(tree: FileMap, file: string): BuiltResource[] {
  const docs = readYamlDocuments(file, tree.get(file) ?? "");
  if (!docs.ok) return [];
  return docs.value.flatMap((doc, i): BuiltResource[] => {
    if (!isNode(doc) || !isNode(doc.metadata)) return [];
    const [apiVersion, kind, name] = [text(doc.apiVersion), text(doc.kind), text(doc.metadata.name)];
    if (!apiVersion || !kind || !name) return [];
    const stated = text(doc.metadata.namespace);
    const namespace = CLUSTER_SCOPED.has(kind) ? "" : (stated ?? "default");
    return [{ apiVersion, kind, namespace, unset: !stated, name, file, where: `document ${i}`, earlier: [] }];
  });
}

/** What building one kustomization gives: its resources, or nothing known (unreadable, a cycle, a remote base). */
type Build = BuiltResource[] | undefined;

/** Builds kustomizations of one tree, each once, keeping the clashes each build meets. */
class Builder {
  readonly clashes: ResourceClash[] = [];
  private readonly memo = new RecursiveMemo<string, BuiltResource[]>();
  /** The components being applied (a component that names itself, or an earlier one, adds nothing). */
  private readonly applying = new Set<string>();

  /** `reads`: the resource files it may read (a guard downloads each one); the others add nothing it can see. */
  constructor(
    private readonly tree: FileMap,
    private readonly reads: (path: string) => boolean,
  ) {}

  /** The resources the kustomization of folder `dir` puts out (`` is the repo root). */
  build(dir: string): Build {
    return this.memo.get(dir, (d) => this.buildOnce(d));
  }

  private buildOnce(dir: string): Build {
    const read = this.kustomization(dir);
    // A Component is not built on its own: a kustomization applies it to what it holds (`components`).
    if (!read || read.doc.kind === "Component") return undefined;
    return this.accumulating(read.file, dir, read.doc, []);
  }

  /** The kustomization of a folder, read; undefined when it has none or it is not a mapping. */
  private kustomization(dir: string): { file: string; doc: Node } | undefined {
    const file = kustomizationIn(this.tree, dir);
    if (file === undefined) return undefined;
    const read = readYaml(file, this.tree.get(file) ?? "");
    return read.ok && isNode(read.value) ? { file, doc: read.value } : undefined;
  }

  /**
   * What a kustomization puts out, in kustomize's order (api/internal/target/kusttarget.go): `held` (for a component,
   * what the kustomization applying it holds so far), its resources, its generators, its components (each applied to
   * everything held by then), then its `namespace`, `namePrefix` and `nameSuffix` over all of it. A clash is told by
   * `owner`, the kustomization whose build fails (the one applying a component, not the component).
   */
  private accumulating(
    file: string,
    dir: string,
    doc: Node,
    held: readonly BuiltResource[],
    owner = file,
  ): BuiltResource[] {
    const byId = new Map<string, BuiltResource>();
    const before = new Map<string, BuiltResource>();
    const add = (resource: BuiltResource, known: BuiltResource | undefined): void => {
      if (known) this.clashes.push({ kustomization: owner, first: known, second: resource, by: "accumulation" });
      else byId.set(resourceIdentity(resource), resource);
      for (const id of resource.earlier) before.set(id, resource);
    };
    for (const resource of held) add(resource, undefined);
    for (const entry of Array.isArray(doc.resources) ? doc.resources : []) {
      for (const resource of this.entryResources(dir, entry) ?? []) add(resource, byId.get(resourceIdentity(resource)));
    }
    for (const resource of generated(file, doc)) {
      const id = resourceIdentity(resource);
      add(resource, byId.get(id) ?? before.get(id));
    }
    for (const entry of Array.isArray(doc.components) ? doc.components : []) {
      const target = typeof entry === "string" ? localTarget(dir, entry) : undefined;
      const component = target === undefined ? undefined : this.kustomization(target);
      if (target === undefined || !component || this.applying.has(target)) continue;
      this.applying.add(target);
      const after = this.accumulating(component.file, target, component.doc, [...byId.values()], owner);
      this.applying.delete(target);
      byId.clear();
      for (const resource of after) add(resource, undefined);
    }
    return transformed(owner, doc, [...byId.values()], (clash) => this.clashes.push(clash));
  }

  /** The resources one `resources` entry brings: a file's, or a folder's build. */
  private entryResources(dir: string, entry: unknown): Build {
    const target = typeof entry === "string" ? localTarget(dir, entry) : undefined;
    if (target === undefined) return undefined;
    if (this.tree.has(target)) return this.reads(target) ? fileResources(this.tree, target) : [];
    return this.build(target);
  }
}

/** The ConfigMaps and Secrets a kustomization's generators create (`behavior: merge` or `replace` change one instead). */
function generated(file: string, doc: Node): BuiltResource[] {
  return (
    [
      ["configMapGenerator", "ConfigMap"],
      ["secretGenerator", "Secret"],
    ] as const
  ).flatMap(([field, kind]) =>
    (Array.isArray(doc[field]) ? doc[field] : []).flatMap((gen: unknown, i): BuiltResource[] => {
      if (!isNode(gen)) return [];
      const name = text(gen.name);
      const behavior = text(gen.behavior) ?? "create";
      if (!name || behavior !== "create") return [];
      const stated = text(gen.namespace);
      const where = `${field}[${i}]`;
      return [
        { apiVersion: "v1", kind, namespace: stated ?? "default", unset: !stated, name, file, where, earlier: [] },
      ];
    }),
  );
}

/** A kustomization's `namespace`, `namePrefix` and `nameSuffix` on what it built (a clash a `namespace` makes told). */
function transformed(
  file: string,
  doc: Node,
  resources: BuiltResource[],
  clash: (found: ResourceClash) => void,
): BuiltResource[] {
  const namespace = text(doc.namespace);
  const [prefix, suffix] = [text(doc.namePrefix) ?? "", text(doc.nameSuffix) ?? ""];
  const out = new Map<string, BuiltResource>();
  for (const resource of resources) {
    // kustomize's order: the namespace, then the names; a generator is held against each identity on the way.
    const steps: Partial<BuiltResource>[] = [
      {
        ...(namespace && resource.namespace !== "" ? { namespace, unset: false } : {}),
        // kustomize's namespace transformer gives a Namespace object the kustomization's namespace as its name.
        ...(namespace && resource.kind === "Namespace" ? { name: namespace } : {}),
      },
      NOT_RENAMED.has(resource.kind) ? {} : { name: `${prefix}${resource.name}${suffix}` },
    ];
    let moved = resource;
    for (const change of steps) {
      const next = { ...moved, ...change };
      if (resourceIdentity(next) !== resourceIdentity(moved))
        moved = { ...next, earlier: [...moved.earlier, resourceIdentity(moved)] };
    }
    const known = out.get(resourceIdentity(moved));
    if (known) clash({ kustomization: file, first: known, second: moved, by: "namespace" });
    else out.set(resourceIdentity(moved), moved);
  }
  return [...out.values()];
}

/**
 * Every clash of resource identities `kustomize build` would refuse, in any kustomization of the tree, each told once
 * (by the kustomization where it arises, not again by each one that includes it); work that yields between
 * kustomizations. Resource files `reads` does not let through count as holding nothing.
 */
export function* findingResourceClashes(
  tree: FileMap,
  reads: (path: string) => boolean = () => true,
): Generator<void, ResourceClash[]> {
  const builder = new Builder(tree, reads);
  for (const file of kustomizationFiles(tree)) {
    builder.build(posix.dirname(file) === "." ? "" : posix.dirname(file));
    yield;
  }
  return builder.clashes;
}

/** The resources `kustomize build DIR` puts out, names before the hash generators add; undefined when not known. */
export function builtResources(
  tree: FileMap,
  dir: string,
  reads: (path: string) => boolean = () => true,
): BuiltResource[] | undefined {
  return new Builder(tree, reads).build(dir);
}
