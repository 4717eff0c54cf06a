// What a Replicante Core container deployed by Kustomize reads. Handover takes a cluster's Core config and discovery
// files for repo files (handover.yml's `config`, `workdir` and `mounts` say which); the Core reads whatever its pod
// mounts at the paths its config names. When the two differ, a step moves a file the Core never reads, or the Core
// manages a datastore Handover does not count as its own. This follows each path through the container's working
// directory, its volume mounts (`subPath`, `items`) and the ConfigMap and Secret generators that fill them, back to a
// repo file, and says nothing where it cannot follow (a patch that may change mounts, a volume of another kind, a
// ConfigMap made elsewhere).
import { posix } from "node:path";
import { CONFIG_PATH } from "../spec/config.js";
import { RecursiveMemo } from "../spec/memo.js";
import type { Violation } from "../spec/violation.js";
import { readYaml, readYamlDocuments } from "../spec/yaml.js";
import { kustomizationFiles, kustomizationIn, localTarget } from "./kustomize.js";
import type { FileMap } from "./tree.js";
import type { ClusterModel } from "./types.js";

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => value !== null && typeof value === "object" && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** One key of a generated ConfigMap or Secret: the repo file it is read from, or a value of its `literals`. */
type Key = { file: string } | { literal: true };

/** A ConfigMap or Secret a generator makes, as the pods that mount it see it. */
interface Generated {
  /** `ConfigMap replicore-a-discovery` */
  name: string;
  /** The kustomization and the generator's place in it: `clusters/a/kustomization.yaml configMapGenerator[1]`. */
  at: string;
  /** The folder of the kustomization, which its `files` entries are relative to. */
  dir: string;
  keys: Map<string, Key>;
  /** It may hold keys not listed here (from an `envs` file, which is not read, or an entry not followed). */
  open: boolean;
}

/** What one kustomization's build holds that a Core container's view depends on. */
interface Gathered {
  workloads: { doc: Node; file: string }[];
  /** By `ConfigMap name` / `Secret name` as the build's resources refer to them (before prefixes and hashes). */
  generated: Map<string, Generated | "ambiguous">;
  /** Something in the build may change a workload's containers, mounts or volumes in a way not followed here. */
  opaque: boolean;
  /**
   * Something of the kustomization itself may (its own patches, plugins, a remote component): a build that includes it
   * applies that to everything it includes.
   */
  own: boolean;
  /** The kustomization folders the build includes (itself among them). */
  includes: Set<string>;
}

/** Where a path a Core config names leads in its container. */
export type Seen =
  /** A repo file, by way of `from` (`ConfigMap replicore-a-discovery`, made at `at`). */
  | { kind: "file"; file: string; from: string; at: string }
  /** A value the kustomization writes itself, no repo file. */
  | { kind: "literal"; from: string; at: string }
  /** Nothing there: why, and what would put the file there (a generator to add it to) when known. */
  | { kind: "absent"; why: string; generator?: Generated; key?: string }
  /** A volume this cannot see into. */
  | { kind: "unknown" };

/** A Replicante Core container of a workload one kustomization builds. */
export interface CoreContainer {
  /** `StatefulSet replicore-a` */
  workload: string;
  container: string;
  /** The file defining the workload. */
  file: string;
  /** The kustomization whose build holds it. */
  kustomization: string;
  /** The container's working directory; undefined when the manifest does not set it (the image's, not known here). */
  cwd: string | undefined;
  /** The Core config path as the container's command line gives it (`--config`), or the default. */
  config: string;
  /** Where an absolute path of the container leads. */
  read(path: string): Seen;
  /**
   * Keys the `items` of a volume it mounts name and its generated ConfigMap or Secret does not hold: the kubelet does
   * not set such a volume up (unless it is `optional`), and the pod does not start.
   */
  unsetKeys: { volume: string; from: string; at: string; key: string }[];
}

const WORKLOAD_KINDS = new Set(["StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"]);

/** Replicante Core's image (`replicanteio/replicante:v0.3.1`, or a mirror of it), not its UI's. */
export function isCoreImage(image: string): boolean {
  const repository = image.split("@")[0]?.replace(/:[^/:]*$/, "") ?? "";
  return repository.split("/").pop() === "replicante";
}

