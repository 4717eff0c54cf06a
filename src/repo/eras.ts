import { posix } from "node:path";
import type { Era } from "../spec/config.js";
import { show } from "../spec/problems.js";
import { readsLegacyClusterKey, type CoreVersion } from "../spec/version.js";
import type { Rule, Violation } from "../spec/violation.js";
import { FileReads, TextMemo } from "../spec/memo.js";
import { readYaml, readYamlDocuments } from "../spec/yaml.js";
import type { ActionObject, Backend, ClusterModel, Reach } from "./types.js";
import { httpIdentity, normalizeUrl, resolveCorePath } from "./paths.js";
import { filesUnder, type FileMap } from "./tree.js";

/** What an era adapter reads of a cluster. */
export interface EraRead {
  backends: Backend[];
  problems: Violation[];
  actions?: ActionObject[];
}

/** Backends read between two yields of an era adapter. */
const READ_PIECE = 100;
/**
 * DiscoverySettings files read between two yields: one a plan has not read yet (an object an adopt just wrote), in a
 * shape the line reader does not take, costs a parse, up to half a millisecond while the parser's code is still cold.
 */
const SETTINGS_READ_PIECE = 20;

/** How one Core era stores its discovery backends. */
export interface EraAdapter {
  /** Human name of where the backends live, for messages. */
  where: string;
  /** Whether the processes must restart to pick up a changed backend list. */
  needsRestart: boolean;
  /** The cluster's backends, as work that yields every so many of them (a cluster may list thousands). */
  read(cluster: ClusterModel, tree: FileMap): Generator<void, EraRead>;
}

/** Key path of the backend list in the Core config, per era that has one. */
export const BACKEND_LIST_PATH: Partial<Record<Era, string[]>> = {
  files: ["discovery", "backends", "files"],
  http: ["discovery", "backends", "http"],
};

function problem(rule: Rule, cluster: ClusterModel, message: string, subject: string, files: string[]): Violation {
  return { rule, message: `cluster ${cluster.name}: ${message}`, clusters: [cluster.name], subject, files };
}

function backendList(cluster: ClusterModel, era: "files" | "http"): { items: unknown[]; problems: Violation[] } {
  const path = BACKEND_LIST_PATH[era] ?? [];
  let node: unknown = cluster.core;
  for (const key of path) node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  if (node === undefined || node === null) return { items: [], problems: [] };
  if (Array.isArray(node)) return { items: node, problems: [] };
  const message = `${cluster.configPath}: ${path.join(".")}: ${show(node)}: expected a list of backends`;
  return { items: [], problems: [problem("invalid-config", cluster, message, path.join("."), [cluster.configPath])] };
}

type DiscoveryRead = { reach: Reach[] } | { error: string };
/**
 * What a discovery file's text reaches, by id key and text, without the path: a copy of the file (what adopt writes)
 * reads the same. A read that fails names the path in its message, so only reads that succeed are kept.
 */
const discoveryReads = new TextMemo<Omit<Reach, "file">[]>(20_000, 4_000_000);

/**
 * Which key names a datastore in a discovery file: Core < 0.3 reads only `cluster`, 0.3 only `cluster_id`
 * (the 0.3.0 rename has no alias); `either` when the cluster's version is not stated.
 */
export type ClusterIdKey = "cluster" | "cluster_id" | "either";

export function clusterIdKey(version: CoreVersion | undefined): ClusterIdKey {
  if (!version) return "either";
  return readsLegacyClusterKey(version) ? "cluster" : "cluster_id";
}

/** A files-era discovery file: a list of {cluster_id (or `cluster` before 0.3), display_name?, nodes[]}; memoized by text. */
function readDiscoveryFile(path: string, text: string, idKey: ClusterIdKey): DiscoveryRead {
  const key = `${idKey}\0${text}`;
  const hit = discoveryReads.get(key);
  if (hit) return { reach: hit.map((r) => ({ ...r, file: path })) };
  const read = parseDiscoveryFile(path, text, idKey);
  if ("reach" in read)
    discoveryReads.set(
      key,
      read.reach.map(({ kind, value }) => ({ kind, value })),
    );
  return read;
}

