import { checkTree } from "../invariant/index.js";
import { loadRepo, withFile, type FileMap } from "../repo/index.js";
import { GUARD_MAX_BYTES, GUARD_MAX_FILES, readNeeded, type GuardTree } from "./read.js";
import { parseIssueBody } from "../spec/issue.js";
import { issueOfBranch } from "../spec/markers.js";
import { RULES, type Violation } from "../spec/violation.js";
import { CONFIG_PATH, type ClusterSpec } from "../spec/config.js";
import { stringify } from "yaml";
import type { CheckRunOutput, GitHubPort, GuardRun, Permission } from "../github/port.js";
import { PERMISSIONS } from "../spec/github.js";

export const GUARD_NAME = "handover/guard";

/** The 1-based line of a file where the violation's subject appears (the first line when it does not). */
export function lineOf(tree: FileMap, path: string, subject: string): number {
  const lines = (tree.get(path) ?? "").split("\n");
  const index = subject ? lines.findIndex((line) => line.includes(subject)) : -1;
  return index === -1 ? 1 : index + 1;
}

function annotations(tree: FileMap, violations: Violation[]): CheckRunOutput["annotations"] {
  return violations.flatMap((v) =>
    v.files
      .filter((path) => tree.has(path))
      .map((path) => {
        // A subject is a value (cluster_id, URL, file) or a dotted field; try it whole, then its last key.
        const subject = v.subject.split("|")[0] ?? "";
        const whole = lineOf(tree, path, subject);
        const line =
          whole === 1 && subject.includes(".")
            ? lineOf(tree, path, `${subject.slice(subject.lastIndexOf(".") + 1)}:`)
            : whole;
        return {
          path,
          start_line: line,
          end_line: line,
          annotation_level: "failure" as const,
          message: `${v.rule}: ${v.message}`,
        };
      }),
  );
}

export interface Lock {
  issue: number;
  clusters: string[];
}

/** A change a PR makes to a cluster an active migration holds. */
export interface LockedHit {
  issue: number;
  cluster: string;
  path: string;
  /** For `.github/handover.yml`: what the PR does to the cluster's entry. */
  change?: string;
}

/** The fields of a cluster's handover.yml entry that say where it lives and what it discovers. */
const LOCATION_FIELDS = ["config", "workdir", "mounts", "discovery", "settings_dir", "restart"] as const;

function clusterOf(loaded: ReturnType<typeof loadRepo> | undefined, name: string) {
  return loaded?.ok ? loaded.model.clusters.get(name) : undefined;
}

/** What a PR does to a locked cluster's handover.yml entry: removes it, or moves what it points at. */
function entryChange(base: ClusterSpec | undefined, head: ClusterSpec | undefined): string | undefined {
  if (!base) return undefined;
  if (!head) return "removes the entry of";
  const moved = LOCATION_FIELDS.filter((field) => JSON.stringify(base[field]) !== JSON.stringify(head[field]));
  return moved.length ? `changes the ${moved.join(", ")} of` : undefined;
}

/**
 * The discovery of the locked clusters (Core config, discovery files, DiscoverySettings) a PR touches, read with both
 * the base's and the head's handover.yml, and any edit of a locked cluster's own handover.yml entry.
 */
export function lockedPaths(tree: FileMap, locks: Lock[], changed: string[], baseTree?: FileMap): LockedHit[] {
  const head = loadRepo(tree);
  const base = baseTree ? loadRepo(baseTree) : undefined;
  const hits: LockedHit[] = [];
  for (const lock of locks) {
    for (const name of lock.clusters) {
      const models = [clusterOf(head, name), clusterOf(base, name)].filter((m) => m !== undefined);
      const discovery = new Set(models.flatMap((c) => [c.configPath, ...c.backends.flatMap((b) => b.files)]));
      const settingsDirs = models.flatMap((c) => (c.settingsDir === undefined ? [] : [`${c.settingsDir}/`]));
      for (const path of changed)
        if (discovery.has(path) || settingsDirs.some((dir) => path.startsWith(dir)))
          hits.push({ issue: lock.issue, cluster: name, path });
      if (!changed.includes(CONFIG_PATH)) continue;
      const change = entryChange(clusterOf(base, name)?.spec, clusterOf(head, name)?.spec);
      if (change) hits.push({ issue: lock.issue, cluster: name, path: CONFIG_PATH, change });
    }
  }
  return hits;
}

/** The head tree read with the base's handover.yml entries of the locked clusters (a PR cannot hide one by editing it). */
function withBaseEntries(tree: FileMap, baseTree: FileMap, clusters: string[]): FileMap | undefined {
  const head = loadRepo(tree);
  const base = loadRepo(baseTree);
  if (!head.ok || !base.ok) return undefined;
  const restored = clusters.flatMap((name) => {
    const before = clusterOf(base, name)?.spec;
    return before && entryChange(before, clusterOf(head, name)?.spec) ? [[name, before] as const] : [];
  });
  if (restored.length === 0) return undefined;
  const config = { ...head.model.config, clusters: { ...head.model.config.clusters, ...Object.fromEntries(restored) } };
  return withFile(tree, CONFIG_PATH, stringify(config));
}