/**
 * A workload patch that may change what a container mounts or how it starts. A patch of other fields (resources,
 * labels, the image) changes nothing this reads.
 */
const REACHES_MOUNTS = /\b(volumes|volumeMounts|workingDir|args|command|containers\/\d+)\b|\$patch|\$setElementOrder/;

/** Kinds a patch of changes what a container reads whatever it says: a generated file's data replaced in place. */
const DATA_KINDS = new Set(["ConfigMap", "Secret"]);

/** Whether a patch of `kind` (unknown: any) may change what a Core container reads. */
function patchReaches(kind: string | undefined, text: string): boolean {
  if (kind === undefined) return REACHES_MOUNTS.test(text) || /\b(ConfigMap|Secret)\b/.test(text);
  return DATA_KINDS.has(kind) || (WORKLOAD_KINDS.has(kind) && REACHES_MOUNTS.test(text));
}

/** Whether patches, as their text, may change what a Core container reads (a Flux or Argo CD deployer's own). */
export function patchesReach(text: string): boolean {
  return patchReaches(undefined, text);
}

/** The pod spec of a workload document. */
function podSpec(doc: Node): Node | undefined {
  const spec = isNode(doc.spec) ? doc.spec : undefined;
  if (doc.kind === "Pod") return spec;
  const template = doc.kind === "CronJob" && isNode(spec?.jobTemplate) ? spec.jobTemplate.spec : spec;
  const pod = isNode(template) && isNode(template.template) ? template.template.spec : undefined;
  return isNode(pod) ? pod : undefined;
}

/** Reads the kustomizations of one tree, each once. */
class Gatherer {
  private readonly memo = new RecursiveMemo<string, Gathered>();

  constructor(
    private readonly tree: FileMap,
    private readonly reads: (path: string) => boolean,
  ) {}

  /** What the kustomization of `dir` builds; undefined when it cannot be read (none, unreadable, a cycle). */
  gather(dir: string): Gathered | undefined {
    return this.memo.get(dir, (d) => this.gatherOnce(d));
  }

  private gatherOnce(dir: string): Gathered | undefined {
    const file = kustomizationIn(this.tree, dir);
    if (file === undefined) return undefined;
    const read = readYaml(file, this.tree.get(file) ?? "");
    if (!read.ok || !isNode(read.value)) return undefined;
    const doc = read.value;
    const out: Gathered = { workloads: [], generated: new Map(), opaque: false, own: false, includes: new Set([dir]) };
    // Plugins and charts may make or change anything; `vars` substitutes into command lines; `configurations` and
    // replacements read from a file may change which ConfigMap a volume names, or any field.
    const fromFiles = list(doc.replacements).some((r) => isNode(r) && r.path !== undefined);
    if (fromFiles) out.own = true;
    for (const field of [
      "generators",
      "transformers",
      "helmCharts",
      "helmChartInflationGenerator",
      "vars",
      "configurations",
    ])
      if (list(doc[field]).length > 0) out.own = true;
    for (const field of ["resources", "components"]) {
      for (const entry of list(doc[field])) {
        const target = typeof entry === "string" ? localTarget(dir, entry) : undefined;
        // A remote component may patch this build's workloads; a remote base only adds resources of its own.
        if (target === undefined) {
          if (field === "components") out.own = true;
          continue;
        }
        if (this.tree.has(target)) {
          if (this.reads(target)) out.workloads.push(...workloadsIn(this.tree, target));
          continue;
        }
        const inner = this.gather(target);
        if (!inner) continue;
        out.workloads.push(...inner.workloads);
        out.opaque ||= inner.opaque;
        for (const included of inner.includes) out.includes.add(included);
        for (const [name, made] of inner.generated)
          out.generated.set(name, out.generated.has(name) ? "ambiguous" : made);
      }
    }
    if (this.patchesReachMounts(dir, doc)) out.own = true;
    out.opaque ||= out.own;
    for (const [field, kind] of [
      ["configMapGenerator", "ConfigMap"],
      ["secretGenerator", "Secret"],
    ] as const)
      list(doc[field]).forEach((gen, i) => {
        if (isNode(gen)) generate(out.generated, `${kind} ${str(gen.name) ?? ""}`, `${file} ${field}[${i}]`, dir, gen);
      });
    return out;
  }