function parseDiscoveryFile(path: string, text: string, idKey: ClusterIdKey): DiscoveryRead {
  const parsed = readYaml(path, text);
  if (!parsed.ok) return { error: parsed.problems.join("; ") };
  if (!Array.isArray(parsed.value))
    return { error: `${path}: expected a list of clusters ({cluster_id, nodes}), got ${show(parsed.value)}` };
  const reach: Reach[] = [];
  for (const [i, item] of parsed.value.entries()) {
    const record = item as Record<string, unknown> | null;
    const id = idKey === "either" ? (record?.cluster_id ?? record?.cluster) : record?.[idKey];
    if (typeof id !== "string" || id === "") {
      const other = idKey === "cluster" ? "cluster_id" : "cluster";
      if (idKey !== "either" && record?.[other] !== undefined) {
        const reads =
          idKey === "cluster" ? "Core before 0.3 reads only `cluster`" : "Core 0.3+ reads only `cluster_id`";
        return { error: `${path}: [${i}].${other}: ${show(record[other])}: ${reads} (0.3.0 renamed the key)` };
      }
      return {
        error: `${path}: [${i}].${idKey === "either" ? "cluster_id" : idKey}: ${show(id)}: expected the datastore cluster id`,
      };
    }
    const nodes = record?.nodes;
    if (!Array.isArray(nodes) || nodes.some((n) => typeof n !== "string")) {
      return { error: `${path}: [${i}].nodes: ${show(nodes)}: expected a list of agent URLs` };
    }
    reach.push({ kind: "datastore", value: id, file: path });
    for (const node of nodes as string[]) reach.push({ kind: "node", value: normalizeUrl(node), file: path });
  }
  return { reach };
}

/**
 * The backend each files-era entry last gave, by the cluster's id key, working dir and mounts and the entry: a
 * function of those and of the text of the file the entry resolves to, so a load of a tree where that file did not
 * change (a plan loads a thousand-file repo again after each step of its general path) takes it as it was.
 */
const entryReads = new FileReads<Backend>(50_000, 16_000_000);

const filesEra: EraAdapter = {
  where: "discovery.backends.files",
  needsRestart: true,
  *read(cluster, tree) {
    const { items, problems } = backendList(cluster, "files");
    const backends: Backend[] = [];
    const scope = `${clusterIdKey(cluster.version)}\0${cluster.workdir}\0${JSON.stringify(cluster.mounts)}\0`;
    for (const [n, entry] of items.entries()) {
      if (n % READ_PIECE === READ_PIECE - 1) yield;
      const earlier = typeof entry === "string" ? entryReads.get(scope + entry, (b) => tree.get(b.key)) : undefined;
      if (earlier) {
        backends.push(earlier);
        continue;
      }
      if (typeof entry !== "string" || entry === "") {
        problems.push(
          problem(
            "invalid-config",
            cluster,
            `${cluster.configPath}: discovery.backends.files: ${show(entry)}: expected a file path`,
            String(entry),
            [cluster.configPath],
          ),
        );
        continue;
      }
      const resolved = resolveCorePath(entry, cluster.workdir, cluster.mounts);
      if (typeof resolved !== "string") {
        problems.push(
          problem("missing-discovery-file", cluster, `discovery file ${resolved.error}`, entry, [cluster.configPath]),
        );
        continue;
      }
      const text = tree.get(resolved);
      if (text === undefined) {
        problems.push(
          problem(
            "missing-discovery-file",
            cluster,
            `discovery file ${show(entry)} (${resolved}) does not exist`,
            entry,
            [cluster.configPath, resolved],
          ),
        );
        continue;
      }
      const read = readDiscoveryFile(resolved, text, clusterIdKey(cluster.version));
      if ("error" in read) {
        problems.push(problem("malformed-discovery-file", cluster, read.error, entry, [resolved]));
        continue;
      }
      const id = posix.basename(entry).replace(/\.[^.]*$/, "");
      const backend = { id, entry, key: resolved, files: [resolved], reach: read.reach };
      backends.push(backend);
      entryReads.set(scope + entry, text, backend);
    }
    return { backends, problems };
  },
};

const httpEra: EraAdapter = {
  where: "discovery.backends.http",
  needsRestart: true,
  *read(cluster) {
    const { items, problems } = backendList(cluster, "http");
    const backends: Backend[] = [];
    const seen = new Map<string, number>();
    for (const [i, item] of items.entries()) {
      if (i % READ_PIECE === READ_PIECE - 1) yield;
      const url = (item as Record<string, unknown> | null)?.url;
      if (typeof url !== "string" || url === "") {
        problems.push(
          problem(
            "invalid-config",
            cluster,
            `${cluster.configPath}: discovery.backends.http[${i}].url: ${show(url)}: expected the discovery URL`,
            `http[${i}]`,
            [cluster.configPath],
          ),
        );
        continue;
      }
      const key = httpIdentity(item as { url: string });
      const repeat = (seen.get(url) ?? 0) + 1;
      seen.set(url, repeat);
      backends.push({
        id: repeat === 1 ? url : `${url}#${repeat}`,
        entry: url,
        key,
        files: [],
        reach: [{ kind: "url", value: key, file: cluster.configPath }],
      });
    }
    return { backends, problems };
  },
};

