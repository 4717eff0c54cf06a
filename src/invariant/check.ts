import {
  loadingRepo,
  loadRepo,
  PLACEHOLDER,
  type ClusterModel,
  type FileMap,
  type ReachKind,
  type RepoModel,
} from "../repo/index.js";
import { RULES, type Rule, type Violation } from "../spec/violation.js";
import { finish } from "../spec/work.js";

const REACH_RULE: Record<ReachKind, { rule: Rule; noun: string }> = {
  datastore: { rule: "shared-datastore", noun: "datastore cluster_id" },
  node: { rule: "shared-node", noun: "agent node URL" },
  url: { rule: "shared-url", noun: "discovery URL" },
};

const RULE_ORDER = Object.keys(RULES) as Rule[];

interface Holder {
  cluster: string;
  file: string;
}

/** Group holders by a key and keep the keys held by two clusters or more. */
function sharedKeys(entries: Iterable<[string, Holder]>): Map<string, Holder[]> {
  const byKey = new Map<string, Holder[]>();
  for (const [key, holder] of entries) {
    const list = byKey.get(key);
    if (!list) byKey.set(key, [holder]);
    else if (!list.some((h) => h.cluster === holder.cluster && h.file === holder.file)) list.push(holder);
  }
  // Most keys have one holder: no set of clusters is built for them (a repo may hold thousands).
  for (const [key, holders] of byKey) {
    const first = holders[0]?.cluster;
    if (holders.every((h) => h.cluster === first)) byKey.delete(key);
  }
  return byKey;
}

function describe(holders: Holder[]): string {
  return holders.map((h) => `${h.cluster} (${h.file})`).join(" and ");
}

function clustersOf(holders: Holder[]): string[] {
  return [...new Set(holders.map((h) => h.cluster))].sort();
}

function filesOf(holders: Holder[]): string[] {
  return [...new Set(holders.map((h) => h.file))];
}

function sharedBackends(clusters: ClusterModel[]): Violation[] {
  const entries = clusters.flatMap((c) =>
    c.backends.map((b): [string, Holder] => [b.key, { cluster: c.name, file: b.files[0] ?? c.configPath }]),
  );
  return [...sharedKeys(entries)].map(([key, holders]) => ({
    rule: "shared-backend",
    message: `discovery backend ${key} is referenced by ${describe(holders)}`,
    clusters: clustersOf(holders),
    subject: key,
    files: filesOf(holders),
  }));
}

function sharedReach(clusters: ClusterModel[]): Violation[] {
  const violations: Violation[] = [];
  const kinds = Object.keys(REACH_RULE) as ReachKind[];
  // Every reach by kind, in one pass over the backends.
  const byKind = new Map(kinds.map((kind) => [kind, [] as [string, Holder][]]));
  for (const c of clusters)
    for (const b of c.backends)
      for (const r of b.reach) byKind.get(r.kind)?.push([r.value, { cluster: c.name, file: r.file }]);
  for (const kind of kinds) {
    for (const [value, holders] of sharedKeys(byKind.get(kind) ?? [])) {
      // Reached through one shared file: the shared-backend violation already names it.
      if (filesOf(holders).length === 1) continue;
      const { rule, noun } = REACH_RULE[kind];
      violations.push({
        rule,
        message: `${noun} ${value} is reachable from ${describe(holders)}`,
        clusters: clustersOf(holders),
        subject: value,
        files: filesOf(holders),
      });
    }
  }
  return violations;
}

function sharedDependencies(clusters: ClusterModel[]): Violation[] {
  const entries = clusters.flatMap((c) =>
    c.dependencies
      .filter((d) => !d.display.includes(PLACEHOLDER))
      .map((d): [string, Holder & { field: string; display: string }] => [
        `${d.kind}|${d.identity}`,
        { cluster: c.name, file: d.file, field: d.field, display: d.display },
      ]),
  );
  return [...sharedKeys(entries)].map(([key, holders]) => {
    const first = holders[0] as Holder & { field: string; display: string };
    return {
      rule: "shared-dependency",
      message: `${first.field} (${first.display}) is shared by ${describe(holders)}: a new cluster needs its own dependencies`,
      clusters: clustersOf(holders),
      subject: key.slice(key.indexOf("|") + 1),
      files: filesOf(holders),
    } satisfies Violation;
  });
}