  /**
   * Whether a patch, or a replacement, of this kustomization may change a workload's containers or volumes, or the
   * data of a ConfigMap or Secret.
   */
  private patchesReachMounts(dir: string, doc: Node): boolean {
    const texts: { text: string; kind: string | undefined }[] = [];
    const textOf = (entry: unknown): string | undefined => {
      if (typeof entry === "string") {
        // patchesStrategicMerge: a path, or the patch itself.
        const target = localTarget(dir, entry);
        return target !== undefined && this.tree.has(target) ? this.tree.get(target) : entry;
      }
      if (!isNode(entry)) return undefined;
      if (typeof entry.patch === "string") return entry.patch;
      const path = str(entry.path);
      const target = path === undefined ? undefined : localTarget(dir, path);
      return target === undefined ? undefined : this.tree.get(target);
    };
    for (const field of ["patches", "patchesStrategicMerge", "patchesJson6902"])
      for (const entry of list(doc[field])) {
        const text = textOf(entry);
        // A patch file this cannot read (remote, missing) may do anything.
        if (text === undefined) return true;
        const target = isNode(entry) && isNode(entry.target) ? str(entry.target.kind) : undefined;
        texts.push({ text, kind: target });
      }
    if (list(doc.replacements).length > 0) texts.push({ text: JSON.stringify(doc.replacements), kind: undefined });
    return texts.some(({ text, kind }) => {
      if (kind !== undefined) return patchReaches(kind, text);
      // A strategic merge patch names its target in its own documents.
      const docs = readYamlDocuments("patch", text);
      return (
        !docs.ok ||
        docs.value.some((d) => patchReaches(isNode(d) && typeof d.kind === "string" ? d.kind : undefined, text))
      );
    });
  }
}

/** A generator's keys, added to the build's (`behavior: merge` and `replace` change one made by a base). */
function generate(into: Gathered["generated"], name: string, at: string, dir: string, gen: Node): void {
  const keys = new Map<string, Key>();
  let open = list(gen.envs).length > 0 || gen.env !== undefined;
  for (const entry of list(gen.files)) {
    if (typeof entry !== "string") {
      open = true;
      continue;
    }
    const eq = entry.indexOf("=");
    const path = eq === -1 ? entry : entry.slice(eq + 1);
    const file = localTarget(dir, path);
    if (file === undefined) open = true;
    else keys.set(eq === -1 ? posix.basename(path) : entry.slice(0, eq), { file });
  }
  for (const literal of list(gen.literals)) {
    if (typeof literal !== "string") continue;
    const eq = literal.indexOf("=");
    if (eq > 0) keys.set(literal.slice(0, eq), { literal: true });
  }
  const behavior = str(gen.behavior) ?? "create";
  const base = into.get(name);
  if (behavior === "create") {
    into.set(name, base === undefined ? { name, at, dir, keys, open } : "ambiguous");
    return;
  }
  if (base === undefined || base === "ambiguous") {
    into.set(name, "ambiguous");
    return;
  }
  const merged = behavior === "merge" ? new Map([...base.keys, ...keys]) : keys;
  into.set(name, { name, at, dir, keys: merged, open: open || (behavior === "merge" && base.open) });
}

/** The workload documents of one resource file. */
function workloadsIn(tree: FileMap, file: string): Gathered["workloads"] {
  const docs = readYamlDocuments(file, tree.get(file) ?? "");
  if (!docs.ok) return [];
  return docs.value.flatMap((doc) =>
    isNode(doc) && typeof doc.kind === "string" && WORKLOAD_KINDS.has(doc.kind) ? [{ doc, file }] : [],
  );
}

/** `--config PATH` or `--config=PATH` in a command line; the default when absent; undefined when it cannot be told. */
function configArgument(words: unknown[]): string | undefined {
  let config = "replicante.yaml";
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (typeof word !== "string") return undefined;
    if (word === "--config") {
      const next = words[i + 1];
      if (typeof next !== "string" || next === "") return undefined;
      config = next;
      i++;
    } else if (word.startsWith("--config=")) config = word.slice("--config=".length);
    // A shell line (`sh -c "..."`) or an environment variable: not followed.
    else if (word.includes("$") || word === "-c") return undefined;
  }
  return config;
}

