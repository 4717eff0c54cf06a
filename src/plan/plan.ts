import { EditError, readingSeqItems, unifiedDiff } from "../edit/index.js";
import { healthWarnings } from "../health/index.js";
import { checkingModel, checkingTree } from "../invariant/index.js";
import {
  BACKEND_LIST_PATH,
  diffTrees,
  endpointIdentity,
  loadingRepo,
  loadRepo,
  type ChangeAction,
  type ClusterModel,
  type FileMap,
  type RepoModel,
} from "../repo/index.js";
import { CONFIG_PATH, healthChecks, type Era, type HealthCheck } from "../spec/config.js";
import type { MigrationRequest } from "../spec/issue.js";
import { InputError } from "../spec/problems.js";
import { compareCoreVersions, crossingOf, eraOfVersion, parseCoreVersion, type Crossing } from "../spec/version.js";
import type { Violation } from "../spec/violation.js";
import { resolveGroups, type ResolvedGroup } from "./groups.js";
import { anchorValues, expandForeignAliases } from "./translate.js";
import { applyingStep, type MigrationContext, type MovedBackend, type StepDefinition } from "./steps.js";
import { stepBranch, stepTitle } from "../spec/markers.js";
import { QuickPlanner } from "./incremental.js";
import { parseAhead, parseChanged } from "./slices.js";
import { finish, inSlices, type Slicing } from "../spec/work.js";

export interface PlannedChange {
  path: string;
  action: ChangeAction;
  content: string | null;
  diff: string;
}

export interface GateSummary {
  cluster: string;
  checks: HealthCheck[];
  soak: string;
  timeout: string;
}

export interface PlannedStep extends StepDefinition {
  branch: string;
  title: string;
  summary: string;
  /** `no-diff` when the step's changes are already on the tree it applies to. */
  status: "planned" | "no-diff";
  changes: PlannedChange[];
  gate: GateSummary | null;
  /** prepare: files of the source's folder the scaffold could not place (listed on the PR for a person to copy). */
  unplaced?: string[];
}

export interface Plan {
  issue: number;
  source: string;
  target: string;
  version: string;
  groups: { name: string; backends: string[] }[];
  steps: PlannedStep[];
  warnings: string[];
  /** Clusters of the chain whose gates would pass on the soak time alone without `health: none` saying so. */
  ungated: string[];
  context: MigrationContext;
}

export interface PlanOptions {
  /**
   * false: compute every step on the general path (load, edit with verification, full checker), as a reference for
   * the tests that prove the quick path gives the same plan.
   */
  incremental?: boolean;
}

export type PlanResult =
  | { ok: true; plan: Plan }
  | { ok: false; kind: "input"; problems: string[] }
  | { ok: false; kind: "invariant"; step: string | null; violations: Violation[] };

function summaryOf(step: StepDefinition, ctx: MigrationContext): string {
  const ids = step.backends.map((b) => b.id).join(", ");
  switch (step.kind) {
    case "prepare":
      return `Prepare ${ctx.target} for Replicante Core ${ctx.version}`;
    case "release":
      return `Release ${step.group} (${ids}) from ${ctx.source}`;
    case "adopt":
      return `Adopt ${step.group} (${ids}) into ${ctx.target}`;
    case "decommission":
      return `Decommission ${ctx.source}`;
  }
}

/** The step chain: prepare, release/adopt per group, decommission. */
export function stepDefinitions(
  groups: ResolvedGroup[],
  ctx: MigrationContext,
  raws: Map<string, string>,
): StepDefinition[] {
  const moved = (group: ResolvedGroup): MovedBackend[] =>
    group.backends.map((b) => ({ ...b, raw: raws.get(b.key) ?? b.entry }));
  return [
    { id: "prepare", kind: "prepare", group: null, cluster: ctx.target, backends: [] },
    ...groups.flatMap((g): StepDefinition[] => [
      { id: `release-${g.name}`, kind: "release", group: g.name, cluster: ctx.source, backends: moved(g) },
      { id: `adopt-${g.name}`, kind: "adopt", group: g.name, cluster: ctx.target, backends: moved(g) },
    ]),
    { id: "decommission", kind: "decommission", group: null, cluster: ctx.source, backends: [] },
  ];
}

