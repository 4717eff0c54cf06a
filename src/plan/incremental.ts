import { LineList, ScalarSlot } from "../edit/index.js";
import {
  BACKEND_LIST_PATH,
  ERA_ADAPTERS,
  isKustomization,
  kustomizationFiles,
  loadRepo,
  PLACEHOLDER,
  resolveCorePath,
  type ActionObject,
  type Backend,
  type ClusterModel,
  type Reach,
  type FileMap,
  type RepoModel,
} from "../repo/index.js";
import { CONFIG_PATH } from "../spec/config.js";
import { EditError } from "../edit/index.js";
import { InputError } from "../spec/problems.js";
import { translates } from "./crossings.js";
import { bumpRestart, restartValue, type RestartSplice } from "./steps.js";
import { renameClusterKeys } from "./translate.js";
import type { MigrationContext, StepDefinition } from "./types.js";

/** One file a quick step changed: its text before and after. */
export interface QuickChange {
  path: string;
  before: string | undefined;
  content: string;
}

export interface QuickStep {
  tree: FileMap;
  changes: QuickChange[];
  warnings: string[];
  /** The model of handover.yml and the clusters' settings the step was computed with (unchanged by it). */
  model: RepoModel;
}

/** Which clusters hold a backend key or a reach (kind and value), and through how many backends. */
type Holders = Map<string, Map<string, number>>;

function keysOf(backend: Backend): string[] {
  return [`backend\0${backend.key}`, ...backend.reach.map((r) => `${r.kind}\0${r.value}`)];
}

/** An action object as what it holds: the datastore (and node) it acts on. */
function actionHold(action: ActionObject): Backend {
  const reach: Reach[] = [{ kind: "datastore", value: action.cluster, file: action.file }];
  if (action.node !== undefined) reach.push({ kind: "node", value: action.node, file: action.file });
  return { id: action.file, entry: action.file, key: `action\0${action.file}`, files: [action.file], reach };
}

/** Reading a changed file through the step's own changes, then the tree. */
class Overlay {
  readonly changes = new Map<string, string>();
  constructor(private readonly tree: FileMap) {}
  get(path: string): string | undefined {
    return this.changes.get(path) ?? this.tree.get(path);
  }
  set(path: string, text: string): this {
    this.changes.set(path, text);
    return this;
  }
}

/**
 * A planner of files-era release and adopt steps that costs what the step moves, not the size of the repo.
 *
 * After a step of the general path (prepare, decommission, anything outside this one's reach), it loads the tree
 * once: the repo model, an index of which cluster holds each backend key and datastore reach, and the backend lists
 * as line lists. A release then removes its items' lines and an adopt appends lines and copies files, with the index
 * updated only by the backends the step moves. Such a step changes only discovery lists, discovery files and restart
 * keys, so the invariant it can break is a key now held by two clusters: when the index sees one (or anything else is
 * out of the ordinary), the step answers undefined and the general path computes it and runs the full checker.
 */
export class QuickPlanner {
  private synced: FileMap | undefined;
  private model: RepoModel | undefined;
  private work = new Map<string, string>();
  private holders: Holders = new Map();
  private backends = new Map<string, Backend[]>();
  /** Each cluster's listed entries and backend keys, for "already listed" in constant time. */
  private listedIn = new Map<string, { entries: Set<string>; keys: Set<string> }>();
  private lists = new Map<string, LineList>();
  private slots = new Map<string, ScalarSlot>();
  private checked = new WeakSet<LineList>();
  private readonly eligible: boolean;

  /** The restart key of a file as a slot set in place, parsed once per file. */
  private readonly splice: RestartSplice = (restart, text, value) => {
    const key = [restart.file, restart.document, ...restart.key].join("\0");
    let slot = this.slots.get(key);
    if (!slot || slot.text !== text) {
      slot = ScalarSlot.of(text, restart.key, restart.document);
      if (!slot) {
        this.slots.delete(key);
        return undefined;
      }
      this.slots.set(key, slot);
    }
    return slot.set(value);
  };

  constructor(private readonly ctx: MigrationContext) {
    this.eligible =
      ctx.era === "files" && ctx.targetEra === "files" && !translates(ctx) && kustomizationFiles(ctx.base).length === 0;
  }