/** Apply kinds that act on a datastore (Core 0.7.2 appliers); `metadata.cluster` names it. */
const ACTION_KINDS = new Set(["NodeAction", "AgentAction", "OrchestratorAction"]);

function actionObjects(docs: unknown[], file: string): ActionObject[] {
  return docs.flatMap((d): ActionObject[] => {
    const object = d as { kind?: unknown; metadata?: { cluster?: unknown; node?: unknown } } | null;
    const cluster = object?.metadata?.cluster;
    if (typeof object?.kind !== "string" || !ACTION_KINDS.has(object.kind) || typeof cluster !== "string") return [];
    const node = object.metadata?.node;
    return [{ kind: object.kind, cluster, node: typeof node === "string" ? normalizeUrl(node) : undefined, file }];
  });
}

/**
 * What each DiscoverySettings folder's file last gave (its backend, if it holds a DiscoverySettings object, and the apply
 * actions in it), by cluster, folder and path: a function of those and of the file's text, so a load of a tree where
 * the file did not change (a plan loads the repo again after each step) takes it as it was. Files with a problem are
 * read again each time.
 */
const settingsReads = new FileReads<{ backend: Backend | undefined; actions: ActionObject[] }>(50_000, 16_000_000);

const settingsEra: EraAdapter = {
  where: "DiscoverySettings objects",
  needsRestart: false,
  *read(cluster, tree) {
    const problems: Violation[] = [];
    const backends: Backend[] = [];
    const actions: ActionObject[] = [];
    if (cluster.settingsDir === undefined) {
      const message = `discovery is settings (Core 0.7+: no discovery.backends.files or .http in ${cluster.configPath}) but settings_dir is not set in .github/handover.yml`;
      return {
        backends,
        problems: [problem("invalid-config", cluster, message, "settings_dir", [".github/handover.yml"])],
      };
    }
    const files = filesUnder(tree, cluster.settingsDir)
      .filter((p) => /\.ya?ml$/.test(p))
      .sort();
    for (const [n, path] of files.entries()) {
      if (n % SETTINGS_READ_PIECE === SETTINGS_READ_PIECE - 1) yield;
      const text = tree.get(path) ?? "";
      const memo = `${cluster.name}\0${cluster.settingsDir}\0${path}`;
      const earlier = settingsReads.get(memo, () => text);
      if (earlier) {
        actions.push(...earlier.actions);
        if (earlier.backend) backends.push(earlier.backend);
        continue;
      }
      const docs = readYamlDocuments(path, text);
      if (!docs.ok) {
        problems.push(problem("malformed-discovery-file", cluster, docs.problems.join("; "), path, [path]));
        continue;
      }
      const own = actionObjects(docs.value, path);
      actions.push(...own);
      const remember = (backend: Backend | undefined) => settingsReads.set(memo, text, { backend, actions: own });
      const objects = docs.value.filter((d) => (d as Record<string, unknown> | null)?.kind === "DiscoverySettings");
      if (objects.length === 0) {
        remember(undefined);
        continue;
      }
      if (objects.length > 1) {
        problems.push(
          problem(
            "malformed-discovery-file",
            cluster,
            `${path} holds ${objects.length} DiscoverySettings objects; replictl apply takes one object per file`,
            path,
            [path],
          ),
        );
        continue;
      }
      const object = objects[0] as {
        metadata?: { name?: unknown };
        spec?: { url?: unknown; enabled?: unknown; headers?: unknown; tls?: unknown };
      };
      const name = object.metadata?.name;
      const url = object.spec?.url;
      if (typeof name !== "string" || name === "" || typeof url !== "string" || url === "") {
        const field =
          typeof name !== "string" || name === "" ? `metadata.name: ${show(name)}` : `spec.url: ${show(url)}`;
        problems.push(
          problem("malformed-discovery-file", cluster, `${path}: ${field}: expected a non-empty string`, path, [path]),
        );
        continue;
      }
      const identity = httpIdentity({ url, headers: object.spec?.headers, tls: object.spec?.tls });
      const reach: Reach[] = object.spec?.enabled === false ? [] : [{ kind: "url", value: identity, file: path }];
      const backend = { id: name, entry: posix.relative(cluster.settingsDir, path), key: path, files: [path], reach };
      backends.push(backend);
      remember(backend);
    }
    return { backends, problems, actions };
  },
};

export const ERA_ADAPTERS: Record<Era, EraAdapter> = { files: filesEra, http: httpEra, settings: settingsEra };