/** The source config's list items exactly as written, by backend key. */
function* rawItems(source: ClusterModel, tree: FileMap): Generator<void, Map<string, string>> {
  const raws = new Map<string, string>();
  const listPath = BACKEND_LIST_PATH[source.era];
  if (!listPath) return raws;
  const text = tree.get(source.configPath) ?? "";
  const items = yield* readingSeqItems(text, listPath); // a config may list thousands of backends
  // Without a `*` in the file no item holds an alias, and its anchors are never looked up.
  const anchors = text.includes("*") ? anchorValues(text) : new Map<string, unknown>();
  // Each backend takes the first item not taken yet that names it: the items by what they name, in order.
  const unused = new Map<string, number[]>();
  for (const [n, item] of items.entries()) {
    const names = itemNames(source, item.value);
    if (names !== undefined) unused.set(names, [...(unused.get(names) ?? []), n]);
  }
  for (const [n, backend] of source.backends.entries()) {
    const item = items[unused.get(source.era === "files" ? backend.entry : backend.key)?.shift() ?? -1];
    if (!item) continue;
    raws.set(backend.key, expandForeignAliases(item.raw, anchors));
    if (n % 100 === 99) yield;
  }
  return raws;
}

/** What a list item names, as a backend's entry (files era) or key (http era) would say it. */
function itemNames(source: ClusterModel, value: unknown): string | undefined {
  if (source.era === "files") return typeof value === "string" ? value : undefined;
  return endpointIdentity(value);
}

/** The gate that follows a step: the health of the cluster it changed, read from the tree after it. */
export function gateFor(
  step: StepDefinition,
  tree: FileMap,
  request: Pick<MigrationRequest, "soak">,
): GateSummary | null {
  const loaded = loadRepo(tree);
  return loaded.ok ? gateOf(step, loaded.model, request) : null;
}

/** The gate that follows a step, from the handover.yml of the tree after it. */
function gateOf(step: StepDefinition, model: RepoModel, request: Pick<MigrationRequest, "soak">): GateSummary | null {
  if (step.kind === "decommission") return null;
  const cluster = model.clusters.get(step.cluster);
  if (!cluster) return null;
  const defaults = model.config.defaults;
  return {
    cluster: cluster.name,
    checks: healthChecks(cluster.spec.health),
    soak: request.soak ?? cluster.spec.soak ?? defaults.soak,
    timeout: defaults.timeout,
  };
}

/** The tree after the first step's changes. */
function treeAfterFirst(tree: FileMap, step: PlannedStep): FileMap {
  const next = new Map(tree);
  for (const change of step.changes) {
    if (change.content === null) next.delete(change.path);
    else next.set(change.path, change.content);
  }
  return next;
}

/** A change whose diff is computed when it is first read (a large plan renders few of its diffs). */
function plannedChange(path: string, before: string | null, content: string | null): PlannedChange {
  return lazyChange(
    path,
    before === null ? "create" : content === null ? "delete" : "update",
    () => before,
    () => content,
  );
}

/**
 * A change whose texts are read when asked: a quick step's from the file's history of edits, so a plan does not hold
 * a whole copy of a large file for each of its steps. Its diff is kept once computed.
 */
function lazyChange(
  path: string,
  action: ChangeAction,
  before: () => string | null,
  content: () => string | null,
): PlannedChange {
  let diff: string | undefined;
  return {
    path,
    action,
    get content() {
      return content();
    },
    get diff() {
      diff ??= unifiedDiff(path, before(), content());
      return diff;
    },
  };
}

function plannedChanges(before: FileMap, after: FileMap): PlannedChange[] {
  return diffTrees(before, after).map((c) => plannedChange(c.path, before.get(c.path) ?? null, c.content));
}

/**
 * The crossing from the source's Core version to the issue's target version (section 3a), or undefined with the
 * problems that refuse it pushed: a target older than the source, a crossing the table does not list, or a target
 * already in the repo whose version or era disagrees with the issue.
 */
