import { posix } from "node:path";
import {
  CONFIG_PATH,
  handoverConfig,
  normalizeRepoPath,
  statedEra,
  type ClusterSpec,
  type Era,
} from "../spec/config.js";
import { parseCoreVersion } from "../spec/version.js";
import { formatZodIssues } from "../spec/problems.js";
import type { Violation } from "../spec/violation.js";
import { readYaml } from "../spec/yaml.js";
import { finish } from "../spec/work.js";
import { TextMemo } from "../spec/memo.js";
import { ERA_ADAPTERS } from "./eras.js";
import { coreDependencies, PLACEHOLDER, placeholders, type Placeholder } from "./core.js";
import { normalizeUrl } from "./paths.js";
import { staticReach, type StaticSite } from "./static.js";
import { clusterFolder, findingDanglingRefs, type KustomizeRef } from "./kustomize.js";
import { findingResourceClashes, resourceName, type BuiltResource, type ResourceClash } from "./kustomize-build.js";
import { findingDeployerClashes, namedDeployers, type DeployerClash } from "./deployers.js";
import { CoreViews, unmountedFiles } from "./core-view.js";
import type { FileMap } from "./tree.js";
import type { ClusterModel, RepoModel } from "./types.js";

export { httpIdentity, normalizeUrl, resolveCorePath } from "./paths.js";
export type { ActionObject, Backend, ClusterModel, Reach, ReachKind, RepoModel } from "./types.js";

/** `unreadable`: handover.yml is missing or is not YAML at all (as opposed to YAML that breaks the schema). */
export type LoadResult = { ok: true; model: RepoModel } | { ok: false; unreadable: boolean; problems: Violation[] };

function invalid(message: string, clusters: string[], subject: string, files: string[]): Violation {
  return { rule: "invalid-config", message, clusters, subject, files };
}

function inferEra(core: unknown): Era {
  const backends = (core as { discovery?: { backends?: Record<string, unknown> } } | null)?.discovery?.backends;
  if (backends && typeof backends === "object") {
    if ("files" in backends) return "files";
    if ("http" in backends) return "http";
  }
  return "settings";
}