  /** The step as a splice of the tree before it, or undefined when the general path must compute it. */
  step(tree: FileMap, step: StepDefinition): QuickStep | undefined {
    if (!this.eligible || (step.kind !== "release" && step.kind !== "adopt")) return undefined;
    if (!this.sync(tree) || !this.model) return undefined;
    try {
      return step.kind === "release" ? this.release(this.model, step) : this.adopt(this.model, step);
    } catch (err) {
      // The general path meets the same problem and reports it with its own words.
      if (err instanceof InputError || err instanceof EditError) return undefined;
      throw err;
    }
  }

  /** Load a tree the general path produced (or keep the one this planner produced). */
  private sync(tree: FileMap): boolean {
    if (tree === this.synced) return this.model !== undefined;
    this.synced = tree;
    this.model = undefined;
    const loaded = loadRepo(tree);
    if (!loaded.ok || kustomizationFiles(tree).length > 0) return false;
    this.work = new Map(tree);
    this.synced = this.work;
    this.holders = new Map();
    this.backends = new Map();
    this.listedIn = new Map();
    this.lists = new Map();
    for (const cluster of loaded.model.clusters.values()) {
      if (cluster.problems.length > 0) return false;
      this.backends.set(cluster.name, [...cluster.backends]);
      this.listedIn.set(cluster.name, {
        entries: new Set(cluster.backends.map((b) => b.entry)),
        keys: new Set(cluster.backends.map((b) => b.key)),
      });
      for (const backend of cluster.backends) this.hold(cluster.name, backend, 1);
      // A datastore another cluster acts on (NodeAction...) counts as held by it: adopting it is a foreign action.
      for (const action of cluster.actions) this.hold(cluster.name, actionHold(action), 1);
    }
    this.model = loaded.model;
    return true;
  }

  private hold(cluster: string, backend: Backend, delta: number): void {
    for (const key of new Set(keysOf(backend))) {
      const counts = this.holders.get(key) ?? new Map<string, number>();
      const count = (counts.get(cluster) ?? 0) + delta;
      if (count === 0) counts.delete(cluster);
      else counts.set(cluster, count);
      this.holders.set(key, counts);
    }
  }

  /** True when a key of the backend is already held by a cluster other than `cluster`. */
  private sharedWith(cluster: string, backend: Backend): boolean {
    return keysOf(backend).some((key) => [...(this.holders.get(key)?.keys() ?? [])].some((c) => c !== cluster));
  }

  /** The backend list of a cluster's Core config as it stands in the tree, when it has the simple shape. */
  private listOf(cluster: ClusterModel, text: string): LineList | undefined {
    const cached = this.lists.get(cluster.configPath);
    if (cached && cached.text === text) return cached;
    const list = LineList.of(text, BACKEND_LIST_PATH.files ?? []);
    if (list) this.lists.set(cluster.configPath, list);
    else this.lists.delete(cluster.configPath);
    return list;
  }

  /**
   * Whether the list's items are the cluster's backends, one for one and in order; checked once per list, since both
   * change together afterwards (a removal drops the same items from each, an append adds the same at the end).
   */
  private aligned(list: LineList, held: readonly Backend[]): boolean {
    if (this.checked.has(list)) return true;
    if (list.length !== held.length || held.some((b, i) => list.value(i) !== b.entry)) return false;
    this.checked.add(list);
    return true;
  }

  private filesCluster(model: RepoModel, name: string): ClusterModel | undefined {
    const cluster = model.clusters.get(name);
    return cluster?.era === "files" && cluster.configPath !== CONFIG_PATH ? cluster : undefined;
  }