function crossingFor(
  source: ClusterModel,
  target: ClusterModel | undefined,
  request: MigrationRequest,
  problems: string[],
): { kind: Crossing["kind"]; targetEra: Era } | undefined {
  const version = parseCoreVersion(request.version);
  if (!version) return undefined; // the issue form's problem already says so
  const targetEra = eraOfVersion(version);
  const where = `Target version: ${request.version}`;
  if (target?.version && compareCoreVersions(target.version, version) !== 0) {
    problems.push(
      `${where}: ${CONFIG_PATH} says ${target.name} runs Core ${target.version.text} (clusters.${target.name}.version); they must agree`,
    );
    return undefined;
  }
  if (target && target.era !== targetEra) {
    problems.push(
      `${where}: Core ${version.text} reads the ${targetEra} era, but ${target.name} is configured for the ${target.era} era in ${CONFIG_PATH}; set clusters.${target.name}.version to ${version.text} and give it the ${targetEra} era's discovery`,
    );
    return undefined;
  }
  const crossing = crossingOf({ era: source.era, version: source.version }, { era: targetEra, version });
  const from = source.version ? `Core ${source.version.text}` : `${source.era} era`;
  if ("refused" in crossing) {
    problems.push(`${where}: ${source.name} (${from}) -> ${request.target}: refused: ${crossing.refused}`);
    return undefined;
  }
  return { kind: crossing.kind, targetEra };
}

/** Violations the plan expects: the REPLACE-ME values of a scaffold that operators fill in on the prepare PR. */
function expected(v: Violation, ctx: MigrationContext, scaffolded: boolean): boolean {
  return scaffolded && v.rule === "unfinished-scaffold" && v.clusters.length === 1 && v.clusters[0] === ctx.target;
}

/**
 * Turn a migration request into the ordered steps, checking the invariant on the tree after each one.
 * `issueProblems` (from reading the issue form) are reported together with what the repo finds wrong, all at once.
 */
export function planMigration(
  tree: FileMap,
  request: MigrationRequest,
  issue: number,
  issueProblems: readonly string[] = [],
  options: PlanOptions = {},
): PlanResult {
  return finish(planning(tree, request, issue, issueProblems, options));
}

/**
 * planMigration in slices of about `sliceMs` of work, awaiting `pause` between them, so a large migration never holds
 * the App's event loop (webhooks, timers) for long: the repo's YAML files are parsed ahead one by one (the plan then
 * reads them from the parse memo), then the plan is computed step by step.
 */
export async function planMigrationInSlices(
  tree: FileMap,
  request: MigrationRequest,
  issue: number,
  issueProblems: readonly string[] = [],
  slicing: Slicing,
): Promise<PlanResult> {
  return inSlices(
    (function* () {
      yield* parseAhead(tree);
      return yield* planning(tree, request, issue, issueProblems, {});
    })(),
    slicing,
  );
}