/** GitHub refuses a check run summary over 65,535 characters: the first lines, and how many more. */
const SUMMARY_MAX = 60_000;
function boundedSummary(lines: string[]): string {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > SUMMARY_MAX) {
      kept.push(`- …and ${lines.length - kept.length} more`);
      break;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join("\n");
}

/**
 * The guard's verdict on a PR's head tree: the invariant (with the clusters of both the base's and the head's
 * handover.yml), and the locks of active migrations on PRs that are not theirs.
 */
export function guardVerdict(
  tree: FileMap,
  ownIssue: number | undefined,
  locks: Lock[],
  changed: string[],
  baseTree?: FileMap,
): GuardRun {
  const others = locks.filter((l) => l.issue !== ownIssue);
  const both = baseTree
    ? withBaseEntries(
        tree,
        baseTree,
        others.flatMap((l) => l.clusters),
      )
    : undefined;
  const unique = new Map(
    [...checkTree(tree), ...(both ? checkTree(both) : [])].map((v) => [`${v.rule}\0${v.message}`, v]),
  );
  return verdictOf(tree, [...unique.values()], lockedPaths(tree, others, changed, baseTree));
}

/**
 * The verdict on a tree with these invariant violations and hits on locked clusters (a step Handover opens while no
 * other migration is active has its tree's violations from observe, and no lock to hit).
 */
export function verdictOf(tree: FileMap, violations: Violation[], locked: LockedHit[]): GuardRun {
  if (violations.length === 0 && locked.length === 0) {
    return {
      conclusion: "success",
      output: {
        title: "No two Replicante Core clusters share a datastore",
        summary: "The invariant holds on this PR's tree.",
        annotations: [],
      },
    };
  }
  const lines = [
    ...violations.map((v) => `- **${v.rule}** (${RULES[v.rule]}): ${v.message}`),
    ...locked.map((l) =>
      l.change
        ? `- **locked**: \`${l.path}\` ${l.change} ${l.cluster}, which migration #${l.issue} is moving; change it through that migration, or after it is done`
        : `- **locked**: \`${l.path}\` is discovery of ${l.cluster}, which migration #${l.issue} is moving; change it through that migration, or after it is done`,
    ),
  ];
  const title = violations.length
    ? `${violations.length} invariant violation${violations.length > 1 ? "s" : ""}`
    : `Touches a cluster locked by migration #${locked[0]?.issue}`;
  const lockNotes = locked.map((l) => ({
    path: l.path,
    start_line: 1,
    end_line: 1,
    annotation_level: "failure" as const,
    message: `locked by migration #${l.issue} (${l.cluster})`,
  }));
  return {
    conclusion: "failure",
    output: { title, summary: boundedSummary(lines), annotations: [...annotations(tree, violations), ...lockNotes] },
  };
}

/** Whether `has` reaches `needed` (repository permissions, weakest first). */
export function reaches(has: Permission, needed: Permission): boolean {
  return PERMISSIONS.indexOf(has) >= PERMISSIONS.indexOf(needed);
}

/**
 * Active migrations and the clusters each holds: only a valid issue filed by someone with `commands.permission`
 * (`needed`) takes a lock, so anyone who can file the form cannot block a cluster. `except`: the caller's own
 * migration, which holds no lock against itself: its issue is not read.
 */
export async function activeLocks(port: GitHubPort, needed: Permission, except?: number): Promise<Lock[]> {
  const locks: Lock[] = [];
  for (const number of await port.openMigrationIssues()) {
    if (number === except) continue;
    const issue = await port.getIssue(number);
    const parsed = parseIssueBody(issue.body);
    if (!parsed.ok || !reaches(await port.permission(issue.author), needed)) continue;
    locks.push({ issue: number, clusters: [parsed.request.source, parsed.request.target] });
  }
  return locks;
}

/** The verdict on a PR whose checked files pass the guard's limits: a failure naming the limit and the numbers. */
export function tooLargeVerdict(files: number, bytes: number): GuardRun {
  const over = [
    ...(files > GUARD_MAX_FILES ? [`${files} files (limit ${GUARD_MAX_FILES})`] : []),
    ...(bytes > GUARD_MAX_BYTES ? [`${bytes} bytes (limit ${GUARD_MAX_BYTES})`] : []),
  ].join(" and ");
  return {
    conclusion: "failure",
    output: {
      title: `Too large for the guard: at least ${over}`,
      summary: [
        `Checking the invariant on this PR needs at least ${files} files of ${bytes} bytes: more than the guard reads for one PR (${GUARD_MAX_FILES} files, ${GUARD_MAX_BYTES} bytes).`,
        "It reads only the files the checker needs, in the PR's head and its base: `.github/handover.yml`, the Core config of each cluster it names, and the discovery files those reference.",
        "Split the PR, or run `handover check` on its tree and merge with an admin's override.",
      ].join("\n\n"),
      annotations: [],
    },
  };
}

