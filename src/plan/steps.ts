import { posix } from "node:path";
import { appendingSeqItems, EditError, removeKey, removingSeqItems, setScalar } from "../edit/index.js";
import {
  BACKEND_LIST_PATH,
  diffTrees,
  ERA_ADAPTERS,
  endpointIdentity,
  resolveCorePath,
  type Backend,
  type ClusterModel,
  type FileMap,
  type RepoModel,
} from "../repo/index.js";
import { CONFIG_PATH, type ClusterSpec } from "../spec/config.js";
import { InputError } from "../spec/problems.js";
import { readYaml, sameYamlValues } from "../spec/yaml.js";
import { adoptingAcross, translates } from "./crossings.js";
import { load } from "./load.js";
import { clusterFolderOf, ownedFiles } from "./owned.js";
import { deployerFiles, pruneBroken, registeringCopies } from "./packaging.js";
import { renamer, scaffolding } from "./scaffold.js";
import { finish } from "../spec/work.js";
import { anchorsOfItems, disableSettings, expandAliasesOf, renameClusterKeys } from "./translate.js";
import type { MigrationContext, MovedBackend, StepDefinition, StepOutcome } from "./types.js";

export type { MigrationContext, MovedBackend, StepDefinition, StepKind, StepOutcome } from "./types.js";

/**
 * Backends a step goes through between two yields, on either path (a group may move thousands: 1,000 adopted in one
 * piece held the event loop for 40-60 ms).
 */
export const BACKENDS_PER_PIECE = 200;

/** The restart annotation value a step writes: deterministic, so a re-run writes the same bytes. */
export function restartValue(issue: number, stepId: string): string {
  return `${issue}-${stepId}`;
}

/** Where a step reads and writes the files it changes: a whole tree, or a step's changes over one. */
export interface StepFiles {
  get(path: string): string | undefined;
  set(path: string, text: string): unknown;
}

/** A quicker way to set the restart key of a text, when it has one (undefined: use setScalar). */
export type RestartSplice = (
  restart: NonNullable<ClusterSpec["restart"]>,
  text: string,
  value: string,
) => string | undefined;

/** Bump the cluster's restart key in `tree` when its era needs a restart; the warnings when it cannot be asked through git. */
export function bumpRestart(
  tree: StepFiles,
  model: RepoModel,
  cluster: ClusterModel,
  value: string,
  splice?: RestartSplice,
): string[] {
  if (!ERA_ADAPTERS[cluster.era].needsRestart) return [];
  const restart = cluster.spec.restart;
  if (!restart) {
    return [
      `${cluster.name} (${cluster.era} era) reads its backends only at start-up and has no restart key to bump: the rolling restart must come from the deploy pipeline`,
    ];
  }
  if (!model.config.defaults.restart) {
    return [
      `${cluster.name} (${cluster.era} era) reads its backends only at start-up and defaults.restart is false: the rolling restart must come from the deploy pipeline`,
    ];
  }
  const text = tree.get(restart.file);
  if (text === undefined)
    throw new InputError([`${CONFIG_PATH}: clusters.${cluster.name}.restart.file: ${restart.file} does not exist`]);
  const spliced = splice?.(restart, text, value);
  if (spliced !== undefined) {
    tree.set(restart.file, spliced);
    return [];
  }
  const missing = missingRestartParent(restart.file, text, restart.key, restart.document);
  if (missing !== undefined) {
    throw new InputError([
      `${CONFIG_PATH}: clusters.${cluster.name}.restart.key: ${restart.file} has no ${missing} (document ${restart.document}): ` +
        "Handover creates at most the annotation or label map and its key, never the object above them; fix the key or the file",
    ]);
  }
  try {
    tree.set(restart.file, setScalar(text, restart.key, value, restart.document));
  } catch (err) {
    if (!(err instanceof EditError)) throw err;
    throw new InputError([
      `${restart.file}: cannot bump the restart key of ${cluster.name} (clusters.${cluster.name}.restart in ${CONFIG_PATH}): ${err.message}`,
    ]);
  }
  return [];
}

/**
 * The first key of the restart path, but the last two, that the file lacks (as `spec.template`), or undefined.
 * A typo in the path must not silently create a new `spec.tmpl...` block nobody deploys.
 */
function missingRestartParent(
  file: string,
  text: string,
  key: readonly string[],
  document: number,
): string | undefined {
  const parsed = readYaml(file, text, document);
  if (!parsed.ok) return undefined; // the edit reports the unreadable file
  let node: unknown = parsed.value;
  for (const [i, part] of key.slice(0, -2).entries()) {
    const map =
      node !== null && typeof node === "object" && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
    if (!map || !(part in map)) return key.slice(0, i + 1).join(".");
    node = map[part];
  }
  return undefined;
}

