import { posix } from "node:path";
import { isMap, parseDocument } from "yaml";
import { appendSeqItems } from "../edit/index.js";
import { BACKEND_LIST_PATH, httpIdentity, loadRepo, type ClusterModel } from "../repo/index.js";
import { CONFIG_PATH } from "../spec/config.js";
import { InputError } from "../spec/problems.js";
import { readYaml, sameYamlValues } from "../spec/yaml.js";
import type { FileMap } from "../repo/index.js";
import type { MigrationContext, MovedBackend } from "./types.js";

/** Adopt steps that cross discovery eras (DESIGN.md section 3a): the target gets its own era's shape of each backend. */

const NAME_LIMIT = 40;

/** A backend id made into an object or file name: lowercase, other characters `-`, at most 40. */
export function nameFor(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .replace(/^-+/, "")
      .slice(0, NAME_LIMIT)
      .replace(/-+$/, "") || "backend"
  );
}

/** Seconds between discovery runs of the source (`discovery.interval`), the interval its backends keep. */
function sourceInterval(ctx: MigrationContext): number {
  const known = intervals.get(ctx.base)?.get(ctx.source);
  if (known !== undefined) return known;
  const loaded = loadRepo(ctx.base);
  const core = loaded.ok ? loaded.model.clusters.get(ctx.source)?.core : undefined;
  const interval = (core as { discovery?: { interval?: unknown } } | null | undefined)?.discovery?.interval;
  const seconds = typeof interval === "number" && Number.isInteger(interval) && interval > 0 ? interval : 60;
  intervals.set(ctx.base, (intervals.get(ctx.base) ?? new Map<string, number>()).set(ctx.source, seconds));
  return seconds;
}

/**
 * The source's interval by the planned-on tree (never changed once planned on): read once per plan, not at every
 * adopt (a load of the whole tree each time made a plan of many groups quadratic).
 */
const intervals = new WeakMap<FileMap, Map<string, number>>();

/** The http entry's own fields as written, indented under `spec:` (a flow entry is written one field a line). */
function specFields(raw: string): string[] {
  const doc = parseDocument(raw);
  if (!isMap(doc.contents))
    throw new InputError([`cannot read the http backend entry ${JSON.stringify(raw)} as a map`]);
  if (doc.contents.flow) {
    return Object.entries(doc.toJS() as Record<string, unknown>).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  }
  return raw
    .replace(/\n+$/, "")
    .split("\n")
    .map((line) => (line === "" ? "" : `  ${line}`));
}

function settingsObject(name: string, interval: number, fields: string[]): string {
  return [
    "apiVersion: replicante.io/v0",
    "kind: DiscoverySettings",
    "metadata:",
    "  namespace: default",
    `  name: ${name}`,
    "spec:",
    "  backend: http",
    "  enabled: true",
    `  interval: ${interval}`,
    ...fields,
    "",
  ].join("\n");
}

/**
 * Write a new file, or refuse when a different one is already there (never overwrite the target's own). A YAML file
 * with the same values, however commented, is the same file: a person's comment in it stays.
 */
function place(next: Map<string, string>, path: string, content: string, what: string): boolean {
  const existing = next.get(path);
  if (existing !== undefined && sameYamlValues(path, existing, content)) return false;
  if (existing !== undefined) {
    throw new InputError([
      `${path}: a different file is already where ${what} would be written; Handover never overwrites it: move it away and plan again`,
    ]);
  }
  next.set(path, content);
  return true;
}

/**
 * Endpoints written as DiscoverySettings objects between two yields (each entry's fields are parsed: about a tenth of
 * a millisecond), and discovery files read into a document (each read from the parse memo).
 */
const ENDPOINTS_PER_PIECE = 20;
const FILES_PER_PIECE = 200;