  private release(model: RepoModel, step: StepDefinition): QuickStep | undefined {
    const source = this.filesCluster(model, this.ctx.source);
    const held = this.backends.get(this.ctx.source);
    const text = source && this.work.get(source.configPath);
    if (!source || !held || text === undefined) return undefined;
    const list = this.listOf(source, text);
    if (!list) return undefined;
    if (list.length !== held.length) return undefined;
    // A files-era item is listed when it is a moved entry or resolves to a moved file (as `listed` says).
    const entries = new Set(step.backends.map((b) => b.entry));
    const keys = new Set(step.backends.map((b) => b.key));
    if (!this.aligned(list, held)) return undefined;
    const drop: boolean[] = new Array(held.length);
    for (let i = 0; i < held.length; i++) {
      const backend = held[i] as Backend;
      drop[i] = entries.has(backend.entry) || keys.has(backend.key);
    }
    if (!drop.includes(true)) return { tree: this.work, changes: [], warnings: [], model };
    const overlay = new Overlay(this.work);
    const after = list.remove(drop);
    if (after === undefined) return undefined;
    overlay.set(source.configPath, after);
    const warnings = bumpRestart(overlay, model, source, restartValue(this.ctx.issue, step.id), this.splice);
    if (overlay.changes.has(CONFIG_PATH)) return undefined;
    const listedIn = this.listedIn.get(source.name);
    for (const [i, backend] of held.entries()) {
      if (!drop[i]) continue;
      this.hold(source.name, backend, -1);
      listedIn?.entries.delete(backend.entry);
      listedIn?.keys.delete(backend.key);
    }
    this.backends.set(
      source.name,
      held.filter((_, i) => !drop[i]),
    );
    return this.commit(overlay, warnings, model);
  }

  private adopt(model: RepoModel, step: StepDefinition): QuickStep | undefined {
    const target = this.filesCluster(model, this.ctx.target);
    const held = this.backends.get(this.ctx.target);
    const listedIn = this.listedIn.get(this.ctx.target);
    if (!target || !held || !listedIn || target.era !== this.ctx.targetEra) return undefined;
    const overlay = new Overlay(this.work);
    const missing: { backend: StepDefinition["backends"][number]; path: string }[] = [];
    for (const backend of step.backends) {
      const path = resolveCorePath(backend.entry, target.workdir, target.mounts);
      if (typeof path !== "string" || path === CONFIG_PATH || isKustomization(path)) return undefined;
      const source = overlay.get(backend.key) ?? this.ctx.base.get(backend.key);
      if (source === undefined) return undefined;
      const content = this.ctx.crossing === "rename-cluster-key" ? renameClusterKeys(backend.key, source) : source;
      const existing = overlay.get(path);
      if (existing !== undefined && existing !== content) return undefined;
      overlay.set(path, content);
      if (!listedIn.entries.has(backend.entry) && !listedIn.keys.has(path)) missing.push({ backend, path });
    }
    // As on the general path: with every backend already listed, the copies are not the step's to make.
    if (missing.length === 0) return { tree: this.work, changes: [], warnings: [], model };
    if (missing.some(({ backend }) => backend.raw.includes(PLACEHOLDER))) return undefined;
    const read = ERA_ADAPTERS.files.read(
      { ...target, core: { discovery: { backends: { files: missing.map(({ backend }) => backend.entry) } } } },
      new Map(missing.map(({ path }) => [path, overlay.get(path) ?? ""])),
    );
    if (read.problems.length > 0 || read.backends.length !== missing.length) return undefined;
    if (read.backends.some((b) => this.sharedWith(target.name, b))) return undefined;
    const text = this.work.get(target.configPath);
    const list = text === undefined ? undefined : this.listOf(target, text);
    const after = list?.append(missing.map(({ backend }) => backend.raw));
    if (!list || after === undefined) return undefined;
    const first = list.length - missing.length;
    if (missing.some(({ backend }, i) => list.value(first + i) !== backend.entry)) return undefined;
    overlay.set(target.configPath, after);
    const warnings = bumpRestart(overlay, model, target, restartValue(this.ctx.issue, step.id), this.splice);
    if (overlay.changes.has(CONFIG_PATH)) return undefined;
    for (const backend of read.backends) {
      this.hold(target.name, backend, 1);
      listedIn.entries.add(backend.entry);
      listedIn.keys.add(backend.key);
    }
    this.backends.set(target.name, [...held, ...read.backends]);
    return this.commit(overlay, warnings, model);
  }

  private commit(overlay: Overlay, warnings: string[], model: RepoModel): QuickStep {
    const changes = [...overlay.changes]
      .map(([path, content]) => ({ path, before: this.work.get(path), content }))
      .filter((c) => c.before !== c.content)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const change of changes) this.work.set(change.path, change.content);
    return { tree: this.work, changes, warnings, model };
  }
}
