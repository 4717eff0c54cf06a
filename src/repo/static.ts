import { posix } from "node:path";
import { show } from "../spec/problems.js";
import type { Violation } from "../spec/violation.js";
import { normalizeUrl } from "./paths.js";
import type { FileMap } from "./tree.js";
import type { Backend, Reach } from "./types.js";

/** A repo folder a static web server publishes at a url (a cluster's `static_discovery`). */
export interface StaticSite {
  url: string;
  dir: string;
}

/** The repo file a discovery url names when it lies under a static site, else undefined. */
export function staticFile(url: string, statics: readonly StaticSite[]): string | undefined {
  const normal = normalizeUrl(url);
  for (const site of statics) {
    if (normal.startsWith(`${site.url}/`))
      return posix.join(site.dir, normal.slice(site.url.length + 1).split("?")[0] ?? "");
  }
  return undefined;
}

/** The datastores of Replicante's http discovery answer `{"cursor": null, "clusters": [{cluster_id, nodes}]}`. */
export function readDiscoveryDocument(path: string, text: string): { reach: Reach[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `${path}: not JSON: ${(err as Error).message}` };
  }
  const clusters = (parsed as { clusters?: unknown } | null)?.clusters;
  if (!Array.isArray(clusters)) return { error: `${path}: clusters: ${show(clusters)}: expected a list of clusters` };
  const reach: Reach[] = [];
  for (const [i, item] of clusters.entries()) {
    const record = item as { cluster_id?: unknown; nodes?: unknown } | null;
    if (typeof record?.cluster_id !== "string" || record.cluster_id === "")
      return {
        error: `${path}: clusters[${i}].cluster_id: ${show(record?.cluster_id)}: expected the datastore cluster id`,
      };
    if (!Array.isArray(record.nodes) || record.nodes.some((n) => typeof n !== "string"))
      return { error: `${path}: clusters[${i}].nodes: ${show(record.nodes)}: expected a list of agent URLs` };
    reach.push({ kind: "datastore", value: record.cluster_id, file: path });
    for (const node of record.nodes as string[]) reach.push({ kind: "node", value: normalizeUrl(node), file: path });
  }
  return { reach };
}

/**
 * Backends whose url a static site serves also reach the datastores of the document it names (so a files-era
 * datastore and the same id in a static document are compared across eras). A disabled object reaches nothing.
 */
export function staticReach(
  backends: Backend[],
  statics: readonly StaticSite[],
  tree: FileMap,
): { backends: Backend[]; problems: Violation[] } {
  const problems: Violation[] = [];
  if (statics.length === 0) return { backends, problems };
  const out = backends.map((backend) => {
    const url = backend.reach.find((r) => r.kind === "url");
    if (!url) return backend;
    const file = staticFile(url.value.split(" ")[0] ?? "", statics);
    if (file === undefined) return backend;
    const text = tree.get(file);
    if (text === undefined) {
      problems.push({
        rule: "missing-discovery-file",
        message: `static discovery document ${file} (served as ${url.value.split(" ")[0]}) does not exist`,
        clusters: [],
        subject: file,
        files: [file],
      });
      return backend;
    }
    const read = readDiscoveryDocument(file, text);
    if ("error" in read) {
      problems.push({
        rule: "malformed-discovery-file",
        message: read.error,
        clusters: [],
        subject: file,
        files: [file],
      });
      return backend;
    }
    return { ...backend, files: [...backend.files, file], reach: [...backend.reach, ...read.reach] };
  });
  return { backends: out, problems };
}