/** Replicante's http discovery answer holding every datastore of the group's discovery files. */
function* documenting(ctx: MigrationContext, backends: MovedBackend[]): Generator<void, string> {
  const clusters: { cluster_id: string; display_name?: string; nodes: string[] }[] = [];
  for (const [n, backend] of backends.entries()) {
    if (n % FILES_PER_PIECE === FILES_PER_PIECE - 1) yield;
    const text = ctx.base.get(backend.key);
    const parsed = text === undefined ? undefined : readYaml(backend.key, text);
    if (!parsed?.ok || !Array.isArray(parsed.value)) {
      throw new InputError([`${backend.key}: the source's discovery file of ${backend.id} cannot be read any more`]);
    }
    for (const item of parsed.value as Record<string, unknown>[]) {
      const id = item.cluster_id ?? item.cluster;
      const entry: { cluster_id: string; display_name?: string; nodes: string[] } = {
        cluster_id: String(id),
        nodes: (item.nodes as string[]) ?? [],
      };
      if (typeof item.display_name === "string") entry.display_name = item.display_name;
      clusters.push({
        cluster_id: entry.cluster_id,
        ...(entry.display_name ? { display_name: entry.display_name } : {}),
        nodes: entry.nodes,
      });
    }
  }
  return `${JSON.stringify({ cursor: null, clusters }, null, 2)}\n`;
}

function staticSite(target: ClusterModel): { dir: string; url: string } {
  const site = target.spec.static_discovery;
  if (!site) {
    throw new InputError([
      `${CONFIG_PATH}: clusters.${target.name}.static_discovery: is required to adopt files-era backends into a ${target.era}-era cluster: ` +
        "a folder a static web server publishes ({dir, url}), where Handover writes the discovery documents",
    ]);
  }
  return { dir: posix.normalize(site.dir).replace(/\/+$/, ""), url: site.url.replace(/\/+$/, "") };
}

/** What an adopt across eras wrote into the tree, and the endpoint it wants listed (files era to http era). */
export interface AcrossWrites {
  /** Whether it wrote a file the tree lacked. */
  changed: boolean;
  /** The static discovery document's path, when it placed one (files-era backends). */
  document?: string;
  /** The http endpoint the target must list: the list item that lists it, and its identity (a backend key). */
  endpoint?: { item: string; key: string };
}

/**
 * The files of the target's side of one adopt step across eras (DiscoverySettings objects, a static discovery
 * document), placed in `next`, as work that yields (a group may move thousands of backends); the http list of an
 * http-era target is the caller's (see `endpoint`).
 */
export function* writingAcross(
  next: Map<string, string>,
  ctx: MigrationContext,
  target: ClusterModel,
  group: string,
  backends: MovedBackend[],
): Generator<void, AcrossWrites> {
  if (ctx.crossing === "http-to-settings") {
    let changed = false;
    const interval = sourceInterval(ctx);
    for (const [n, backend] of backends.entries()) {
      if (n % ENDPOINTS_PER_PIECE === ENDPOINTS_PER_PIECE - 1) yield;
      const name = nameFor(backend.id);
      const path = posix.join(target.settingsDir ?? "", `${name}.yaml`);
      const object = settingsObject(name, interval, specFields(backend.raw));
      changed = place(next, path, object, `${backend.id}'s DiscoverySettings`) || changed;
    }
    return { changed };
  }
  const site = staticSite(target);
  const document = posix.join(site.dir, `${group}.json`);
  const url = `${site.url}/${group}.json`;
  const text = yield* documenting(ctx, backends);
  const changed = place(next, document, text, `group ${group}'s static discovery document`);
  if (ctx.crossing === "files-to-http")
    return { changed, document, endpoint: { item: `url: '${url}'`, key: httpIdentity({ url }) } };
  const object = settingsObject(group, sourceInterval(ctx), ["  method: GET", `  url: '${url}'`]);
  const path = posix.join(target.settingsDir ?? "", `${group}.yaml`);
  const wrote = place(next, path, object, `group ${group}'s DiscoverySettings`);
  return { changed: changed || wrote, document };
}

/** The target's side of one adopt step across eras, as work that yields; true when it changed anything. */
export function* adoptingAcross(
  next: Map<string, string>,
  ctx: MigrationContext,
  target: ClusterModel,
  group: string,
  backends: MovedBackend[],
): Generator<void, boolean> {
  const { changed, endpoint } = yield* writingAcross(next, ctx, target, group, backends);
  if (!endpoint || target.backends.some((b) => b.key === endpoint.key)) return changed;
  const text = next.get(target.configPath) ?? "";
  next.set(target.configPath, appendSeqItems(text, BACKEND_LIST_PATH.http ?? [], [endpoint.item]));
  return true;
}

/** Whether the crossing's adopt steps translate backends (the other crossings copy them as section 3 says). */
export function translates(ctx: MigrationContext): boolean {
  return (
    ctx.crossing === "http-to-settings" || ctx.crossing === "files-to-http" || ctx.crossing === "files-to-settings"
  );
}