function* loadCluster(
  tree: FileMap,
  name: string,
  spec: ClusterSpec,
  statics: StaticSite[],
): Generator<void, ClusterModel> {
  const configPath = normalizeRepoPath(spec.config);
  const workdir = normalizeRepoPath(spec.workdir ?? posix.dirname(spec.config));
  const mounts = Object.entries(spec.mounts ?? {})
    .map(([abs, dir]): [string, string] => [abs.replace(/\/+$/, "") || "/", normalizeRepoPath(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const settingsDir = spec.settings_dir === undefined ? undefined : normalizeRepoPath(spec.settings_dir);
  const version = spec.version === undefined ? undefined : parseCoreVersion(spec.version);
  const stated = statedEra(spec);
  const base = { name, spec, configPath, workdir, settingsDir, mounts, version };
  const text = tree.get(configPath);
  /** A cluster whose Core config cannot be read: no backends, only the problem saying why. */
  const unreadable = (problem: Violation): ClusterModel => ({
    ...base,
    era: stated ?? "settings",
    core: null,
    backends: [],
    actions: [],
    dependencies: [],
    placeholders: [],
    problems: [problem],
  });
  if (text === undefined) {
    const problem = invalid(`cluster ${name}: Core config ${configPath} does not exist`, [name], configPath, [
      CONFIG_PATH,
    ]);
    return unreadable(problem);
  }
  const parsed = readYaml(configPath, text);
  if (!parsed.ok || (parsed.value !== null && (typeof parsed.value !== "object" || Array.isArray(parsed.value)))) {
    const message = parsed.ok
      ? `${configPath}: expected a YAML mapping (the Replicante Core config)`
      : parsed.problems.join("; ");
    const problem = invalid(`cluster ${name}: ${message}`, [name], configPath, [configPath]);
    return unreadable(problem);
  }
  const core = parsed.value ?? {};
  const inferred = inferEra(core);
  // The 0.7.1 docs still show a discovery.backends.http block, which 0.7 ignores: with a settings_dir it is settings.
  const era = stated ?? (inferred === "http" && settingsDir !== undefined ? "settings" : inferred);
  const eraProblems: Violation[] = [];
  if (settingsDir !== undefined && era !== "settings") {
    eraProblems.push(
      invalid(
        `${CONFIG_PATH}: clusters.${name}.settings_dir: ${JSON.stringify(spec.settings_dir)}: is only used by the settings era, and ${name} is ${era} era (${configPath} has discovery.backends.${era})`,
        [name],
        "settings_dir",
        [CONFIG_PATH],
      ),
    );
  }
  const cluster: ClusterModel = {
    ...base,
    settingsDir: era === "settings" ? settingsDir : undefined,
    era,
    core,
    backends: [],
    actions: [],
    problems: [],
    dependencies: coreDependencies(core, configPath, spec.network),
    placeholders: [...placeholders(core, configPath), ...staticPlaceholders(name, spec)],
  };
  const read = yield* ERA_ADAPTERS[era].read(cluster, tree);
  const served = staticReach(read.backends, statics, tree);
  cluster.backends = served.backends;
  read.problems.push(
    ...served.problems.map((p) => ({ ...p, message: `cluster ${name}: ${p.message}`, clusters: [name] })),
  );
  cluster.actions = read.actions ?? [];
  cluster.problems = [...eraProblems, ...read.problems];
  return cluster;
}

/** A static_discovery url left as REPLACE-ME by the scaffold: operators fill it in on the prepare PR. */
function staticPlaceholders(name: string, spec: ClusterSpec): Placeholder[] {
  const url = spec.static_discovery?.url;
  if (url === undefined || !url.includes(PLACEHOLDER)) return [];
  return [{ field: `clusters.${name}.static_discovery.url`, value: url, file: CONFIG_PATH }];
}

/** Trees are never changed once loaded (every step builds a new Map), so a load is kept per tree object. */
const loads = new WeakMap<FileMap, LoadResult>();

/** Parse `.github/handover.yml` and every cluster it lists. */
export function loadRepo(tree: FileMap): LoadResult {
  return loads.get(tree) ?? finish(loadingRepo(tree));
}

/** loadRepo as work that yields every so many backends: a large repo loaded without holding an event loop. */
export function* loadingRepo(tree: FileMap): Generator<void, LoadResult> {
  const hit = loads.get(tree);
  if (hit) return hit;
  const result = yield* readRepo(tree);
  loads.set(tree, result);
  return result;
}

/**
 * handover.yml through its schema, by its text: every tree a plan, a step or the guard loads has the same handover.yml
 * or one of a few, and its validation is a pure function of the text (the parsed config is only read, never changed).
 */
const configs = new TextMemo<ReturnType<typeof handoverConfig.safeParse>>(64, 4_000_000);

function validatedConfig(text: string, value: unknown): ReturnType<typeof handoverConfig.safeParse> {
  const known = configs.get(text);
  if (known) return known;
  const result = handoverConfig.safeParse(value);
  configs.set(text, result);
  return result;
}

function* readRepo(tree: FileMap): Generator<void, LoadResult> {
  const configText = tree.get(CONFIG_PATH);
  if (configText === undefined) {
    return {
      ok: false,
      unreadable: true,
      problems: [
        invalid(
          `${CONFIG_PATH} is missing: it says where each Replicante Core cluster lives (run \`handover init\`)`,
          [],
          CONFIG_PATH,
          [CONFIG_PATH],
        ),
      ],
    };
  }
  const raw = readYaml(CONFIG_PATH, configText);
  if (!raw.ok)
    return {
      ok: false,
      unreadable: true,
      problems: raw.problems.map((p) => invalid(p, [], CONFIG_PATH, [CONFIG_PATH])),
    };
  const result = validatedConfig(configText, raw.value);
  if (!result.success) {
    const lines = formatZodIssues(CONFIG_PATH, result.error.issues, raw.value);
    return {
      ok: false,
      unreadable: false,
      problems: lines.map((line) => invalid(line, [], CONFIG_PATH, [CONFIG_PATH])),
    };
  }
  const config = result.data;
  const clusters = new Map<string, ClusterModel>();
  const statics = staticSites(config);
  for (const [name, spec] of Object.entries(config.clusters))
    clusters.set(name, yield* loadCluster(tree, name, spec, statics));
  const folders = [...clusters.values()].flatMap((c) => {
    const folder = folderOf(c);
    return folder === undefined ? [] : [[c.name, folder] as const];
  });
  // Resource files are read in the clusters' folders only: a guard downloads each file the check reads.
  const inFolders = (path: string): boolean => folders.some(([, folder]) => path.startsWith(`${folder}/`));
  // The deployers are read once, for the clashes of what they apply and for the patches they make.
  const named = namedDeployers(tree, [...clusters.keys()]);
  const packaging = packagingProblems(folders, {
    dangling: yield* findingDanglingRefs(tree),
    clashes: yield* findingResourceClashes(tree, inFolders),
    deployed: yield* findingDeployerClashes(tree, [...clusters.keys()], inFolders, named),
  });
  const views = new CoreViews(tree, inFolders, named);
  for (const [name, folder] of folders)
    packaging.push(...unmountedFiles(views, clusters.get(name) as ClusterModel, folder));
  return { ok: true, model: { config, configText, clusters, packaging } };
}

/** The repo folders the clusters' static discovery servers publish (one still REPLACE-ME publishes nothing yet). */
export function staticSites(config: RepoModel["config"]): StaticSite[] {
  return Object.values(config.clusters).flatMap((c): StaticSite[] =>
    c.static_discovery && !c.static_discovery.url.includes(PLACEHOLDER)
      ? [{ url: normalizeUrl(c.static_discovery.url), dir: normalizeRepoPath(c.static_discovery.dir) }]
      : [],
  );
}

/** Repo dirs that belong to a cluster as a whole. */
export function clusterDirs(cluster: ClusterModel): string[] {
  const dirs = [
    cluster.workdir,
    posix.dirname(cluster.configPath),
    cluster.settingsDir ?? "",
    ...cluster.mounts.map(([, dir]) => dir),
    ...(cluster.spec.restart ? [posix.dirname(cluster.spec.restart.file)] : []),
  ];
  return [...new Set(dirs.map((d) => (d === "." ? "" : d)))].filter((d) => d !== "");
}

/** The folder the cluster's name stands for (`clusters/replicore-a`), where its packaging lives. */
export function folderOf(cluster: ClusterModel): string | undefined {
  return clusterFolder(cluster.name, clusterDirs(cluster));
}

/** What would keep the repo's packaging from deploying. */
interface PackagingFindings {
  dangling: readonly KustomizeRef[];
  clashes: readonly ResourceClash[];
  deployed: readonly DeployerClash[];
}

/** `folders`: each cluster's folder, by name, for the clusters a problem's files belong to. */
function packagingProblems(
  folders: readonly (readonly [string, string])[],
  { dangling, clashes, deployed }: PackagingFindings,
): Violation[] {
  const owners = (...files: string[]): string[] => [
    ...new Set(folders.filter(([, f]) => files.some((file) => file.startsWith(`${f}/`))).map(([name]) => name)),
  ];
  const danglingProblems = dangling.map((ref): Violation => {
    const what = ref.folderAllowed ? "file or folder with a kustomization" : "file";
    return {
      rule: "dangling-reference",
      message: `${ref.file}: ${ref.list.join(".").replace(/\.(\d+)\./g, "[$1].")}[${ref.index}]: ${JSON.stringify(ref.value)} names ${ref.target}, and no such ${what} exists (kustomize build fails)`,
      clusters: owners(ref.file),
      subject: ref.target,
      files: [ref.file],
    };
  });
  return [
    ...danglingProblems,
    ...clashes.map((clash) => clashProblem(clash, owners(clash.first.file, clash.second.file))),
    ...deployed.map((clash) => deployerProblem(clash, owners(`${clash.first.path}/`, `${clash.second.path}/`))),
  ];
}

/** How many objects a message names before it counts the rest. */
const NAMED_OBJECTS = 3;

function deployerProblem({ first, second, shared }: DeployerClash, clusters: string[]): Violation {
  const named = shared.slice(0, NAMED_OBJECTS).map(resourceName).join(", ");
  const more = shared.length > NAMED_OBJECTS ? ` and ${shared.length - NAMED_OBJECTS} more` : "";
  const apart = second.kind === "Flux Kustomization" ? "spec.targetNamespace" : "spec.destination.namespace";
  return {
    rule: "duplicate-resource",
    message: `${second.file}: ${second.kind} ${second.name} applies ${named}${more}, which ${first.kind} ${first.name} (${first.file}) applies too: each sync takes them from the other, and pruning one deletes them from under the other; give each cluster's copy a name of its own (prepare renames a name that contains the source cluster's name) or a namespace of its own (${apart})`,
    clusters,
    subject: `${second.kind} ${second.name}`,
    files: [second.file, first.file],
  };
}

function clashProblem({ kustomization, first, second, by }: ResourceClash, clusters: string[]): Violation {
  const from = (r: BuiltResource): string => `${r.file} (${r.where})`;
  const how = by === "namespace" ? ` once its namespace: ${second.namespace} puts them in one namespace` : "";
  const fix =
    clusters.length > 1
      ? "give each cluster's copy a name of its own (prepare renames a name that contains the source cluster's name)"
      : "give one of them a name of its own";
  return {
    rule: "duplicate-resource",
    message: `${kustomization}: builds ${resourceName(second)} twice, from ${from(first)} and ${from(second)}${how} (kustomize build fails); ${fix}`,
    clusters,
    subject: `${second.kind}/${second.namespace === "" ? "" : `${second.namespace}/`}${second.name}`,
    files: [...new Set([kustomization, first.file, second.file])],
  };
}