/** The ConfigMap or Secret a volume projects: its kind, name, `items` and whether it may be missing. */
function sourceOf(
  volume: Node,
): { kind: string; name: string | undefined; items: unknown; optional: boolean } | undefined {
  const [kind, source] = isNode(volume.configMap)
    ? ["ConfigMap", volume.configMap]
    : isNode(volume.secret)
      ? ["Secret", volume.secret]
      : [undefined, undefined];
  if (!kind || !source) return undefined;
  const name = str(kind === "Secret" ? source.secretName : source.name);
  return { kind, name, items: source.items, optional: source.optional === true };
}

/** Keys named by the `items` of the volumes a container mounts that their generated ConfigMap or Secret lacks. */
function unsetKeysOf(
  container: Node,
  volumes: Map<string, Node>,
  generated: Gathered["generated"],
): CoreContainer["unsetKeys"] {
  const mounted = new Set(
    list(container.volumeMounts).flatMap((m) => (isNode(m) && typeof m.name === "string" ? [m.name] : [])),
  );
  return [...mounted].flatMap((name) => {
    const volume = volumes.get(name);
    const source = volume ? sourceOf(volume) : undefined;
    const made = source?.name ? generated.get(`${source.kind} ${source.name}`) : undefined;
    if (!source || source.optional || !Array.isArray(source.items) || !made || made === "ambiguous" || made.open)
      return [];
    return source.items.flatMap((item) => {
      const key = isNode(item) ? str(item.key) : undefined;
      return key === undefined || made.keys.has(key) ? [] : [{ volume: name, from: made.name, at: made.at, key }];
    });
  });
}

/** One container's mounts, read as the kubelet sets them up. */
function containerView(
  container: Node,
  volumes: Map<string, Node>,
  generated: Gathered["generated"],
): ((path: string) => Seen) | undefined {
  const mounts: { at: string; subPath: string | undefined; volume: Node | undefined }[] = [];
  for (const mount of list(container.volumeMounts)) {
    if (!isNode(mount)) return undefined;
    const at = str(mount.mountPath);
    const name = str(mount.name);
    if (at === undefined || name === undefined || mount.subPathExpr !== undefined) return undefined;
    if (at.includes("$") || String(mount.subPath ?? "").includes("$")) return undefined;
    mounts.push({
      at: posix.normalize(at).replace(/(.)\/+$/, "$1"),
      subPath: str(mount.subPath),
      volume: volumes.get(name),
    });
  }
  // The deepest mount holding a path is the one the container sees it through.
  mounts.sort((a, b) => b.at.length - a.at.length);
  return (path: string): Seen => {
    const mount = mounts.find((m) => path === m.at || path.startsWith(m.at === "/" ? "/" : `${m.at}/`));
    if (!mount) return { kind: "absent", why: "no volume is mounted there" };
    const volume = mount.volume;
    if (volume === undefined) return { kind: "unknown" };
    const source = sourceOf(volume);
    if (!source?.name) return { kind: "unknown" };
    const made = generated.get(`${source.kind} ${source.name}`);
    if (made === undefined || made === "ambiguous") return { kind: "unknown" };
    const rest = path === mount.at ? "" : path.slice(mount.at === "/" ? 1 : mount.at.length + 1);
    let key: string | undefined;
    if (mount.subPath !== undefined) {
      // A subPath mount holds one key at the mount path itself; nothing lies below a file.
      if (rest !== "") return { kind: "absent", why: `${mount.at} is the single key ${mount.subPath} of ${made.name}` };
      key = mount.subPath;
    } else if (Array.isArray(source.items)) {
      const item = source.items.find((it) => isNode(it) && posix.normalize(String(it.path ?? "")) === rest);
      key = isNode(item) ? str(item.key) : undefined;
      if (key === undefined)
        return { kind: "absent", why: `the items of ${made.name}'s volume put no key at ${rest || "."}` };
    } else key = rest;
    const found = made.keys.get(key);
    if (found === undefined)
      return made.open
        ? { kind: "unknown" }
        : { kind: "absent", why: `${made.name} has no key ${key}`, generator: made, key };
    return "file" in found
      ? { kind: "file", file: found.file, from: made.name, at: made.at }
      : { kind: "literal", from: made.name, at: made.at };
  };
}