/**
 * Whether a backend list item names one of the backends: a files-era entry, or a path it resolves to; an http-era
 * endpoint's identity. Each item is resolved once, whatever the number of backends (a group may move thousands).
 */
export function lister(backends: readonly Backend[], cluster: ClusterModel): (value: unknown) => boolean {
  const keys = new Set(backends.map((b) => b.key));
  if (cluster.era === "files") {
    const entries = new Set(backends.map((b) => b.entry));
    return (value) => {
      if (typeof value !== "string") return false;
      if (entries.has(value)) return true;
      const path = resolveCorePath(value, cluster.workdir, cluster.mounts);
      return typeof path === "string" && keys.has(path);
    };
  }
  return (value) => {
    const identity = endpointIdentity(value);
    return identity !== undefined && keys.has(identity);
  };
}

function* releasing(tree: FileMap, ctx: MigrationContext, step: StepDefinition): Generator<void, StepOutcome> {
  const next = new Map(tree);
  const model = load(tree);
  const source = model.clusters.get(ctx.source);
  if (!source) return { tree: next, warnings: [] };
  const listPath = BACKEND_LIST_PATH[source.era];
  if (listPath) {
    const remove = lister(step.backends, source);
    const original = next.get(source.configPath) ?? "";
    let text = original;
    // Without a `&` in the file no item defines an anchor, and there is nothing to write out (nor a parse to make).
    if (original.includes("&")) {
      const { anchors, ranges } = anchorsOfItems(original, listPath, remove);
      text = expandAliasesOf(original, anchors, ranges);
    }
    next.set(source.configPath, yield* removingSeqItems(text, listPath, remove));
  } else {
    for (const backend of step.backends) {
      const text = next.get(backend.key);
      if (text !== undefined) next.set(backend.key, disableSettings(backend.key, text));
    }
  }
  if (diffTrees(tree, next).length === 0) return { tree: next, warnings: [] };
  return { tree: next, warnings: bumpRestart(next, model, source, restartValue(ctx.issue, step.id)) };
}

function movedContent(tree: FileMap, ctx: MigrationContext, path: string): string {
  const content = tree.get(path) ?? ctx.base.get(path);
  if (content === undefined)
    throw new InputError([`${path}: the source's copy of this backend is gone; restore it to continue`]);
  return content;
}

function* adoptingFiles(
  next: Map<string, string>,
  tree: FileMap,
  ctx: MigrationContext,
  target: ClusterModel,
  backends: MovedBackend[],
  copies: [string, string][],
): Generator<void, boolean> {
  const listPath = BACKEND_LIST_PATH[target.era] ?? [];
  const missing: MovedBackend[] = [];
  const entries = new Set(target.backends.map((b) => b.entry));
  const keys = new Set(target.backends.map((b) => b.key));
  for (const [n, backend] of backends.entries()) {
    if (n % BACKENDS_PER_PIECE === BACKENDS_PER_PIECE - 1) yield;
    if (target.era === "files") {
      const path = resolveCorePath(backend.entry, target.workdir, target.mounts);
      if (typeof path !== "string") {
        throw new InputError([
          `cluster ${target.name}: cannot place discovery file ${backend.entry}: ${path.error} (add a matching mounts entry for ${target.name})`,
        ]);
      }
      const source = movedContent(tree, ctx, backend.key);
      const content = ctx.crossing === "rename-cluster-key" ? renameClusterKeys(backend.key, source) : source;
      const existing = next.get(path);
      if (existing !== undefined && existing !== content) {
        // Never overwrite the target's own file: that would drop its datastores, or hide ours behind a no-diff.
        throw new InputError([
          `${path}: a different file is already where ${ctx.source}'s ${backend.id} (${backend.key}) would be copied into ${target.name}; ` +
            "Handover never overwrites it: rename one of them (or make them identical if it is the same backend) and plan again",
        ]);
      }
      next.set(path, content);
      copies.push([backend.key, path]);
      if (!entries.has(backend.entry) && !keys.has(path)) missing.push(backend);
    } else if (!keys.has(backend.key)) {
      missing.push(backend);
    }
  }
  if (missing.length > 0) {
    const text = next.get(target.configPath) ?? "";
    next.set(
      target.configPath,
      yield* appendingSeqItems(
        text,
        listPath,
        missing.map((b) => b.raw),
      ),
    );
  }
  return missing.length > 0;
}

