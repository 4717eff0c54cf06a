// What `handover init` reads from a config repo: cluster names, the workload to restart, the deploy tool's object.
import { posix } from "node:path";
import { deployedFolder } from "../plan/index.js";
import { readYamlDocuments } from "../spec/yaml.js";

type Tree = ReadonlyMap<string, string>;

/** Folder names that say what a folder holds, not which cluster it is. */
const GENERIC =
  /^(config|configs|conf|conf\.d|etc|base|overlays?|deploy|manifests|k8s|kustomize|production|prod|staging|dev)$/;

export interface Workload {
  file: string;
  document: number;
  kind: "Deployment" | "StatefulSet";
  name: string;
}

function dirOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === "." ? "" : dir;
}

/** Deployments and StatefulSets in one file. */
function workloadsIn(path: string, text: string): Workload[] {
  if (!/\.ya?ml$/.test(path) || !/kind:\s*(Deployment|StatefulSet)/.test(text)) return [];
  const docs = readYamlDocuments(path, text);
  if (!docs.ok) return [];
  return docs.value.flatMap((doc, document) => {
    const object = doc as { kind?: unknown; metadata?: { name?: unknown } } | null;
    const kind = object?.kind;
    const name = object?.metadata?.name;
    return (kind === "Deployment" || kind === "StatefulSet") && typeof name === "string"
      ? [{ file: path, document, kind, name }]
      : [];
  });
}

/**
 * The workload that runs the Core of a config: the nearest Deployment or StatefulSet in the config's folder or a folder
 * above it (not the repo root), one running the replicante image first.
 */
export function workloadOf(tree: Tree, configPath: string): Workload | undefined {
  for (let dir = dirOf(configPath); dir !== ""; dir = dirOf(dir)) {
    const here = [...tree.keys()].filter((p) => dirOf(p) === dir).sort();
    const found = here.flatMap((p) => workloadsIn(p, tree.get(p) ?? ""));
    const core = found.filter((w) => (tree.get(w.file) ?? "").includes("replicanteio/replicante"));
    const pick = core[0] ?? found[0];
    if (pick) return pick;
  }
  return undefined;
}

/** The folder that names a cluster: the config's folder, or the first one above it that is not a generic name. */
export function namingFolder(configPath: string): string {
  const parts = dirOf(configPath).split("/").filter(Boolean);
  while (parts.length > 1) {
    const last = parts[parts.length - 1] ?? "";
    const above = parts[parts.length - 2] ?? "";
    if (GENERIC.test(last) || GENERIC.test(above)) parts.pop();
    else break;
  }
  return parts.join("/");
}

function asName(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, "-")
      .replace(/^[^a-z0-9]+/, "")
      .slice(0, 63) || "replicore"
  );
}

/**
 * A cluster's name: the workload's `metadata.name` when a folder of the config's path names it (the scaffold needs the
 * name in the paths), else the folder above generic names (`config`, `base`, `overlays/production`).
 */
export function clusterNameOf(tree: Tree, configPath: string): string {
  const folder = posix.basename(namingFolder(configPath)) || "replicore";
  const workload = workloadOf(tree, configPath);
  if (workload && dirOf(configPath).split("/").includes(workload.name)) return asName(workload.name);
  return asName(folder);
}

/** The Flux Kustomization or Argo CD Application that deploys a folder (or a folder above or inside it), most specific first. */
export function deployerOf(tree: Tree, folder: string): { flux: string } | { argocd: string } | undefined {
  const found: { path: string; check: { flux: string } | { argocd: string } }[] = [];
  for (const [file, text] of tree) {
    if (!/\.ya?ml$/.test(file) || (!text.includes("kustomize.toolkit.fluxcd.io") && !text.includes("argoproj.io")))
      continue;
    const docs = readYamlDocuments(file, text);
    if (!docs.ok) continue;
    for (const doc of docs.value) {
      const path = deployedFolder(doc);
      const name = (doc as { metadata?: { name?: unknown } } | null)?.metadata?.name;
      if (path === undefined || typeof name !== "string") continue;
      const related = path === "" || folder === path || folder.startsWith(`${path}/`) || path.startsWith(`${folder}/`);
      if (!related) continue;
      const kind = String((doc as { kind?: unknown }).kind);
      found.push({ path, check: kind === "Application" ? { argocd: name } : { flux: name.toLowerCase() } });
    }
  }
  // A deployer of the folder itself or an overlay in it beats one that applies a whole parent folder.
  found.sort(
    (a, b) => Number(b.path.startsWith(folder)) - Number(a.path.startsWith(folder)) || b.path.length - a.path.length,
  );
  return found[0]?.check;
}
