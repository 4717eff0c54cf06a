/** Facts read from a Replicante Core config (any era): its dependencies and unfinished placeholders. */

export const PLACEHOLDER = "REPLACE-ME";

export interface Dependency {
  kind: "coordinator" | "storage" | "kafka";
  /** Normal form: two clusters with the same identity share the dependency. */
  identity: string;
  /** The value as written, for messages. */
  display: string;
  /** Dotted field path in the Core config. */
  field: string;
  file: string;
}

export interface Placeholder {
  field: string;
  value: string;
  file: string;
}

type Node = Record<string, unknown>;

function child(node: unknown, ...keys: string[]): unknown {
  let current = node;
  for (const key of keys) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Node)[key];
  }
  return current;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * A host as compared across clusters: a bare name (`mongo`, `kafka`: a compose service or a namespace-local Service)
 * means a different service on each network, so it is qualified by the cluster's `network` when one is set.
 */
function qualify(host: string, network: string | undefined): string {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const bare = !name.includes(".") && !name.includes(":") && name !== "localhost";
  return bare && network !== undefined ? `${network}/${host}` : host;
}

/** `zk2:2181,zk1:2181/replicante` and `zk1:2181,zk2:2181/replicante` are the same ensemble. */
function normalizeHosts(hosts: string, network?: string, defaultPort?: string): string {
  return [
    ...new Set(
      hosts
        .split(",")
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean)
        .map((h) => (defaultPort && !/:\d+$/.test(h) ? `${h}:${defaultPort}` : h))
        .map((h) => qualify(h, network)),
    ),
  ]
    .sort()
    .join(",");
}

function ensembleIdentity(ensemble: string, network: string | undefined): string {
  const slash = ensemble.indexOf("/");
  const hosts = slash === -1 ? ensemble : ensemble.slice(0, slash);
  const chroot = slash === -1 ? "" : ensemble.slice(slash).replace(/\/+$/, "");
  return `${normalizeHosts(hosts, network)}${chroot}`;
}

/**
 * A MongoDB connection string as the set of its hosts (order, credentials, trailing slash and options ignored);
 * Replicante names the database in `options.db`, which the caller adds.
 */
function mongoHosts(uri: string, network: string | undefined): string {
  const rest = uri.replace(/^mongodb(\+srv)?:\/\//i, "");
  const authority = rest.split(/[/?]/)[0] ?? "";
  const hosts = authority.includes("@") ? authority.slice(authority.lastIndexOf("@") + 1) : authority;
  return normalizeHosts(hosts, network, "27017");
}

/** Storage sections per era: 0.1-0.3 `storage`, 0.4+ `storage.primary` and `storage.view`. */
const STORAGE_SECTIONS: { path: string[]; defaultDb: string }[] = [
  { path: ["storage"], defaultDb: "replicore" },
  { path: ["storage", "primary"], defaultDb: "replicore" },
  { path: ["storage", "view"], defaultDb: "repliview" },
];

/** Kafka users per era: events stream (0.2-0.6), flat events (0.7), tasks. */
const KAFKA_SECTIONS: { path: string[]; prefixKey: string; defaultPrefix: string }[] = [
  { path: ["events", "stream"], prefixKey: "topic_prefix", defaultPrefix: "stream" },
  { path: ["events"], prefixKey: "topic_prefix", defaultPrefix: "stream" },
  { path: ["tasks"], prefixKey: "queue_prefix", defaultPrefix: "task" },
];

/** Dependencies configured explicitly in a Core config (defaults are per-node localhost and not compared). */
export function coreDependencies(core: unknown, file: string, network?: string): Dependency[] {
  const found: Dependency[] = [];
  const ensemble = text(child(core, "coordinator", "options", "ensemble"));
  if (ensemble) {
    found.push({
      kind: "coordinator",
      identity: ensembleIdentity(ensemble, network),
      display: ensemble,
      field: "coordinator.options.ensemble",
      file,
    });
  }
  for (const section of STORAGE_SECTIONS) {
    const uri = text(child(core, ...section.path, "options", "uri"));
    if (!uri) continue;
    const db = text(child(core, ...section.path, "options", "db")) ?? section.defaultDb;
    found.push({
      kind: "storage",
      identity: `${mongoHosts(uri, network)}|${db}`,
      display: `uri ${uri} db ${db}`,
      field: `${section.path.join(".")}.options.uri`,
      file,
    });
  }
  for (const section of KAFKA_SECTIONS) {
    const brokers = text(child(core, ...section.path, "options", "brokers"));
    if (!brokers) continue;
    const prefix = text(child(core, ...section.path, "options", section.prefixKey)) ?? section.defaultPrefix;
    found.push({
      kind: "kafka",
      identity: `${normalizeHosts(brokers, network)}|${prefix}`,
      display: `brokers ${brokers} prefix ${prefix}`,
      field: `${section.path.join(".")}.options.brokers`,
      file,
    });
  }
  return found;
}

/** Every string value holding REPLACE-ME, with its field path. */
export function placeholders(core: unknown, file: string): Placeholder[] {
  const found: Placeholder[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === "string") {
      if (node.includes(PLACEHOLDER)) found.push({ field: path, value: node, file });
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) walk(value, path ? `${path}.${key}` : key);
    }
  };
  walk(core, "");
  return found;
}