/**
 * The Replicante Core containers each cluster folder's kustomizations build, read from one tree: every kustomization
 * of the tree is read once, however many folders are asked about.
 */
export class CoreViews {
  private readonly gatherer: Gatherer;
  private readonly builds: Map<string, Gathered>;

  /**
   * `reads`: the resource files it may read (a guard downloads each one); `deployers`: the Flux Kustomizations and
   * Argo CD Applications of the repo, whose own patches may change what a folder's build deploys.
   */
  constructor(
    private readonly tree: FileMap,
    reads: (path: string) => boolean = () => true,
    private readonly deployers: readonly { path: string; patches: boolean }[] = [],
  ) {
    this.gatherer = new Gatherer(tree, reads);
    this.builds = new Map(
      kustomizationFiles(tree).flatMap((f) => {
        const dir = posix.dirname(f) === "." ? "" : posix.dirname(f);
        const built = this.gatherer.gather(dir);
        return built ? [[dir, built] as const] : [];
      }),
    );
  }

  /**
   * The Core containers the kustomizations in `folder` (or below it) build, each with what it reads; undefined when
   * one of them cannot be followed (its patches, or those of a kustomization or a deployer that applies it, may change
   * mounts). A kustomization another one of the folder includes is read through that one only: an overlay's patches
   * and generators complete its base.
   */
  containers(folder: string): CoreContainer[] | undefined {
    const within = (dir: string): boolean => dir === folder || dir.startsWith(`${folder}/`);
    const builds = [...this.builds].filter(([dir]) => within(dir));
    const included = new Set(builds.flatMap(([dir, built]) => [...built.includes].filter((i) => i !== dir)));
    const roots = builds.filter(([dir]) => !included.has(dir));
    const above = (dir: string): boolean =>
      [...this.builds].some(([other, built]) => other !== dir && built.includes.has(dir) && built.own);
    const applied = (dir: string): boolean =>
      this.deployers.some(
        (d) => d.patches && (d.path === "" || dir === d.path || dir.startsWith(`${d.path}/`) || within(d.path)),
      );
    if (roots.length === 0 || roots.some(([dir, built]) => built.opaque || above(dir) || applied(dir)))
      return undefined;
    return roots.flatMap(([dir, built]) =>
      built.workloads.flatMap(({ doc, file }) =>
        coreContainersOf(doc, file, kustomizationIn(this.tree, dir) ?? dir, built),
      ),
    );
  }
}

/** The Replicante Core containers of one workload document a build puts out. */
function coreContainersOf(doc: Node, file: string, kustomization: string, built: Gathered): CoreContainer[] {
  const pod = podSpec(doc);
  if (!pod) return [];
  const volumes = new Map(
    list(pod.volumes).flatMap((v) => (isNode(v) && typeof v.name === "string" ? [[v.name, v] as const] : [])),
  );
  const name = isNode(doc.metadata) ? str(doc.metadata.name) : undefined;
  return list(pod.containers).flatMap((c): CoreContainer[] => {
    if (!isNode(c) || typeof c.image !== "string" || !isCoreImage(c.image)) return [];
    const config = configArgument([...list(c.command).slice(1), ...list(c.args)]);
    const read = containerView(c, volumes, built.generated);
    const unsetKeys = unsetKeysOf(c, volumes, built.generated);
    const cwd = str(c.workingDir);
    // A Flux substitution (`${VAR}`) or an expanded variable (`$(VAR)`) is filled in after the build.
    if (config === undefined || read === undefined || cwd?.includes("$")) return [];
    return [
      {
        workload: `${String(doc.kind)} ${name ?? "(unnamed)"}`,
        container: str(c.name) ?? "(unnamed)",
        file,
        kustomization,
        cwd: cwd === undefined ? undefined : posix.normalize(cwd),
        config,
        read,
        unsetKeys,
      },
    ];
  });
}

