import { posix } from "node:path";
import { finish } from "../spec/work.js";
import { isRepoPath, normalizeRepoPath } from "../spec/config.js";
import { readingYamlDocuments, readYaml } from "../spec/yaml.js";
import type { FileMap } from "./tree.js";

/** The file names `kustomize build` looks for in a folder, in its order. */
export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

export function isKustomization(path: string): boolean {
  return (KUSTOMIZATION_NAMES as readonly string[]).includes(posix.basename(path));
}

/** The kustomization file of a folder (`` is the repo root), if it has one. */
export function kustomizationIn(tree: FileMap, dir: string): string | undefined {
  return KUSTOMIZATION_NAMES.map((name) => (dir === "" ? name : `${dir}/${name}`)).find((path) => tree.has(path));
}

/** Which list of a kustomization an entry belongs to. */
export type KustomizeField = "resources" | "components" | "files" | "patches" | "patchesStrategicMerge";

/** One local path a kustomization names. */
export interface KustomizeRef {
  /** The kustomization file. */
  file: string;
  field: KustomizeField;
  /** Key path of the list holding the entry, for the edit engine (`[configMapGenerator, 0, files]`). */
  list: (string | number)[];
  /** Index of the entry in that list. */
  index: number;
  /** The entry's value as written (`mongo.yaml=conf.d/mongo.yaml`, `../replicore-a`, `{path: patch.yaml}` -> the path). */
  value: string;
  /** The `key=` part of a generator entry, `` when the entry is a bare path. */
  key: string;
  /** The repo path it names, resolved from the kustomization's folder. */
  target: string;
  /** `resources` and `components` may name a folder holding a kustomization; the other fields name files. */
  folderAllowed: boolean;
}

/** Remote bases (`github.com/org/repo//path?ref=v1`, `https://...`, `git@...`) are not files of this repo. */
function isRemote(value: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(value) ||
    /^git@/.test(value) ||
    value.includes("?ref=")
  );
}

/**
 * The repo path a kustomization in `dir` names with `path`; undefined for a remote base, an absolute path or one
 * outside the repo (not files of this repo).
 */
export function localTarget(dir: string, path: string): string | undefined {
  if (path === "" || isRemote(path) || path.startsWith("/")) return undefined;
  const joined = posix.join(dir || ".", path);
  return isRepoPath(joined) ? normalizeRepoPath(joined) : undefined;
}

type Node = Record<string, unknown>;

function listAt(doc: unknown, key: string): unknown[] {
  const value = doc && typeof doc === "object" ? (doc as Node)[key] : undefined;
  return Array.isArray(value) ? value : [];
}

/** Every local path a kustomization file names; entries it cannot read (remote, outside the repo) are left out. */
export function kustomizationRefs(file: string, text: string): KustomizeRef[] {
  return finish(readingKustomizationRefs(file, text));
}

/** Entries of a kustomization resolved between two yields. */
const REFS_PER_PIECE = 100;

/** kustomizationRefs as work that yields (a generator may list a thousand discovery files). */
export function* readingKustomizationRefs(file: string, text: string): Generator<void, KustomizeRef[]> {
  yield* readingYamlDocuments(file, text);
  const parsed = readYaml(file, text);
  if (!parsed.ok) return [];
  const doc = parsed.value;
  const dir = posix.dirname(file) === "." ? "" : posix.dirname(file);
  const refs: KustomizeRef[] = [];
  const add = (
    field: KustomizeField,
    list: (string | number)[],
    index: number,
    value: string,
    key: string,
    path: string,
  ) => {
    const target = localTarget(dir, path);
    if (target === undefined) return;
    refs.push({
      file,
      field,
      list,
      index,
      value,
      key,
      target,
      folderAllowed: field === "resources" || field === "components",
    });
  };
  for (const field of ["resources", "components", "patchesStrategicMerge"] as const) {
    listAt(doc, field).forEach((entry, i) => {
      if (typeof entry === "string") add(field, [field], i, entry, "", entry);
    });
  }
  listAt(doc, "patches").forEach((patch, i) => {
    const path = (patch as Node | null)?.path;
    if (typeof path === "string") add("patches", ["patches"], i, path, "", path);
  });
  for (const generator of ["configMapGenerator", "secretGenerator"] as const) {
    for (const [g, gen] of listAt(doc, generator).entries()) {
      for (const [i, entry] of listAt(gen, "files").entries()) {
        if (i % REFS_PER_PIECE === REFS_PER_PIECE - 1) yield;
        if (typeof entry !== "string") continue;
        const eq = entry.indexOf("=");
        const key = eq === -1 ? "" : entry.slice(0, eq);
        add("files", [generator, g, "files"], i, entry, key, eq === -1 ? entry : entry.slice(eq + 1));
      }
    }
  }
  return refs;
}

/** Every kustomization file of a tree. */
export function kustomizationFiles(tree: FileMap): string[] {
  return [...tree.keys()].filter(isKustomization).sort();
}

/** Whether a reference names something `kustomize build` would find: a file, or (resources) a folder with a kustomization. */
export function refResolves(tree: FileMap, ref: KustomizeRef): boolean {
  if (tree.has(ref.target)) return true;
  return ref.folderAllowed && kustomizationIn(tree, ref.target) !== undefined;
}

/** References of every kustomization in the tree that name a missing file or folder. */
export function danglingRefs(tree: FileMap): KustomizeRef[] {
  return finish(findingDanglingRefs(tree));
}

/** danglingRefs as work that yields: a kustomization may list thousands of files. */
export function* findingDanglingRefs(tree: FileMap): Generator<void, KustomizeRef[]> {
  const dangling: KustomizeRef[] = [];
  for (const file of kustomizationFiles(tree)) dangling.push(...(yield* findingDanglingIn(tree, file)));
  return dangling;
}

/** The references of one kustomization of the tree that name a missing file or folder, as work that yields. */
export function* findingDanglingIn(tree: FileMap, file: string): Generator<void, KustomizeRef[]> {
  const dangling: KustomizeRef[] = [];
  for (const [i, ref] of (yield* readingKustomizationRefs(file, tree.get(file) ?? "")).entries()) {
    if (i % REFS_PER_PIECE === REFS_PER_PIECE - 1) yield;
    if (!refResolves(tree, ref)) dangling.push(ref);
  }
  return dangling;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A cluster name standing as a name in a path or text, not inside a longer word (`replicore-a`, not `replicore-ab`). */
export function namePattern(name: string, flags = ""): RegExp {
  return new RegExp(`(?<![A-Za-z0-9])${escapeRegex(name)}(?![A-Za-z0-9])`, flags);
}

/**
 * A cluster's folder: the shortest path, among its own dirs, that ends in the first segment naming the cluster
 * (`clusters/replicore-a` for `clusters/replicore-a/etc/replicante.yaml`); undefined when no dir names it.
 */
export function clusterFolder(name: string, dirs: readonly string[]): string | undefined {
  const pattern = namePattern(name);
  const found = dirs
    .map((dir) => {
      const parts = dir.split("/").filter(Boolean);
      const at = parts.findIndex((part) => pattern.test(part));
      return at === -1 ? undefined : parts.slice(0, at + 1).join("/");
    })
    .filter((dir): dir is string => dir !== undefined)
    .sort((a, b) => a.length - b.length);
  return found[0];
}
