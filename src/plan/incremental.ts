import { posix } from "node:path";
import {
  appendingSeqItems,
  LineList,
  readingSeqItems,
  removingSeqItems,
  ScalarSlot,
  type SeqItem,
  type TextEdit,
} from "../edit/index.js";
import {
  BACKEND_LIST_PATH,
  ERA_ADAPTERS,
  isKustomization,
  kustomizationFiles,
  readingKustomizationRefs,
  loadingRepo,
  PLACEHOLDER,
  endpointIdentity,
  resolveCorePath,
  staticReach,
  staticSites,
  type ActionObject,
  type Backend,
  type ClusterModel,
  type Reach,
  type FileMap,
  type KustomizeRef,
  type RepoModel,
} from "../repo/index.js";
import { CONFIG_PATH } from "../spec/config.js";
import { readingYamlDocuments } from "../spec/yaml.js";
import { EditError } from "../edit/index.js";
import { InputError, valueAt } from "../spec/problems.js";
import { finish } from "../spec/work.js";
import { writingAcross } from "./crossings.js";
import { BACKENDS_PER_PIECE, bumpRestart, restartValue, type RestartSplice } from "./steps.js";
import { dirOf, kustomizationGenerators, type Generator as KustomizeGenerator } from "./packaging.js";
import { renamer } from "./scaffold.js";
import { disableSettings, renameClusterKeys } from "./translate.js";
import { FileHistory } from "./history.js";
import type { MigrationContext, StepDefinition } from "./types.js";

/** One file a quick step changed: its text before and after, read from the file's history when asked. */
export interface QuickChange {
  path: string;
  /** Whether the step creates the file. */
  created: boolean;
  before: () => string | undefined;
  content: () => string;
}

export interface QuickStep {
  tree: FileMap;
  changes: QuickChange[];
  warnings: string[];
  /** The model of handover.yml and the clusters' settings the step was computed with (unchanged by it). */
  model: RepoModel;
}

/** The backend list of a files-era Core config. */
const FILES_LIST = BACKEND_LIST_PATH.files ?? [];
/** The backend list of an http-era Core config. */
const HTTP_LIST = BACKEND_LIST_PATH.http ?? [];

/**
 * A `files` entry of a generator in a source kustomization, as registeringCopies (packaging.ts) re-writes it in the
 * target's.
 */
interface GeneratorEntry {
  /** Where registeringCopies meets it: kustomizations in path order, entries in file order. */
  seq: number;
  file: string;
  sourceText: string;
  targetFile: string;
  ref: KustomizeRef;
  kind: string;
  position: number;
  sourceGenName: string | undefined;
  raw: string;
}

interface GeneratorIndex {
  /** By the source file the entry names. */
  entries: Map<string, GeneratorEntry[]>;
  targetGens: Map<string, KustomizeGenerator[]>;
  /** By target kustomization, generator kind and index: the files it lists. */
  present: Map<string, Set<string>>;
}

/**
 * DiscoverySettings objects a settings-era step turns off or copies between two yields: a group may hold hundreds, and
 * turning off one written in a shape the line reader does not take parses its file twice (a millisecond or two on the
 * project's machine).
 */
const OBJECTS_PER_PIECE = 5;

/** A tree read through the writes made to it: a Map of those writes whose reads fall back to the tree. */
class Layer extends Map<string, string> {
  constructor(private readonly under: FileMap) {
    super();
  }
  override get(path: string): string | undefined {
    return super.has(path) ? super.get(path) : this.under.get(path);
  }
}

/** Whether a settings-era cluster reads the file: it lies in the cluster's folder, at any depth. */
function under(path: string, cluster: ClusterModel): boolean {
  const dir = cluster.settingsDir ?? "";
  return dir === "" || path.startsWith(`${dir}/`);
}

/** Up to this many backends are taken out of a cluster's list one by one; more, in one pass over it. */
const FEW = 8;

/** Which clusters hold a backend key or a reach (kind and value), and through how many backends. */
type Holders = Map<string, Map<string, number>>;

function listKey(file: string, path: readonly (string | number)[]): string {
  return `${file}\0${path.join("\0")}`;
}

/** Each backend's keys, built once: a plan moves every backend twice and counts its keys each time. */
const backendKeys = new WeakMap<Backend, string[]>();

/** The backend's key and its reaches, each once. */
function keysOf(backend: Backend): string[] {
  let keys = backendKeys.get(backend);
  if (!keys) {
    keys = [...new Set([`backend\0${backend.key}`, ...backend.reach.map((r) => `${r.kind}\0${r.value}`)])];
    backendKeys.set(backend, keys);
  }
  return keys;
}

function addIndex(index: Map<string, Backend[]>, name: string, backend: Backend): void {
  const list = index.get(name);
  if (list) list.push(backend);
  else index.set(name, [backend]);
}