/** The plan as a computation that yields between pieces of work of a bounded size. */
function* planning(
  tree: FileMap,
  request: MigrationRequest,
  issue: number,
  issueProblems: readonly string[],
  options: PlanOptions,
): Generator<void, PlanResult> {
  const loaded = yield* loadingRepo(tree);
  if (!loaded.ok)
    return { ok: false, kind: "input", problems: [...issueProblems, ...loaded.problems.map((p) => p.message)] };
  const model = loaded.model;
  const problems = [...issueProblems];
  yield;
  const found = yield* checkingModel(model);
  yield; // the checker and the groups each go over every backend of the repo
  const unreadable = found.filter((v) => v.rule === "invalid-config");
  problems.push(...unreadable.map((v) => v.message));
  const source = model.clusters.get(request.source);
  const names = [...model.clusters.keys()].join(", ") || "none";
  if (!source && request.source !== "")
    problems.push(
      `Source cluster: ${JSON.stringify(request.source)} is not a cluster in ${CONFIG_PATH} (clusters: ${names})`,
    );
  const target = model.clusters.get(request.target);
  // A source whose Core config cannot be read has no era to cross from: the problem above says why.
  const crossing = source?.core ? crossingFor(source, target, request, problems) : undefined;
  const before = found.filter((v) => v.rule !== "invalid-config");
  // A backend whose file is missing or malformed is not in the list: the refusal below names the real cause.
  const resolved =
    source && before.length === 0 && unreadable.length === 0
      ? resolveGroups(request.groups, source.backends, source.name)
      : undefined;
  problems.push(...(resolved?.problems ?? []));
  if (problems.length > 0 || !source || !crossing) return { ok: false, kind: "input", problems };
  if (before.length > 0 || !resolved) return { ok: false, kind: "invariant", step: null, violations: before };
  const ctx: MigrationContext = {
    issue,
    source: source.name,
    target: request.target,
    version: request.version,
    era: source.era,
    targetEra: crossing.targetEra,
    crossing: crossing.kind,
    base: tree,
  };
  const warnings = [...resolved.warnings];
  const steps: PlannedStep[] = [];
  let current: FileMap = tree;
  const scaffolded = !target;
  const quick = options.incremental === false ? undefined : new QuickPlanner(ctx);
  const addWarnings = (list: string[]) => {
    for (const w of list) if (!warnings.includes(w)) warnings.push(w);
  };
  const push = (
    definition: StepDefinition,
    changes: PlannedChange[],
    gate: GateSummary | null,
    unplaced?: string[],
  ) => {
    const summary = summaryOf(definition, ctx);
    steps.push({
      ...definition,
      summary,
      changes,
      branch: stepBranch(issue, definition.id),
      title: stepTitle(issue, summary),
      status: changes.length ? "planned" : "no-diff",
      gate,
      ...(unplaced?.length ? { unplaced } : {}),
    });
  };
  try {
    const raws = yield* rawItems(source, tree);
    for (const definition of stepDefinitions(resolved.groups, ctx, raws)) {
      yield;
      const spliced = quick && (yield* quick.stepping(current, definition));
      if (spliced) {
        addWarnings(spliced.warnings);
        const changes = spliced.changes.map((c) =>
          lazyChange(c.path, c.created ? "create" : "update", () => c.before() ?? null, c.content),
        );
        push(definition, changes, gateOf(definition, spliced.model, request));
        current = spliced.tree;
        continue;
      }
      // A step of the general path loads the tree before it and the tree after it: both in pieces, ahead, their
      // files parsed ahead too (a Core config listing thousands of backends, changed by the step or by quick ones).
      yield* parseChanged(tree, current);
      yield* loadingRepo(current);
      yield;
      const outcome = yield* applyingStep(current, ctx, definition);
      yield;
      yield* parseChanged(current, outcome.tree);
      yield* loadingRepo(outcome.tree);
      const violations = (yield* checkingTree(outcome.tree)).filter((v) => !expected(v, ctx, scaffolded));
      if (violations.length > 0) return { ok: false, kind: "invariant", step: definition.id, violations };
      addWarnings(outcome.warnings);
      push(
        definition,
        plannedChanges(current, outcome.tree),
        gateFor(definition, outcome.tree, request),
        outcome.unplaced,
      );
      current = outcome.tree;
    }
  } catch (err) {
    if (err instanceof InputError) return { ok: false, kind: "input", problems: [...err.problems] };
    if (err instanceof EditError) return { ok: false, kind: "input", problems: [err.message] };
    throw err;
  }
  const ungated: string[] = [];
  yield;
  const afterPrepare = yield* loadingRepo(steps.length ? treeAfterFirst(tree, steps[0] as PlannedStep) : tree);
  for (const name of [source.name, ctx.target]) {
    const cluster = afterPrepare.ok ? afterPrepare.model.clusters.get(name) : undefined;
    if (!cluster) continue;
    for (const w of healthWarnings(name, cluster.spec.health)) if (!warnings.includes(w)) warnings.push(w);
    if (cluster.spec.health !== "none" && cluster.spec.health.length === 0) ungated.push(name);
  }
  if (scaffolded) {
    warnings.push(
      `prepare scaffolds ${ctx.target} with REPLACE-ME dependency endpoints: fill them in on the prepare PR (the guard fails it until then)`,
    );
  }
  return {
    ok: true,
    plan: {
      issue,
      source: source.name,
      target: ctx.target,
      version: request.version,
      groups: resolved.groups.map((g) => ({ name: g.name, backends: g.backends.map((b) => b.id) })),
      steps,
      warnings,
      ungated,
      context: ctx,
    },
  };
}