/**
 * Action objects (NodeAction, OrchestratorAction...) a Core schedules on the datastore they name: one in a cluster's
 * settings_dir that targets a datastore (or node) another cluster reaches, or that another cluster also acts on.
 */
function foreignActions(clusters: ClusterModel[]): Violation[] {
  const violations: Violation[] = [];
  for (const cluster of clusters) {
    for (const action of cluster.actions) {
      const others = clusters.filter((c) => c.name !== cluster.name);
      const reaching = others.filter((c) =>
        c.backends.some((b) =>
          b.reach.some(
            (r) =>
              (r.kind === "datastore" && r.value === action.cluster) || (r.kind === "node" && r.value === action.node),
          ),
        ),
      );
      const acting = others.filter((c) => c.actions.some((a) => a.cluster === action.cluster));
      const holders = [...new Set([...reaching, ...acting])];
      if (holders.length === 0) continue;
      const why =
        reaching.length > 0
          ? `which ${reaching.map((c) => c.name).join(" and ")} manages`
          : `which ${acting.map((c) => c.name).join(" and ")} also acts on`;
      violations.push({
        rule: "foreign-action",
        message: `cluster ${cluster.name}: ${action.file}: ${action.kind} targets datastore ${action.cluster}, ${why}: only the Core that manages a datastore may act on it`,
        clusters: [cluster.name, ...holders.map((c) => c.name)].sort(),
        subject: action.cluster,
        files: [action.file],
      });
    }
  }
  return violations;
}

function unfinishedScaffolds(clusters: ClusterModel[]): Violation[] {
  return clusters.flatMap((c) =>
    c.placeholders.map((p) => ({
      rule: "unfinished-scaffold" as const,
      message: `cluster ${c.name}: ${p.file}: ${p.field} is still ${JSON.stringify(p.value)}: fill in the new cluster's own dependency`,
      clusters: [c.name],
      subject: p.field,
      files: [p.file],
    })),
  );
}

function byRuleThenSubject(a: Violation, b: Violation): number {
  const order = RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule);
  if (order !== 0) return order;
  return a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0;
}

/** Every way the repo lets two Core clusters manage the same datastore, or cannot be trusted to say. */
export function checkModel(model: RepoModel): Violation[] {
  return finish(checkingModel(model));
}

/** checkModel as work that yields between its rules, each of which goes over every backend of the repo. */
export function* checkingModel(model: RepoModel): Generator<void, Violation[]> {
  const clusters = [...model.clusters.values()];
  const backends = sharedBackends(clusters);
  yield;
  const reach = sharedReach(clusters);
  yield;
  return [
    ...clusters.flatMap((c) => c.problems),
    ...backends,
    ...reach,
    ...sharedDependencies(clusters),
    ...foreignActions(clusters),
    ...unfinishedScaffolds(clusters),
    ...model.packaging,
  ].sort(byRuleThenSubject);
}

/** The invariant checker on a whole tree (section 4 of the design). */
export function checkTree(tree: FileMap): Violation[] {
  return finish(checkingTree(tree));
}

/** checkTree as work that yields: the tree loaded, then checked, in pieces. */
export function* checkingTree(tree: FileMap): Generator<void, Violation[]> {
  const loaded = yield* loadingRepo(tree);
  return loaded.ok ? yield* checkingModel(loaded.model) : loaded.problems;
}

/** Like checkTree, but a handover.yml that cannot be read at all is an input error rather than a violation. */
export function checkReadableTree(
  tree: FileMap,
): { readable: true; violations: Violation[] } | { readable: false; problems: string[] } {
  const loaded = loadRepo(tree);
  if (!loaded.ok && loaded.unreadable) return { readable: false, problems: loaded.problems.map((p) => p.message) };
  return { readable: true, violations: loaded.ok ? checkModel(loaded.model) : loaded.problems };
}