/** What a container reads at `path` (relative to its working directory, when it has one the manifest sets). */
function seenAt(c: CoreContainer, path: string): { at: string; seen: Seen } | undefined {
  if (!path.startsWith("/") && c.cwd === undefined) return undefined;
  const at = posix.resolve(c.cwd ?? "/", path);
  return { at, seen: c.read(at) };
}

/** How a container's view differs from the repo file Handover takes for what it reads at a path; undefined if alike. */
function differs(seen: Seen, expected: string): string | undefined {
  switch (seen.kind) {
    case "unknown":
      return undefined;
    case "absent":
      return `and ${seen.why}`;
    case "literal":
      return `from a literal of ${seen.from} (${seen.at}), not from ${expected}`;
    case "file":
      return seen.file === expected ? undefined : `from ${seen.file} (${seen.from}, ${seen.at}), not from ${expected}`;
  }
}

/** The entry that would put `expected` in the generator a container looked for it in, as its `files` write it. */
function missingEntry(seen: Seen, expected: string): string | undefined {
  if (seen.kind !== "absent" || !seen.generator || seen.key === undefined) return undefined;
  const path = posix.relative(seen.generator.dir || ".", expected);
  const entry = posix.basename(expected) === seen.key ? path : `${seen.key}=${path}`;
  return `; add ${entry} to the files of ${seen.generator.name} (${seen.generator.at})`;
}

/**
 * Where the Replicante Core containers of a cluster's folder would not read the repo files Handover takes for their
 * config and discovery files (rule `unmounted-file`).
 */
export function unmountedFiles(
  views: CoreViews,
  cluster: Pick<ClusterModel, "name" | "configPath" | "era" | "backends">,
  folder: string,
): Violation[] {
  const found: Violation[] = [];
  for (const c of views.containers(folder) ?? []) {
    const who = `${c.file}: ${c.workload}, container ${c.container}`;
    const files = (...more: string[]): string[] => [...new Set([c.file, c.kustomization, ...more])];
    if (c.unsetKeys.length > 0) {
      // The pod does not start: what it would read does not matter yet.
      for (const unset of c.unsetKeys)
        found.push({
          rule: "unmounted-file",
          message: `${who}: the items of volume ${unset.volume} name key ${unset.key}, which ${unset.from} (${unset.at}) does not hold: the kubelet does not set the volume up, and the pod does not start; add the key to the generator, or drop the item`,
          clusters: [cluster.name],
          subject: unset.key,
          files: files(),
        });
      continue;
    }
    const config = seenAt(c, c.config);
    const wrongConfig = config && differs(config.seen, cluster.configPath);
    if (config && wrongConfig) {
      found.push({
        rule: "unmounted-file",
        message: `${who}: reads its Core config at ${config.at}, ${wrongConfig}; ${CONFIG_PATH} names ${cluster.configPath} as ${cluster.name}'s config (clusters.${cluster.name}.config), so Handover would check and change a config this Core does not read; mount ${cluster.configPath} at ${config.at}${missingEntry(config.seen, cluster.configPath) ?? ""}`,
        clusters: [cluster.name],
        subject: config.at,
        files: files(cluster.configPath),
      });
      // The discovery files a config lists are those of the config it reads.
      continue;
    }
    if (cluster.era !== "files") continue;
    for (const backend of cluster.backends) {
      const [expected] = backend.files;
      const entry = seenAt(c, backend.entry);
      const wrong = expected !== undefined && entry ? differs(entry.seen, expected) : undefined;
      if (!entry || !expected || !wrong) continue;
      found.push({
        rule: "unmounted-file",
        message: `${who}: Core ${cluster.name} lists discovery file ${backend.entry} (${cluster.configPath}), which the container reads at ${entry.at}, ${wrong}: Handover counts the datastores ${expected} lists as ${cluster.name}'s, and this Core would not manage them${missingEntry(entry.seen, expected) ?? ""}`,
        clusters: [cluster.name],
        subject: backend.entry,
        files: files(expected),
      });
    }
  }
  return found;
}