function unindex(index: Map<string, Backend[]>, name: string, backend: Backend): void {
  const list = (index.get(name) ?? []).filter((b) => b !== backend);
  if (list.length > 0) index.set(name, list);
  else index.delete(name);
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
  /** The edits that made each changed file, group by group; undefined once one set came without its edits. */
  readonly edits = new Map<string, TextEdit[][] | undefined>();
  /** `known(path, text)`: the edits that made a text an editor of the planner just produced, when they are known. */
  constructor(
    private readonly tree: FileMap,
    private readonly known: (path: string, text: string) => readonly TextEdit[] | undefined,
  ) {}
  get(path: string): string | undefined {
    return this.changes.get(path) ?? this.tree.get(path);
  }
  /** Set a file's text; `edits` (or what `known` tells) turn its text as it stood into `text`. */
  set(path: string, text: string, edits: readonly TextEdit[] | undefined = this.known(path, text)): this {
    const groups = this.edits.has(path) ? this.edits.get(path) : [];
    this.edits.set(path, groups && edits ? [...groups, [...edits]] : undefined);
    this.changes.set(path, text);
    return this;
  }
}

/**
 * A planner of release and adopt steps that costs what the step moves, not the size of the repo: the steps of a
 * migration within one era (files, http, settings), and of every crossing between eras.
 *
 * After a step of the general path (prepare, decommission, anything outside this one's reach), it loads the tree
 * once: the repo model, an index of which cluster holds each backend key and datastore reach, and the backend lists
 * as line lists. A files-era or http-era release then removes its items' lines and an adopt appends lines (and
 * copies discovery files); a settings-era release sets its objects' `spec.enabled: false` and an adopt copies them
 * into the target's folder (or, crossing from Core 0.5 or 0.6 into 0.7, writes each endpoint as one). Crossing out of
 * the files era, an adopt writes the group's static discovery document, which the target lists as an endpoint (Core
 * 0.5 or 0.6) or names in a DiscoverySettings object (Core 0.7).
 * The index is updated only by the backends the step moves. Such a step changes only discovery lists, discovery
 * files, the kustomizations that package them and restart keys, so the invariant it can break is a key now held by
 * two clusters: when the index sees one (or anything else is out of the ordinary), the step answers undefined and
 * the general path computes it and runs the full checker.
 */