/** A commit's files for the guard: whole when this process holds them, else listed (files read as needed). */
async function guardTree(port: GitHubPort, sha: string): Promise<GuardTree> {
  const files = port.heldTree?.(sha);
  return files ? { files } : { listing: await port.listTree(sha) };
}

/** A PR as the guard reads it. */
interface GuardedPull {
  number: number;
  headSha: string;
  headRef: string;
  author: string;
}

/**
 * Run the guard on one PR and record it as the `handover/guard` check run (only when the verdict changed). Only the
 * files the checker reads are downloaded, within GUARD_MAX_FILES and GUARD_MAX_BYTES; a PR from a fork gets the same.
 */
export async function guardPullRequest(port: GitHubPort, pull: GuardedPull): Promise<GuardRun> {
  // Handover's own step PR whose head it just guarded in-process (the check run went with the PR): nothing to read.
  const own = pull.author === port.botLogin ? port.ownCheckRun(pull.headSha, GUARD_NAME) : undefined;
  if (own) return own;
  const verdict = await verdictOn(port, pull, pull.headSha, (await port.defaultBranch()).sha);
  await record(port, pull.headSha, verdict);
  return verdict;
}

/** A merge queue's group: the commit that becomes the default branch if its checks pass, and the PR it was made for. */
export interface MergeGroup {
  headSha: string;
  /** The commit the group was made on (a push creating the group's branch does not say: its head's first parent). */
  baseSha?: string;
  headRef: string;
  /** The PR the group was made for, from its branch's name (undefined: a name GitHub does not make). */
  pull?: number;
}

/**
 * Run the guard on a merge queue's group, as GitHub asks of every required check: the verdict on the tree that would
 * land (the base, the PRs queued ahead, and the PR), against the group's base. Whose PR it is and what it changes are
 * the PR's, as for the PR itself. A group whose PR cannot be told fails: the guard does not pass what it cannot judge.
 */
export async function guardMergeGroup(port: GitHubPort, group: MergeGroup): Promise<GuardRun> {
  const baseSha = group.baseSha ?? (await port.getCommit(group.headSha)).parents[0];
  const verdict =
    group.pull === undefined || baseSha === undefined
      ? unknownGroupVerdict(group.headRef)
      : await verdictOn(port, await port.getPull(group.pull), group.headSha, baseSha);
  await record(port, group.headSha, verdict);
  return verdict;
}

function unknownGroupVerdict(headRef: string): GuardRun {
  return {
    conclusion: "failure",
    output: {
      title: "Merge group of an unknown PR",
      summary: [
        `The merge group's branch \`${headRef}\` does not name its PR the way GitHub's merge queue does (\`gh-readonly-queue/<branch>/pr-<number>-<sha>\`), so the guard cannot tell whose changes these are.`,
        "Remove the PR from the queue and add it again, or merge with an admin's override after `handover check` on the merge group's tree.",
      ].join("\n\n"),
      annotations: [],
    },
  };
}

/** The check run written on `sha` when its verdict is new (the same verdict again writes nothing). */
async function record(port: GitHubPort, sha: string, verdict: GuardRun): Promise<void> {
  const existing = await port.findCheckRun(sha, GUARD_NAME);
  if (!existing || existing.conclusion !== verdict.conclusion || existing.title !== verdict.output.title)
    await port.createCheckRun(sha, GUARD_NAME, verdict);
}

/** The guard's verdict on the tree at `headSha` against `baseSha`, for what `pull` changes and whose it is. */
async function verdictOn(port: GitHubPort, pull: GuardedPull, headSha: string, baseSha: string): Promise<GuardRun> {
  const trees = { head: await guardTree(port, headSha), base: await guardTree(port, baseSha) };
  const texts = new Map<string, { text: string | null; size: number }>();
  // Who may hold a lock is read from the default branch: a PR cannot raise the bar to free a cluster.
  const needed = await readNeeded(port, trees, texts, (_head, base): Permission => {
    const loaded = loadRepo(base);
    return loaded.ok ? loaded.model.config.commands.permission : "write";
  });
  let verdict: GuardRun;
  if (needed.kind === "too-large") verdict = tooLargeVerdict(needed.files, needed.bytes);
  else {
    // Only Handover's own step PRs may change the discovery of the clusters their migration holds.
    const own = pull.author === port.botLogin ? issueOfBranch(pull.headRef) : undefined;
    const locks = await activeLocks(port, needed.value, own);
    const changed = await port.changedFiles(pull.number, pull.headSha);
    const read = await readNeeded(port, trees, texts, (head, base) => guardVerdict(head, own, locks, changed, base));
    verdict = read.kind === "read" ? read.value : tooLargeVerdict(read.files, read.bytes);
  }
  return verdict;
}