function adoptSettings(
  next: Map<string, string>,
  tree: FileMap,
  ctx: MigrationContext,
  target: ClusterModel,
  backends: MovedBackend[],
  copies: [string, string][],
): boolean {
  let changed = false;
  for (const backend of backends) {
    const path = posix.join(target.settingsDir ?? "", backend.entry);
    // The object as planned: release has since set the source's copy to enabled: false.
    const content = ctx.base.get(backend.key) ?? movedContent(tree, ctx, backend.key);
    copies.push([backend.key, path]);
    const existing = next.get(path);
    if (existing === undefined) {
      next.set(path, content);
      changed = true;
    } else if (!sameYamlValues(path, existing, content)) {
      // Never overwrite the target's own object: that would drop its datastores, or hide ours behind a no-diff.
      throw new InputError([
        `${path}: a different DiscoverySettings object is already where ${ctx.source}'s ${backend.id} (${backend.key}) would be copied into ${target.name}; ` +
          "Handover never overwrites it: rename one of them (or give it the same values if it is the same backend) and plan again",
      ]);
    }
    // The same values, however commented: the object is in place, and a person's comment in it stays.
  }
  return changed;
}

function* adopting(tree: FileMap, ctx: MigrationContext, step: StepDefinition): Generator<void, StepOutcome> {
  let next = new Map(tree);
  const model = load(tree);
  const target = model.clusters.get(ctx.target);
  if (!target)
    throw new InputError([
      `${CONFIG_PATH}: target cluster ${ctx.target} is not configured: the prepare step must be merged first`,
    ]);
  if (target.era !== ctx.targetEra) {
    throw new InputError([
      `cluster ${target.name} is ${target.era} era but Core ${ctx.version} reads the ${ctx.targetEra} era: set clusters.${target.name}.version to ${ctx.version} in ${CONFIG_PATH} and give it that era's discovery`,
    ]);
  }
  const copies: [string, string][] = [];
  const changed = translates(ctx)
    ? yield* adoptingAcross(next, ctx, target, step.group ?? step.id, step.backends)
    : target.era === "settings"
      ? adoptSettings(next, tree, ctx, target, step.backends, copies)
      : yield* adoptingFiles(next, tree, ctx, target, step.backends, copies);
  // The source's kustomizations say how its copies are packaged; once decommissioned, the planned-on tree still does.
  const sourceTree = model.clusters.has(ctx.source) ? tree : ctx.base;
  const packaged = new Map(next);
  yield* registeringCopies(packaged, sourceTree, copies, renamer(ctx.source, ctx.target));
  if (!changed && diffTrees(next, packaged).length === 0) return { tree: new Map(tree), warnings: [] };
  next = packaged;
  return { tree: next, warnings: bumpRestart(next, model, target, restartValue(ctx.issue, step.id)) };
}

function decommission(tree: FileMap, ctx: MigrationContext): StepOutcome {
  const next = new Map(tree);
  const model = load(tree);
  if (!model.clusters.has(ctx.source)) return { tree: next, warnings: [] };
  for (const path of ownedFiles(model, ctx.source, tree)) next.delete(path);
  // The Flux Kustomization or Argo CD Application named after the source that deploys its folder goes with it.
  const source = model.clusters.get(ctx.source);
  const folder = source ? clusterFolderOf(model, source) : undefined;
  const rename = renamer(ctx.source, ctx.target);
  if (folder !== undefined)
    for (const path of deployerFiles(tree, folder)) if (rename(path) !== path) next.delete(path);
  pruneBroken(tree, next);
  next.set(CONFIG_PATH, removeKey(model.configText, ["clusters", ctx.source]));
  return { tree: next, warnings: [] };
}

/** The tree after one step, applied on any tree (the planned chain, or a default branch that moved on). */
export function applyStep(tree: FileMap, ctx: MigrationContext, step: StepDefinition): StepOutcome {
  return finish(applyingStep(tree, ctx, step));
}

/** applyStep as work that yields between pieces (the prepare scaffold edits a copy of a whole Core config). */
export function* applyingStep(
  tree: FileMap,
  ctx: MigrationContext,
  step: StepDefinition,
): Generator<void, StepOutcome> {
  switch (step.kind) {
    case "prepare":
      return yield* scaffolding(tree, ctx);
    case "release":
      return yield* releasing(tree, ctx, step);
    case "adopt":
      return yield* adopting(tree, ctx, step);
    case "decommission":
      return decommission(tree, ctx);
  }
}

/**
 * The tree after rolling back a merged step, applied on the current head: every file the step touched is restored to
 * its content before the step, then the cluster's restart key is bumped so the restored list takes effect.
 */
export function revertStep(
  head: FileMap,
  before: FileMap,
  after: FileMap,
  ctx: MigrationContext,
  step: StepDefinition,
  rollbackId: string,
): StepOutcome {
  const restoredTree = new Map(head);
  for (const change of diffTrees(before, after)) {
    const restored = before.get(change.path);
    if (restored === undefined) restoredTree.delete(change.path);
    else restoredTree.set(change.path, restored);
  }
  const model = load(restoredTree);
  const next = new Map(restoredTree); // a loaded tree is never changed afterwards
  const cluster = model.clusters.get(step.cluster);
  const warnings =
    cluster && diffTrees(head, next).length > 0
      ? bumpRestart(next, model, cluster, restartValue(ctx.issue, rollbackId))
      : [];
  return { tree: next, warnings };
}
