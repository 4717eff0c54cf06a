import { posix } from "node:path";
import { clusterDirs, filesUnder, folderOf, type ClusterModel, type FileMap, type RepoModel } from "../repo/index.js";
import { CONFIG_PATH } from "../spec/config.js";

/** Dirs that belong to a cluster as a whole (never the repo root). */
function rootsOf(cluster: ClusterModel): string[] {
  const roots = [
    cluster.workdir,
    posix.dirname(cluster.configPath),
    cluster.settingsDir ?? "",
    ...cluster.mounts.map(([, dir]) => dir),
  ];
  return [...new Set(roots.map((r) => (r === "." ? "" : r)))].filter((r) => r !== "");
}

/**
 * The folder named after the cluster (`clusters/replicore-a` above `clusters/replicore-a/etc/`) belongs to it too, with
 * its packaging, unless another cluster lives inside it.
 */
export function clusterFolderOf(model: RepoModel, cluster: ClusterModel): string | undefined {
  const folder = folderOf(cluster);
  if (folder === undefined) return undefined;
  const others = [...model.clusters.values()].filter((c) => c.name !== cluster.name);
  return others.some((c) => clusterDirs(c).some((d) => under(d, folder))) ? undefined : folder;
}

/** Files a cluster names one by one. */
function explicitFiles(cluster: ClusterModel): string[] {
  return [
    cluster.configPath,
    ...(cluster.spec.restart ? [cluster.spec.restart.file] : []),
    ...cluster.backends.flatMap((b) => b.files),
  ];
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * Every file of one cluster: the files it names and everything under its own dirs, except what another
 * cluster names or keeps under any of its dirs (shared, nested or enclosing), and never `.github/handover.yml`.
 * When in doubt a file is kept: deleting another cluster's file is worse than leaving one behind.
 */
export function ownedFiles(model: RepoModel, name: string, tree: FileMap): string[] {
  const cluster = model.clusters.get(name);
  if (!cluster) return [];
  const folder = clusterFolderOf(model, cluster);
  const roots = [...rootsOf(cluster), ...(folder === undefined ? [] : [folder])];
  const others = [...model.clusters.values()].filter((c) => c.name !== name);
  const otherFiles = new Set(others.flatMap(explicitFiles));
  const otherRoots = others.flatMap(rootsOf);
  const explicit = new Set(explicitFiles(cluster));
  const candidates = new Set([...explicit, ...roots.flatMap((root) => filesUnder(tree, root))]);
  return [...candidates]
    .filter((path) => tree.has(path) && path !== CONFIG_PATH && !otherFiles.has(path))
    .filter((path) => explicit.has(path) || !otherRoots.some((r) => under(path, r)))
    .sort();
}