export class QuickPlanner {
  private synced: FileMap | undefined;
  private model: RepoModel | undefined;
  private work = new Map<string, string>();
  private holders: Holders = new Map();
  private backends = new Map<string, Backend[]>();
  /**
   * Each cluster's held backends by entry and by key: a release finds the ones it drops without reading them all, an
   * adopt whether a backend is listed already.
   */
  private heldBy = new Map<string, { byEntry: Map<string, Backend[]>; byKey: Map<string, Backend[]> }>();
  private lists = new Map<string, LineList>();
  private slots = new Map<string, ScalarSlot>();
  private checked = new WeakSet<LineList>();
  private generators: GeneratorIndex | undefined;
  /** The folders static discovery servers publish, as the loaded tree's handover.yml says. */
  private statics: ReturnType<typeof staticSites> = [];
  /** The versions of each file this planner wrote since it last loaded a tree. */
  private histories = new Map<string, FileHistory>();
  /** The text the restart slot just produced for a file, and the edit that made it (taken by the next set). */
  private slotEdit: { path: string; text: string; edits: readonly TextEdit[] } | undefined;
  private readonly rename: (text: string) => string;
  /** Where the backends are listed in a Core config of the migration's era (files or http). */
  private readonly list: readonly string[];

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
    const set = slot.set(value);
    this.slotEdit = { path: restart.file, text: set, edits: slot.lastEdits };
    return set;
  };

  constructor(private readonly ctx: MigrationContext) {
    this.rename = renamer(ctx.source, ctx.target);
    this.list = ctx.era === "http" ? HTTP_LIST : FILES_LIST;
  }

  /** The step as a splice of the tree before it, or undefined when the general path must compute it. */
  step(tree: FileMap, step: StepDefinition): QuickStep | undefined {
    return finish(this.stepping(tree, step));
  }

  /**
   * step as work that yields: a tree the general path produced loaded in pieces, and the list the step edits parsed
   * in pieces when its text is new (a Core config listing thousands of backends).
   */
  *stepping(tree: FileMap, step: StepDefinition): Generator<void, QuickStep | undefined> {
    if (step.kind !== "release" && step.kind !== "adopt") return undefined;
    if (!(yield* this.syncing(tree)) || !this.model) return undefined;
    const settings = this.ctx.era === "settings";
    const release = step.kind === "release";
    // The list the step edits, parsed ahead in pieces: the source's in its era, the target's in the target's era.
    const listed = this.model.clusters.get(release ? this.ctx.source : this.ctx.target);
    const listPath = BACKEND_LIST_PATH[release ? this.ctx.era : this.ctx.targetEra];
    const text = listed && this.work.get(listed.configPath);
    if (listPath && listed && text !== undefined) yield* this.listing(listed.configPath, listPath, text);
    try {
      if (settings)
        return release
          ? yield* this.releasingSettings(this.model, step)
          : yield* this.adoptingSettings(this.model, step);
      if (release) return yield* this.releasing(this.model, step);
      if (this.ctx.targetEra !== this.ctx.era) return yield* this.adoptingAcross(this.model, step);
      return this.ctx.era === "http"
        ? yield* this.adoptingHttp(this.model, step)
        : yield* this.adopting(this.model, step);
    } catch (err) {
      // The general path meets the same problem and reports it with its own words.
      if (err instanceof InputError || err instanceof EditError) return undefined;
      throw err;
    }
  }

  /**
   * Load a tree the general path produced (or keep the one this planner produced), in pieces. The lists and restart
   * slots parsed before stay: each is kept for one text of its file, and is used only while the file has that text.
   */
  private *syncing(tree: FileMap): Generator<void, boolean> {
    if (tree === this.synced) return this.model !== undefined;
    this.synced = tree;
    this.model = undefined;
    const loaded = yield* loadingRepo(tree);
    if (!loaded.ok) return false;
    this.work = new Map(tree);
    this.synced = this.work;
    this.holders = new Map();
    this.backends = new Map();
    this.heldBy = new Map();
    this.checked = new WeakSet();
    this.histories = new Map();
    this.generators = undefined;
    for (const cluster of loaded.model.clusters.values()) {
      if (cluster.problems.length > 0) return false;
      this.backends.set(cluster.name, []);
      this.heldBy.set(cluster.name, { byEntry: new Map(), byKey: new Map() });
      yield* this.takingIn(cluster.name, cluster.backends);
      // A datastore another cluster acts on (NodeAction...) counts as held by it: adopting it is a foreign action.
      for (const action of cluster.actions) this.hold(cluster.name, actionHold(action), 1);
    }
    this.statics = staticSites(loaded.model.config);
    this.model = loaded.model;
    return true;
  }

  private hold(cluster: string, backend: Backend, delta: number): void {
    for (const key of keysOf(backend)) {
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

  /** True when a key of one of the backends is already held by a cluster other than `cluster`, in pieces. */
  private *sharing(cluster: string, backends: readonly Backend[]): Generator<void, boolean> {
    for (const [n, backend] of backends.entries()) {
      if (n % BACKENDS_PER_PIECE === BACKENDS_PER_PIECE - 1) yield;
      if (this.sharedWith(cluster, backend)) return true;
    }
    return false;
  }

  /** The list at `path` of a file as it stands in the tree, when it has the simple shape (parsed once per file). */
  private listOf(file: string, path: readonly (string | number)[], text: string): LineList | undefined {
    return finish(this.listing(file, path, text));
  }

  /** listOf as work that yields (a Core config may list thousands of backends). */
  private *listing(
    file: string,
    path: readonly (string | number)[],
    text: string,
  ): Generator<void, LineList | undefined> {
    const key = listKey(file, path);
    const cached = this.lists.get(key);
    if (cached && cached.text === text) return cached;
    const list = yield* LineList.reading(text, path);
    if (list) this.lists.set(key, list);
    else this.lists.delete(key);
    return list;
  }

  /** Whether the cluster holds no backend yet (a scaffolded target before its first adopt). */
  private holdsNothing(cluster: ClusterModel): boolean {
    return this.backends.get(cluster.name)?.length === 0;
  }

  /** Whether `appending` can add to the cluster's list: one a line list reads, or any of a cluster holding nothing. */
  private appendable(cluster: ClusterModel, path: readonly string[], text: string): boolean {
    return this.listOf(cluster.configPath, path, text) !== undefined || this.holdsNothing(cluster);
  }

  /**
   * The cluster's Core config with raw items appended to its list, and the values they read as: by a line list, or,
   * for a list none reads while the cluster holds nothing (the scaffold's `http: []`, a missing `files:`), by
   * appendSeqItems as the general path edits it, the list read back from the new text. Undefined when neither can.
   */
  private *appending(
    cluster: ClusterModel,
    path: readonly string[],
    text: string,
    raws: readonly string[],
  ): Generator<void, { after: string; items: unknown[]; edits?: readonly TextEdit[] } | undefined> {
    const list = yield* this.listing(cluster.configPath, path, text);
    if (list) {
      const after = list.append(raws);
      if (after === undefined) return undefined;
      const first = list.length - raws.length;
      return { after, items: raws.map((_, i) => list.value(first + i)), edits: list.lastEdits };
    }
    if (!this.holdsNothing(cluster)) return undefined;
    const after = yield* appendingSeqItems(text, path, raws);
    const read = yield* readingYamlDocuments(cluster.configPath, after);
    const items = read.ok ? valueAt(read.value[0], path) : undefined;
    return Array.isArray(items) && items.length === raws.length ? { after, items } : undefined;
  }

  /**
   * Whether the list's items are the cluster's backends, one for one and in order; checked once per list, since both
   * change together afterwards (a removal drops the same items from each, an append adds the same at the end).
   */
  private aligned(list: LineList, held: readonly Backend[]): boolean {
    if (this.checked.has(list)) return true;
    if (list.length !== held.length || held.some((b, i) => !this.names(list.value(i), b))) return false;
    this.checked.add(list);
    return true;
  }

  /** Whether a list item is the backend: a files-era entry, or an http-era endpoint of the backend's identity. */
  private names(value: unknown, backend: Backend): boolean {
    return this.ctx.era === "files" ? value === backend.entry : endpointIdentity(value) === backend.key;
  }

  /** The cluster when it lists its backends in its Core config in that era (files or http; the migration's by default). */
  private listingCluster(model: RepoModel, name: string, era = this.ctx.era): ClusterModel | undefined {
    const cluster = model.clusters.get(name);
    return cluster?.era === era && cluster.configPath !== CONFIG_PATH ? cluster : undefined;
  }

  private *releasing(model: RepoModel, step: StepDefinition): Generator<void, QuickStep | undefined> {
    const source = this.listingCluster(model, this.ctx.source);
    const held = this.backends.get(this.ctx.source);
    const text = source && this.work.get(source.configPath);
    if (!source || !held || text === undefined) return undefined;
    const list = this.listOf(source.configPath, this.list, text);
    if (!list) return undefined;
    if (list.length !== held.length) return undefined;
    // A files-era item is listed when it is a moved entry or resolves to a moved file, an http-era one when it has a
    // moved endpoint's identity (as `lister` says).
    const index = this.heldBy.get(source.name);
    if (!index || !this.aligned(list, held)) return undefined;
    // The held backends whose entry or key a moved backend has, found through the index, not by reading every one.
    const positions = new Set<number>();
    for (const moved of step.backends) {
      const byEntry = this.ctx.era === "files" ? (index.byEntry.get(moved.entry) ?? []) : [];
      for (const backend of [...byEntry, ...(index.byKey.get(moved.key) ?? [])]) positions.add(held.indexOf(backend));
    }
    if (positions.has(-1)) return undefined;
    if (positions.size === 0) return { tree: this.work, changes: [], warnings: [], model };
    const drop = new Array<boolean>(held.length).fill(false);
    for (const position of positions) drop[position] = true;
    const overlay = this.overlay();
    if (positions.size === held.length) {
      // The last items go: the list becomes `[]`, which removeSeqItems writes as the general path does.
      overlay.set(source.configPath, yield* removingSeqItems(text, this.list, (_, i) => drop[i] === true));
    } else {
      const after = list.remove(drop);
      if (after === undefined) return undefined;
      overlay.set(source.configPath, after, list.lastEdits);
    }
    const warnings = bumpRestart(overlay, model, source, restartValue(this.ctx.issue, step.id), this.splice);
    if (!this.plain(overlay, [])) return undefined;
    yield* this.lettingGo(
      source.name,
      [...positions].map((position) => held[position] as Backend),
    );
    return this.commit(overlay, warnings, model);
  }

  private *adopting(model: RepoModel, step: StepDefinition): Generator<void, QuickStep | undefined> {
    const target = this.listingCluster(model, this.ctx.target);
    const listed = this.heldBy.get(this.ctx.target);
    // With the source gone, registeringCopies reads the planned-on tree's kustomizations: the general path's business.
    if (!target || !listed || target.era !== this.ctx.targetEra || !model.clusters.has(this.ctx.source))
      return undefined;
    const text = this.work.get(target.configPath);
    // A list no line list reads, of a cluster that lists something already, leaves a step that lists anything to the
    // general path: known before copying a thousand files for nothing.
    const appendable = text !== undefined && this.appendable(target, this.list, text);
    if (!appendable && step.backends.some((b) => !listed.byEntry.has(b.entry))) return undefined;
    const overlay = this.overlay();
    const missing: { backend: StepDefinition["backends"][number]; path: string }[] = [];
    const copies: [string, string][] = [];
    for (const [n, backend] of step.backends.entries()) {
      if (n % BACKENDS_PER_PIECE === BACKENDS_PER_PIECE - 1) yield;
      const path = resolveCorePath(backend.entry, target.workdir, target.mounts);
      if (typeof path !== "string" || path === CONFIG_PATH || isKustomization(path)) return undefined;
      const source = this.work.get(backend.key) ?? this.ctx.base.get(backend.key);
      if (source === undefined) return undefined;
      const content = this.ctx.crossing === "rename-cluster-key" ? renameClusterKeys(backend.key, source) : source;
      const existing = overlay.get(path);
      if (existing !== undefined && existing !== content) return undefined;
      overlay.set(path, content);
      copies.push([backend.key, path]);
      if (!listed.byEntry.has(backend.entry) && !listed.byKey.has(path)) missing.push({ backend, path });
    }
    const adopted: Backend[] = [];
    if (missing.length > 0) {
      if (missing.some(({ backend }) => backend.raw.includes(PLACEHOLDER))) return undefined;
      const read = yield* ERA_ADAPTERS.files.read(
        { ...target, core: { discovery: { backends: { files: missing.map(({ backend }) => backend.entry) } } } },
        new Map(missing.map(({ path }) => [path, overlay.get(path) ?? ""])),
      );
      if (read.problems.length > 0 || read.backends.length !== missing.length) return undefined;
      if (yield* this.sharing(target.name, read.backends)) return undefined;
      const appended =
        text === undefined
          ? undefined
          : yield* this.appending(
              target,
              this.list,
              text,
              missing.map(({ backend }) => backend.raw),
            );
      if (!appended || missing.some(({ backend }, i) => appended.items[i] !== backend.entry)) return undefined;
      overlay.set(target.configPath, appended.after, appended.edits);
      adopted.push(...read.backends);
    }
    return yield* this.ending(model, step, target, overlay, adopted, copies, missing.length > 0);
  }

  /**
   * The end of every adopt: the copies registered in the target's kustomizations, the restart key bumped, and the
   * index told what the target holds now; the step is nothing to do when it changed nothing (`changed`: it listed or
   * wrote a backend the target lacked) and registered nothing.
   */
  private *ending(
    model: RepoModel,
    step: StepDefinition,
    target: ClusterModel,
    overlay: Overlay,
    adopted: readonly Backend[],
    copies: readonly [string, string][],
    changed: boolean,
  ): Generator<void, QuickStep | undefined> {
    const registered = yield* this.registeringCopies(overlay, copies);
    if (registered === undefined) return undefined;
    // As on the general path: with every backend listed (or in place) and packaged already, nothing is the step's to do.
    if (!changed && registered.length === 0) return { tree: this.work, changes: [], warnings: [], model };
    const warnings = bumpRestart(overlay, model, target, restartValue(this.ctx.issue, step.id), this.splice);
    if (!this.plain(overlay, registered)) return undefined;
    yield* this.takingIn(target.name, adopted);
    this.registered(registered);
    return this.commit(overlay, warnings, model);
  }

  /** The cluster holds these backends now too: in its list, its index and the holders of their keys, in pieces. */
  private *takingIn(cluster: string, backends: readonly Backend[]): Generator<void> {
    const held = this.backends.get(cluster);
    const index = this.heldBy.get(cluster);
    for (const [n, backend] of backends.entries()) {
      if (n > 0 && n % BACKENDS_PER_PIECE === 0) yield;
      this.hold(cluster, backend, 1);
      held?.push(backend);
      if (!index) continue;
      addIndex(index.byEntry, backend.entry, backend);
      addIndex(index.byKey, backend.key, backend);
    }
  }

  /** The cluster no longer holds these backends: out of its list, its index and the holders of their keys, in pieces. */
  private *lettingGo(cluster: string, backends: readonly Backend[]): Generator<void> {
    const index = this.heldBy.get(cluster);
    for (const [n, backend] of backends.entries()) {
      if (n % BACKENDS_PER_PIECE === BACKENDS_PER_PIECE - 1) yield;
      this.hold(cluster, backend, -1);
      if (!index) continue;
      unindex(index.byEntry, backend.entry, backend);
      unindex(index.byKey, backend.key, backend);
    }
    const held = this.backends.get(cluster) ?? [];
    if (backends.length <= FEW) {
      for (const backend of backends) {
        const at = held.indexOf(backend);
        if (at >= 0) held.splice(at, 1);
      }
      return;
    }
    // Many at once: one pass keeping the others in place (a splice each went over the list once per backend).
    const gone = new Set(backends);
    let kept = 0;
    for (const backend of held) if (!gone.has(backend)) held[kept++] = backend;
    held.length = kept;
  }

  /**
   * An http-era adopt: the moved endpoints missing from the target's list appended to it, as the source wrote them
   * (appendSeqItems's lines, without parsing the whole config again).
   */
  private *adoptingHttp(model: RepoModel, step: StepDefinition): Generator<void, QuickStep | undefined> {
    const target = this.listingCluster(model, this.ctx.target);
    const listed = this.heldBy.get(this.ctx.target);
    const text = target && this.work.get(target.configPath);
    if (!target || !listed || text === undefined) return undefined;
    const missing = step.backends.filter((backend) => !listed.byKey.has(backend.key));
    // As on the general path: every endpoint listed already, the step has nothing to do.
    if (missing.length === 0) return { tree: this.work, changes: [], warnings: [], model };
    if (missing.some((backend) => backend.raw.includes(PLACEHOLDER))) return undefined;
    const endpoints = missing.map((backend) => ({ raw: backend.raw, key: backend.key }));
    return yield* this.appendingEndpoints(model, step, target, this.overlay(), text, endpoints, this.work);
  }

  /**
   * The end of an adopt into an http-era target: the endpoints appended to its list as written (raw), each read back
   * as a load reads it (its identity `key`, what a static site serves it in `tree`), the step answered by the general
   * path when one of them is held by another cluster.
   */
  private *appendingEndpoints(
    model: RepoModel,
    step: StepDefinition,
    target: ClusterModel,
    overlay: Overlay,
    text: string,
    endpoints: readonly { raw: string; key: string }[],
    tree: FileMap,
  ): Generator<void, QuickStep | undefined> {
    const appended = yield* this.appending(
      target,
      HTTP_LIST,
      text,
      endpoints.map((e) => e.raw),
    );
    if (!appended) return undefined;
    const { after, items, edits } = appended;
    if (endpoints.some((e, i) => endpointIdentity(items[i]) !== e.key)) return undefined;
    const core = { discovery: { backends: { http: items } } };
    const read = yield* ERA_ADAPTERS.http.read({ ...target, core }, tree);
    if (read.problems.length > 0 || read.backends.length !== endpoints.length) return undefined;
    const served = staticReach(read.backends, this.statics, tree);
    if (served.problems.length > 0 || (yield* this.sharing(target.name, served.backends))) return undefined;
    overlay.set(target.configPath, after, edits);
    return yield* this.ending(model, step, target, overlay, served.backends, [], true);
  }

  private settingsCluster(model: RepoModel, name: string): ClusterModel | undefined {
    const cluster = model.clusters.get(name);
    return cluster?.era === "settings" && cluster.settingsDir !== undefined && cluster.configPath !== CONFIG_PATH
      ? cluster
      : undefined;
  }

  /**
   * DiscoverySettings files of a cluster's folder read as a load reads them, or undefined when one has a problem,
   * holds apply actions, or lies where a static discovery server publishes (a load would read it as a document).
   */
  private *readingSettings(
    cluster: ClusterModel,
    files: ReadonlyMap<string, string>,
    tree: FileMap = this.work,
  ): Generator<void, Backend[] | undefined> {
    const published = [...files.keys()].some((path) =>
      this.statics.some((site) => site.dir === "" || path.startsWith(`${site.dir}/`)),
    );
    if (published) return undefined;
    const read = yield* ERA_ADAPTERS.settings.read(cluster, files);
    if (read.problems.length > 0 || (read.actions?.length ?? 0) > 0 || read.backends.length !== files.size)
      return undefined;
    const served = staticReach(read.backends, this.statics, tree);
    return served.problems.length > 0 ? undefined : served.backends;
  }

  /** A settings-era release: each moved object of the source's folder set to `spec.enabled: false` (reaching nothing). */
  private *releasingSettings(model: RepoModel, step: StepDefinition): Generator<void, QuickStep | undefined> {
    const source = this.settingsCluster(model, this.ctx.source);
    const index = this.heldBy.get(this.ctx.source);
    if (!source || !index) return undefined;
    const overlay = this.overlay();
    const turned = new Map<string, string>();
    const was: Backend[] = [];
    for (const [n, moved] of step.backends.entries()) {
      if (n % OBJECTS_PER_PIECE === OBJECTS_PER_PIECE - 1) yield;
      const text = this.work.get(moved.key);
      // As on the general path: a file that is gone has nothing to turn off.
      if (text === undefined) continue;
      const after = disableSettings(moved.key, text);
      if (after === text) continue;
      const held = index.byKey.get(moved.key);
      if (held?.length !== 1 || turned.has(moved.key)) return undefined;
      overlay.set(moved.key, after);
      turned.set(moved.key, after);
      was.push(held[0] as Backend);
    }
    if (turned.size === 0) return { tree: this.work, changes: [], warnings: [], model };
    const read = yield* this.readingSettings(source, turned);
    const now = new Map((read ?? []).map((b) => [b.key, b]));
    if (!read || was.some((b) => !now.has(b.key))) return undefined;
    const warnings = bumpRestart(overlay, model, source, restartValue(this.ctx.issue, step.id), this.splice);
    if (!this.plain(overlay, [])) return undefined;
    // Each object read again stands for the one it was.
    yield* this.lettingGo(source.name, was);
    yield* this.takingIn(
      source.name,
      was.map((b) => now.get(b.key) as Backend),
    );
    return this.commit(overlay, warnings, model);
  }

  /**
   * A settings-era adopt: each moved object copied, as it was before its release, into the target's folder, and
   * registered where the source's copy is packaged.
   */
  private *adoptingSettings(model: RepoModel, step: StepDefinition): Generator<void, QuickStep | undefined> {
    const target = this.settingsCluster(model, this.ctx.target);
    // With the source gone, registeringCopies reads the planned-on tree's kustomizations: the general path's business.
    if (!target || !model.clusters.has(this.ctx.source)) return undefined;
    const overlay = this.overlay();
    const copies: [string, string][] = [];
    const added = new Map<string, string>();
    for (const [n, backend] of step.backends.entries()) {
      if (n % OBJECTS_PER_PIECE === OBJECTS_PER_PIECE - 1) yield;
      const path = posix.join(target.settingsDir ?? "", backend.entry);
      const content = this.ctx.base.get(backend.key) ?? this.work.get(backend.key);
      if (content === undefined || content.includes(PLACEHOLDER)) return undefined;
      copies.push([backend.key, path]);
      const existing = overlay.get(path);
      if (existing === content) continue;
      // The general path writes over the target's own object: it and the full checker decide.
      if (existing !== undefined || isKustomization(path)) return undefined;
      overlay.set(path, content);
      added.set(path, content);
    }
    return yield* this.placingSettings(model, step, target, overlay, added, copies);
  }

  /**
   * An adopt across eras, as writingAcross writes it (the tree read through the step's own writes): from Core 0.5 or
   * 0.6 to 0.7, each moved endpoint a DiscoverySettings object of the target's folder; from the files era, the group's
   * datastores in a static discovery document, which the target lists as an http endpoint (Core 0.5 or 0.6) or reads
   * through a DiscoverySettings object (Core 0.7).
   */
  private *adoptingAcross(model: RepoModel, step: StepDefinition): Generator<void, QuickStep | undefined> {
    const target =
      this.ctx.targetEra === "settings"
        ? this.settingsCluster(model, this.ctx.target)
        : this.listingCluster(model, this.ctx.target, this.ctx.targetEra);
    if (!target) return undefined;
    const written = new Layer(this.work);
    const across = yield* writingAcross(written, this.ctx, target, step.group ?? step.id, step.backends);
    const { document, endpoint } = across;
    // An endpoint's own REPLACE-ME stays the general path's; a static site's (a scaffolded target) is expected there.
    if (this.ctx.crossing === "http-to-settings" && [...written.values()].some((text) => text.includes(PLACEHOLDER)))
      return undefined;
    const overlay = this.overlay();
    for (const [path, text] of written) {
      if (isKustomization(path)) return undefined;
      overlay.set(path, text);
    }
    yield;
    if (target.era === "settings") {
      const objects = new Map([...written].filter(([path]) => path !== document));
      return yield* this.placingSettings(model, step, target, overlay, objects, [], across.changed, written);
    }
    const listed = this.heldBy.get(target.name);
    const text = this.work.get(target.configPath);
    if (!endpoint || !listed || text === undefined) return undefined;
    // The target lists the group's endpoint already (a repo part-migrated by hand): the general path decides.
    if (listed.byKey.has(endpoint.key)) return undefined;
    const endpoints = [{ raw: endpoint.item, key: endpoint.key }];
    return yield* this.appendingEndpoints(model, step, target, overlay, text, endpoints, written);
  }

  /**
   * The end of a settings-era adopt: the objects `added` read as a load reads them, the step answered by the general
   * path when one of them is shared (a key another cluster holds, a folder another cluster reads), the copies
   * registered in the target's kustomizations, and the index told what the target holds now.
   */
  private *placingSettings(
    model: RepoModel,
    step: StepDefinition,
    target: ClusterModel,
    overlay: Overlay,
    added: ReadonlyMap<string, string>,
    copies: readonly [string, string][],
    changed = added.size > 0,
    tree: FileMap = this.work,
  ): Generator<void, QuickStep | undefined> {
    // An object written where another cluster's folder takes it in too: both reach it, which the full checker says.
    const shared = [...model.clusters.values()].some(
      (c) => c.name !== target.name && c.settingsDir !== undefined && [...added.keys()].some((p) => under(p, c)),
    );
    if (shared) return undefined;
    const adopted = added.size > 0 ? yield* this.readingSettings(target, added, tree) : [];
    if (!adopted || (yield* this.sharing(target.name, adopted))) return undefined;
    return yield* this.ending(model, step, target, overlay, adopted, copies, changed);
  }

  /** The copies registeringCopies appended, now present in the target's generators. */
  private registered(registered: readonly [string, string][]): void {
    for (const [key, copy] of registered) {
      const present = this.generators?.present.get(key) ?? new Set<string>();
      present.add(copy);
      this.generators?.present.set(key, present);
    }
  }

  /** The step changed neither handover.yml nor a kustomization other than those it registered copies in. */
  private plain(overlay: Overlay, registered: readonly [string, string][]): boolean {
    const packaged = new Set(registered.map(([key]) => key.slice(0, key.indexOf("\0"))));
    return [...overlay.changes.keys()].every((p) => p !== CONFIG_PATH && (!isKustomization(p) || packaged.has(p)));
  }

  /** The tree's kustomizations as registeringCopies reads them, once per loaded tree, in pieces (lists of thousands). */
  private *indexingGenerators(): Generator<void, GeneratorIndex> {
    if (this.generators) return this.generators;
    const index: GeneratorIndex = { entries: new Map(), targetGens: new Map(), present: new Map() };
    let seq = 0;
    for (const file of kustomizationFiles(this.work)) {
      const targetFile = this.rename(file);
      const targetText = this.work.get(targetFile);
      if (targetFile === file || !isKustomization(targetFile) || targetText === undefined) continue;
      const sourceText = this.work.get(file) ?? "";
      const sourceGens = kustomizationGenerators(file, sourceText);
      const lists = new Map<string, SeqItem[]>();
      for (const [n, ref] of (yield* readingKustomizationRefs(file, sourceText)).entries()) {
        if (n % BACKENDS_PER_PIECE === BACKENDS_PER_PIECE - 1) yield;
        if (ref.field !== "files") continue;
        const [kind, position] = ref.list as [string, number];
        const listKey = `${kind}\0${position}`;
        const items = lists.get(listKey) ?? (yield* readingSeqItems(sourceText, ref.list));
        lists.set(listKey, items);
        const raw = items[ref.index]?.raw ?? ref.value;
        const sourceGenName = sourceGens.find((g) => g.kind === kind && g.index === position)?.name;
        const entry = { seq: seq++, file, sourceText, targetFile, ref, kind, position, sourceGenName, raw };
        index.entries.set(ref.target, [...(index.entries.get(ref.target) ?? []), entry]);
      }
      index.targetGens.set(targetFile, kustomizationGenerators(targetFile, targetText));
      for (const ref of yield* readingKustomizationRefs(targetFile, targetText)) {
        if (ref.field !== "files") continue;
        const key = `${targetFile}\0${ref.list[0]}\0${ref.list[1]}`;
        index.present.set(key, (index.present.get(key) ?? new Set<string>()).add(ref.target));
      }
    }
    this.generators = index;
    return index;
  }

  /**
   * registeringCopies (packaging.ts) on the step's changes: each copy added to the target's generators whose source
   * counterparts list the original, in the same form, by appending lines, each list's in one edit. The lists it
   * appended to, or undefined when one of them is not a simple line list. In pieces (a group may move thousands).
   */
  private *registeringCopies(
    overlay: Overlay,
    copies: readonly [string, string][],
  ): Generator<void, [string, string][] | undefined> {
    if (copies.length === 0) return [];
    const wanted = new Map(copies);
    const index = yield* this.indexingGenerators();
    const hits = [...wanted.keys()].flatMap((from) => index.entries.get(from) ?? []).sort((a, b) => a.seq - b.seq);
    const registered: [string, string][] = [];
    const seen = new Set<string>();
    // The items each generator's list gets, in the order packaging.ts appends them.
    const lists = new Map<string, { file: string; path: (string | number)[]; items: string[] }>();
    for (const [n, entry] of hits.entries()) {
      if (n % BACKENDS_PER_PIECE === BACKENDS_PER_PIECE - 1) yield;
      if (this.work.get(entry.file) !== entry.sourceText) return undefined;
      const copy = wanted.get(entry.ref.target) ?? "";
      const gens = (index.targetGens.get(entry.targetFile) ?? []).filter((g) => g.kind === entry.kind);
      const name = entry.sourceGenName;
      const gen =
        gens.find((g) => name !== undefined && g.name === this.rename(name)) ??
        gens.find((g) => g.index === entry.position);
      if (!gen) continue;
      const key = `${entry.targetFile}\0${entry.kind}\0${gen.index}`;
      if (index.present.get(key)?.has(copy) || seen.has(`${key}\0${copy}`)) continue;
      seen.add(`${key}\0${copy}`);
      const path = posix.relative(dirOf(entry.targetFile) || ".", copy);
      const value = entry.ref.key ? `${entry.ref.key}=${path}` : path;
      const raw = entry.raw;
      const item = raw.includes(entry.ref.value) ? this.rename(raw.replace(entry.ref.value, value)) : value;
      const list = lists.get(key) ?? { file: entry.targetFile, path: [entry.kind, gen.index, "files"], items: [] };
      list.items.push(item);
      lists.set(key, list);
      registered.push([key, copy]);
    }
    for (const { file, path, items } of lists.values()) {
      const text = overlay.get(file);
      if (text === undefined) return undefined;
      const list = yield* this.listing(file, path, text);
      // A list no line list reads (the scaffold's `files: []`) gets its items as the general path appends them.
      const after = list ? list.append(items) : yield* appendingSeqItems(text, path, items);
      if (after === undefined) return undefined;
      overlay.set(file, after, list?.lastEdits);
    }
    return registered;
  }

  /** A step's changes over the tree, knowing the edits of the restart slot's texts. */
  private overlay(): Overlay {
    return new Overlay(this.work, (path, text) => {
      const made = this.slotEdit;
      this.slotEdit = undefined;
      return made?.path === path && made.text === text ? made.edits : undefined;
    });
  }

  private commit(overlay: Overlay, warnings: string[], model: RepoModel): QuickStep {
    const changed = [...overlay.changes]
      .map(([path, content]) => ({ path, before: this.work.get(path), content }))
      .filter((c) => c.before !== c.content)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const changes = changed.map(({ path, before, content }) => {
      this.work.set(path, content);
      return this.version(path, before, content, overlay.edits.get(path));
    });
    return { tree: this.work, changes, warnings, model };
  }

  /** A change as a new version in its file's history (apart from commit: its readers hold only the history). */
  private version(
    path: string,
    before: string | undefined,
    content: string,
    edits: TextEdit[][] | undefined,
  ): QuickChange {
    let file = this.histories.get(path);
    if (!file) {
      file = new FileHistory(before);
      this.histories.set(path, file);
    }
    const history = file;
    const was = history.newest;
    const now = history.add(content, edits);
    return {
      path,
      created: before === undefined,
      before: () => history.text(was),
      content: () => history.text(now) ?? "",
    };
  }
}
