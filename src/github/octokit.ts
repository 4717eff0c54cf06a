import { createHash } from "node:crypto";
import { effectivePermission } from "../chatops/index.js";
import type { CheckRun, CommitStatus, Deployment, DeploymentStatus } from "../health/index.js";
import type { FileChange } from "../repo/index.js";
import type { HealthReport } from "../spec/events.js";
import { readArchive } from "./archive.js";
import { conditionalGet, conditionalReads, LruCache } from "./conditional.js";
import { classify, orUndefined, unrelatedHistories } from "./errors.js";
import { issueNews, pullNews, type Seen } from "./news.js";
import {
  COMMITTER,
  type GuardRun,
  type CommentInfo,
  type CommitInfo,
  type GitHubPort,
  type IssueInfo,
  type AutoMergeAnswer,
  type LabelSpec,
  type MergeMethod,
  type MergeSettings,
  type NewPull,
  type NewStep,
  type Permission,
  type PullInfo,
  type Quiet,
  type Reaction,
  type TreeFile,
} from "./port.js";

/** The part of an Octokit (Probot's or @octokit/core's) the adapter uses. */
export interface OctokitLike {
  request(
    route: string,
    params?: Record<string, unknown>,
  ): Promise<{ data: unknown; headers?: Record<string, string | number | undefined> }>;
  /** GraphQL at the right URL for github.com and GHES (`/api/graphql`); throws with `errors` when GitHub refuses. */
  graphql(query: string, variables?: Record<string, unknown>): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: GitHub JSON, read field by field below
type Json = Record<string, any>;

/** Commits, trees and blobs never change: one bounded cache of each for every adapter in the process. */
const trees = new LruCache<string, Map<string, string>>(64);
/** Blob text by sha (null: binary, left out of trees); 4,000 files of a config repo, a few tens of MB at most. */
const blobs = new LruCache<string, string | null>(4_000);
const commits = new LruCache<string, CommitInfo>(1_000);
/** Tree listings by commit (paths, blob shas and sizes, no contents). */
const listings = new LruCache<string, TreeFile[]>(64);
/** The paths each commit Handover made changes on its parent (a commit of the default branch). */
const changedBy = new LruCache<string, string[]>(1_000);
/** The tree of a commit, learnt from a tree listing, a commit made or a branch read (what a new commit on top needs). */
const treeShas = new LruCache<string, string>(1_000);
/**
 * A commit whose files are in memory, by its tree (`owner/repo#tree`): another commit with that tree (the merge of a
 * step PR Handover made, squashed or not, while the default branch stood still) has the same files, read from here.
 */
const byTree = new LruCache<string, string>(1_000);
/**
 * Default-branch names by `owner/repo`: renaming one is rare, so a reconcile reads only the branch's ref (a 404 there
 * reads the repository again) instead of the repository and then the ref, one after the other.
 */
const defaultBranches = new LruCache<string, string>(1_000);
/** The tree of a commit (`owner/repo@sha`) when this process knows it (a listing, a commit made or read, a branch). */
function treeOf(key: string): string | undefined {
  return treeShas.get(key) ?? commits.get(key)?.tree;
}

/** Tree listings being read, by `owner/repo`: a commit whose tree is known waits for them (one may be of that tree). */
const listingsOnTheWire = new Map<string, Set<Promise<unknown>>>();
/** How long a commit written ahead (no branch points to it yet) is taken for the step it was written for. */
const REUSE_COMMIT_MS = 60 * 60_000;

/** Repositories' GraphQL node ids by `owner/repo` (they never change; webhook payloads carry them too). */
const repositoryIds = new LruCache<string, string>(1_000);

/**
 * The default branch a webhook payload names, so no request asks for it. A name gone stale (a rename, an old
 * delivery) costs nothing wrong: its ref is not found and the repository is read again.
 */
export function knowDefaultBranch(owner: string, repo: string, name: string): void {
  defaultBranches.set(`${owner}/${repo}`, name);
}

/** The repository's GraphQL node id a webhook payload names, so opening a step asks no request for it. */
export function knowRepositoryId(owner: string, repo: string, nodeId: string): void {
  repositoryIds.set(`${owner}/${repo}`, nodeId);
}

/**
 * For this long (real time) after making a commit or a check run, this process takes it that no other check run is on
 * that commit than those it wrote: the guard on a step PR it just opened does not read back the head it just made,
 * and a duplicate delivery does not read back the run just written. Past it (another replica may have guarded the
 * head since), the check runs are read.
 */
const FRESH_MS = 60_000;

/**
 * What one App instance wrote, shared by its adapters (one per reconcile or guard): not facts about immutable objects
 * like the caches above, so it lives with the App (a rehearsal run twice in one process starts with a new one).
 */
export class PortMemory {
  /**
   * `hears` says this process receives the repo's webhooks (the App): only then may a gate's reads be quiet. A CLI
   * reading a live migration hears nothing, so it reads every check.
   */
  constructor(private readonly hears = false) {}

  /** When (real ms) each commit was made. */
  readonly made = new LruCache<string, number>(1_000);
  /**
   * Commits written, by the changes they carry (the array a step's computed outcome holds), then `owner/repo@parent`
   * and message, with when (real ms) each was asked for. The work ahead commits the step after a running gate; the
   * reconcile that opens it once the gate passes takes that commit instead of writing the same tree and commit again.
   */
  readonly commitsFor = new WeakMap<readonly FileChange[], Map<string, { sha: Promise<string>; at: number }>>();
  /** The check runs written, by commit and name, with the verdict they carry. */
  readonly checkRuns = new LruCache<string, { run: GuardRun; at: number }>(1_000);
  /** The command comments (`owner/repo#id`) whose feedback this process sent. */
  readonly feedback = new LruCache<string, true>(1_000);
  /** By `owner/repo`, once its labels were listed: the names (lower case) seen there or made since. */
  readonly labels = new LruCache<string, Set<string>>(500);
  /** Health webhooks heard, counted. */
  private heard = 0;
  /** The newest health webhook about each thing reported on (its count, and when it came), by `owner/repo kind:id`. */
  private readonly healthNews = new LruCache<string, { heard: number; at: number }>(5_000);
  /** The last answer of each health read, with the count of health webhooks heard when it was asked. */
  private readonly healthAnswers = new LruCache<string, { heard: number; data: unknown }>(2_000);

  /** What health webhooks reported on, at `at`: the next read of those asks GitHub. */
  noteHealth(owner: string, repo: string, reports: readonly HealthReport[], at: number): void {
    for (const report of reports) this.healthNews.set(healthKey(owner, repo, report), { heard: ++this.heard, at });
  }

  /**
   * A health read. A quiet one (for a gate that cannot pass yet, in a process that hears webhooks) asks GitHub only
   * about what a webhook reported on since this process last read it (and since `quiet.since`): otherwise that answer
   * still stands, and what was neither read nor reported on is taken as not reported yet. A failure's report comes
   * with its webhook; one that was lost is read when the gate could pass, where every read asks.
   */
  async health<T>(key: string, quiet: Quiet | undefined, read: () => Promise<T[]>): Promise<T[]> {
    const news = this.healthNews.get(key);
    const last = this.healthAnswers.get(key);
    const hush = this.hears ? quiet : undefined;
    const fresh = news !== undefined && (hush === undefined || news.at >= hush.since);
    if (hush && !fresh) return last ? (last.data as T[]) : [];
    if (hush && last && news && news.heard <= last.heard) return last.data as T[];
    const asked = this.heard;
    const data = await read();
    this.healthAnswers.set(key, { heard: asked, data });
    return data;
  }
}

function healthKey(owner: string, repo: string, report: HealthReport): string {
  return `${owner}/${repo} ${report.kind}:${report.id}`;
}

/** Reads of immutable objects under way: a guard and a reconcile reading the same new tree at once share one read. */
const reading = new Map<string, Promise<unknown>>();
/** Forget every cached answer (tests that fake GitHub reuse shas with other contents; real shas never change). */
export function resetCaches(): void {
  for (const cache of [
    trees,
    listings,
    blobs,
    commits,
    treeShas,
    byTree,
    changedBy,
    conditionalReads,
    defaultBranches,
    repositoryIds,
  ])
    cache.clear();
  reading.clear();
}

/** One read at a time per immutable object: a second caller waits for the first one's answer. */
function shared<T>(key: string, read: () => Promise<T>): Promise<T> {
  const under = reading.get(key) as Promise<T> | undefined;
  if (under) return under;
  const promise = read().finally(() => reading.delete(key));
  reading.set(key, promise);
  return promise;
}

/** Git's name for a blob: what GitHub's tree listing gives for a file with this text (content-addressed). */
export function blobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/**
 * Reading a tree with more unknown files than this downloads the archive (1 request) instead of each blob: the rate
 * limit is what an App runs out of, and a config repo's archive is small. A merge that changed a file or two reads
 * just those.
 */
const ARCHIVE_ABOVE = 3;

/** GitHub's answer to a draft on a plan without drafts: 422 with this message. */
function draftsRefused(err: unknown): boolean {
  const e = err as { status?: number; response?: { data?: { message?: unknown } } };
  const message = e.response?.data?.message;
  return e.status === 422 && typeof message === "string" && message.startsWith("Draft pull requests are not supported");
}

function time(value: unknown): number {
  return typeof value === "string" ? Date.parse(value) : 0;
}

function toPull(data: Json): PullInfo {
  return {
    number: data.number,
    state: data.state,
    merged: Boolean(data.merged ?? data.merged_at),
    mergedAt: data.merged_at ? time(data.merged_at) : null,
    mergeCommitSha: data.merge_commit_sha ?? null,
    headRef: data.head?.ref ?? "",
    headSha: data.head?.sha ?? "",
    baseRef: data.base?.ref ?? "",
    author: data.user?.login ?? "",
    body: data.body ?? "",
    draft: Boolean(data.draft),
    url: data.html_url ?? "",
    mergeable: typeof data.mergeable === "boolean" ? data.mergeable : null,
    ...(typeof data.mergeable_state === "string" ? { mergeableState: data.mergeable_state } : {}),
    ...(typeof data.node_id === "string" ? { nodeId: data.node_id } : {}),
    ...(typeof data.created_at === "string" ? { createdAt: time(data.created_at) } : {}),
    ...(data.auto_merge
      ? {
          autoMerge: {
            method: String(data.auto_merge.merge_method),
            enabledBy: data.auto_merge.enabled_by?.login ?? "",
          },
        }
      : {}),
  };
}

/** The one GraphQL request Handover sends: GitHub's auto-merge on a step PR. */
export const ENABLE_AUTO_MERGE = `mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

export const ENQUEUE_PULL = `mutation EnqueuePull($pullRequestId: ID!, $expectedHeadOid: GitObjectID!) {
  enqueuePullRequest(input: {pullRequestId: $pullRequestId, expectedHeadOid: $expectedHeadOid}) {
    mergeQueueEntry { position }
  }
}`;

/** The step's branch, PR and guard check run: three mutations GitHub runs one after another in one request. */
const OPEN_STEP_FIELDS = `createRef(input: {repositoryId: $repositoryId, name: $ref, oid: $oid}) { ref { name } }
  createPullRequest(input: {repositoryId: $repositoryId, baseRefName: $base, headRefName: $head, title: $title, body: $body, draft: $draft}) {
    pullRequest { id number url isDraft headRefOid createdAt }
  }`;
export const OPEN_STEP = `mutation OpenStep($repositoryId: ID!, $ref: String!, $oid: GitObjectID!, $base: String!, $head: String!, $title: String!, $body: String!, $draft: Boolean!) {
  ${OPEN_STEP_FIELDS}
}`;
export const OPEN_STEP_CHECKED = `mutation OpenStep($repositoryId: ID!, $ref: String!, $oid: GitObjectID!, $base: String!, $head: String!, $title: String!, $body: String!, $draft: Boolean!, $check: CreateCheckRunInput!) {
  ${OPEN_STEP_FIELDS}
  createCheckRun(input: $check) { checkRun { id } }
}`;

/** GitHub takes at most 50 annotations per check run request. */
const ANNOTATIONS_MAX = 50;

/** GitHub refuses auto-merge on a PR that could merge now ("Pull request Pull request is in clean status"). */
const CLEAN_STATUS = /is in clean status/;
/** GitHub's refusal of a direct merge into a branch that requires a merge queue (REST 405). */
const THROUGH_QUEUE = /must be made through the merge queue/i;

/**
 * GitHub's words when a mutation refuses: a GraphQL refusal comes as `errors` in a 200 answer; an HTTP error (5xx, a
 * rate limit) is thrown again, to be retried like any other.
 */
function graphqlRefusal(err: unknown): string {
  const errors = (err as { errors?: { message?: string }[] }).errors;
  if (!Array.isArray(errors)) throw err;
  return errors.map((e) => e.message ?? "").join("; ");
}

/** A read of the repository's REST API: path below `/repos/{owner}/{repo}`, and its parameters. */
export interface Read {
  path: string;
  params: Record<string, unknown>;
}

function readKey(read: Read): string {
  return `${read.path} ${JSON.stringify(read.params)}`;
}

/** A read started or answered, and what it asked. */
interface Asked<T> {
  read: Read;
  answer: Promise<T>;
}

/**
 * What a write may change of the reads made before it. `all`: anything. `objects`: nothing read (a new tree or commit
 * is named by its content, and no branch moves). `{ branch }`: a step's branch, the PR opened from it, that PR's labels
 * and check run: the reads of other branches and of other branches' PRs (the default branch, the steps before) stand.
 */
type Touches = "all" | "objects" | { branch: string };

/** A read of another branch than `branch`, or of the PRs of another head: a write to `branch` and its PR leaves it. */
function stands(read: Read, owner: string, branch: string): boolean {
  const named = /^\/(?:branches|git\/ref\/heads)\/(.+)$/.exec(read.path)?.[1];
  if (named !== undefined) return decodeURIComponent(named) !== branch;
  const head = read.params.head;
  return read.path === "/pulls" && typeof head === "string" && head !== `${owner}:${branch}`;
}

/** Objects named by their sha never change (they are cached by sha, not read again): not worth reading ahead. */
const IMMUTABLE = /^\/git\/(commits|trees|blobs)\//;

/** A gate's reads: a commit's statuses or check runs (the guard's own check, named, is not one), deployments. */
const GATE_READ = /^\/(commits\/[^/]+\/(statuses|check-runs)|deployments(\/\d+\/statuses)?)$/;
const isGateRead = (read: Read): boolean => GATE_READ.test(read.path) && read.params.check_name === undefined;

/** The GitHub port over Octokit: REST calls, the conflict signals of section 5.2, caches of immutable objects. */
export class OctokitPort implements GitHubPort {
  /**
   * PRs this adapter opened, by branch. The App makes one adapter per reconcile: the round after an open knows the PR
   * from GitHub's answer (no comments yet, mergeability not computed yet) instead of listing it back. The next
   * reconcile reads it as usual.
   */
  private readonly opened = new Map<string, PullInfo>();
  /**
   * This adapter's reads since its last write, by route and parameters: a later round of the reconcile (a gate passed,
   * now the next step) asks GitHub again only what a write may have changed.
   */
  private readonly answered = new Map<string, Asked<Json>>();
  /** Reads started ahead (`prefetch`), by route and parameters, not asked for yet. */
  private readonly ahead = new Map<string, Asked<unknown>>();
  /** Every read started ahead, taken up, dropped or still waiting. */
  private readonly readingAhead: Promise<unknown>[] = [];
  /** Reads of things that change this adapter made (`readsMade`), by route and parameters. */
  private readonly reads = new Map<string, Read>();
  /**
   * The PRs of migrations this adapter listed (`migrationPulls`), by branch prefix (`handover/<issue>/`): a branch
   * without a PR there has none in this reconcile either (one opened since is found by `createPull`'s "already exists").
   */
  private readonly listed = new Map<string, Map<string, PullInfo>>();
  /** The default branch as this adapter last read it (`defaultBranch`): what an open PR's mergeability is judged on. */
  private head: { name: string; sha: string } | undefined;
  /** What this adapter read of the issues, PRs and default branch webhooks report on (`observed`). */
  private readonly seen: Seen = { issues: new Map(), pulls: new Map() };

  constructor(
    private readonly octokit: OctokitLike,
    readonly owner: string,
    readonly repo: string,
    readonly botLogin: string,
    private readonly memory = new PortMemory(),
  ) {}

  private get base(): string {
    return `/repos/${this.owner}/${this.repo}`;
  }

  /**
   * A read, conditional when an earlier answer carried an ETag: a 304 answers from memory, free of rate limit. A read
   * `prefetch` already started is taken from there (once), and one this adapter made already answers again until it
   * writes; a `fresh` read asks GitHub all the same (a write is decided on it). One made for a one-off purpose (`ahead`
   * false) is not read ahead by the next reconcile: that one does not need it, and read ahead it is a counted request
   * whenever it changed.
   */
  private async get(path: string, params: Record<string, unknown> = {}, ahead = true, fresh = false): Promise<Json> {
    const read: Read = { path, params };
    const key = readKey(read);
    if (fresh) {
      this.answered.delete(key);
      this.ahead.delete(key);
    }
    const remember = ahead && !IMMUTABLE.test(path) && !this.reads.has(key);
    if (remember) this.reads.set(key, read);
    const known = this.answered.get(key);
    if (known) return known.answer;
    const early = this.ahead.get(key)?.answer;
    this.ahead.delete(key);
    const asked = (early ?? conditionalGet(this.octokit, `GET ${this.base}${path}`, params)) as Promise<Json>;
    this.answered.set(key, { read, answer: asked });
    try {
      return await asked;
    } catch (err) {
      this.answered.delete(key);
      // Only an answered read is worth reading ahead next time. A 404 (a step branch not made yet) carries no ETag,
      // so read ahead it is a counted request every time, and the reconcile after the one that made the branch
      // never asks for it again.
      if (remember) this.reads.delete(key);
      throw err;
    }
  }

  /**
   * Before a write: a read started or answered before it may not see it, so each the write may change is read again
   * when asked.
   */
  private forgetReads(touches: Touches = "all"): void {
    if (touches === "objects") return;
    for (const reads of [this.answered, this.ahead] as Map<string, Asked<unknown>>[])
      for (const [key, { read }] of reads)
        if (touches === "all" || !stands(read, this.owner, touches.branch)) reads.delete(key);
  }

  /**
   * A read of an object named by its sha (a tree, a blob): never changed by a write, nor changing what this adapter
   * read before, so it is neither conditional (its cache keeps it) nor a reason to ask the other reads again.
   */
  private async immutable(path: string, params: Record<string, unknown> = {}): Promise<Json> {
    return (await this.octokit.request(`GET ${this.base}${path}`, params)).data as Json;
  }

  private async send(
    method: string,
    path: string,
    params: Record<string, unknown> = {},
    touches: Touches = "all",
  ): Promise<Json> {
    this.forgetReads(touches);
    return (await this.octokit.request(`${method} ${this.base}${path}`, params)).data as Json;
  }

  /**
   * The reads of things that change this adapter made, in order: what the next reconcile of the issue will ask. Without
   * `gate`, a gate's checks (commit statuses and check runs, deployments and their statuses) are left out: the gate
   * they were read for passed or failed, and the next reconcile does not read them.
   */
  readsMade(gate = true): Read[] {
    const reads = [...this.reads.values()];
    return gate ? reads : reads.filter((read) => !isGateRead(read));
  }

  /**
   * The newest state this adapter read of the default branch's head, of each issue and of each PR found for a branch,
   * as fingerprints a webhook payload can be compared with (news.ts).
   */
  observed(): Seen {
    return { ...this.seen, issues: new Map(this.seen.issues), pulls: new Map(this.seen.pulls) };
  }

  /**
   * Starts these reads at once, together (a reconcile that finds nothing changed then costs one round trip instead
   * of one per read); each is used by the first read that asks for it before any write, and forgotten otherwise.
   */
  prefetch(reads: readonly Read[]): void {
    for (const read of reads) {
      const key = readKey(read);
      if (this.ahead.has(key)) continue;
      const started = conditionalGet(this.octokit, `GET ${this.base}${read.path}`, read.params);
      // Whoever takes it up sees its failure; one nobody takes up fails silently.
      started.catch(() => undefined);
      this.ahead.set(key, { read, answer: started });
      this.readingAhead.push(started);
    }
  }

  /** Resolves once every read started ahead has its answer, taken up or not: none outlives the reconcile. */
  async quiet(): Promise<void> {
    await Promise.allSettled(this.readingAhead);
  }

  /**
   * Every page of a list endpoint (100 a page); `key` picks the list out of an object answer, and `enough` stops the
   * listing after a page it says yes to.
   */
  private async all(
    path: string,
    params: Record<string, unknown> = {},
    key?: string,
    enough: (page: Json[]) => boolean = () => false,
    ahead = true,
    fresh = false,
  ): Promise<Json[]> {
    const items: Json[] = [];
    for (let page = 1; page < 50; page++) {
      const data = await this.get(path, { ...params, per_page: 100, page }, ahead, fresh);
      const list = (key ? data[key] : data) as Json[];
      items.push(...list);
      if (list.length < 100 || enough(list)) break;
    }
    return items;
  }

  /**
   * The branch read (not its ref) carries the head commit and its tree: a head whose tree is one this process holds
   * (the merge of a step PR it made) is then planned on without reading the tree again.
   */
  async defaultBranch(): Promise<{ name: string; sha: string }> {
    const known = defaultBranches.get(`${this.owner}/${this.repo}`);
    const branch = known === undefined ? undefined : await orUndefined(this.get(`/branches/${known}`));
    // GitHub answers a renamed branch's old name with the new one (a redirect): the repository says which is default.
    if (known !== undefined && branch?.name === known) this.head = { name: known, sha: this.learnHead(branch) };
    else {
      // Not known yet, or renamed: read the repository.
      const name = await this.defaultBranchName(true);
      this.head = { name, sha: this.learnHead(await this.get(`/branches/${name}`)) };
    }
    this.seen.head = this.head.sha;
    return { ...this.head };
  }

  /** The head commit of a branch answer, remembered (commits never change): its sha. */
  private learnHead(branch: Json): string {
    const head = branch.commit as Json;
    const sha = head.sha as string;
    const tree = head.commit?.tree?.sha;
    if (typeof tree === "string") {
      const key = `${this.owner}/${this.repo}@${sha}`;
      treeShas.set(key, tree);
      if (!commits.get(key) && Array.isArray(head.parents))
        commits.set(key, {
          sha,
          tree,
          parents: (head.parents as Json[]).map((p) => p.sha as string),
          committer: head.commit?.committer?.name ?? "",
          message: head.commit?.message ?? "",
        });
    }
    return sha;
  }

  /** What `cache` holds for another commit of this repo with the same tree as this one (same tree: same files). */
  private twin<T>(key: string, cache: LruCache<string, T>): T | undefined {
    const tree = treeOf(key);
    const other = tree === undefined ? undefined : byTree.get(`${this.owner}/${this.repo}#${tree}`);
    const found = other === undefined || other === key ? undefined : cache.get(other);
    if (found !== undefined) cache.set(key, found);
    return found;
  }

  /** This commit's files (or listing) are in memory now: a commit found later with its tree reads them from here. */
  private holding(key: string, tree: string): void {
    treeShas.set(key, tree);
    byTree.set(`${this.owner}/${this.repo}#${tree}`, key);
  }

  private async defaultBranchName(fresh = false): Promise<string> {
    const key = `${this.owner}/${this.repo}`;
    const known = fresh ? undefined : defaultBranches.get(key);
    if (known !== undefined) return known;
    const name = (await this.get("")).default_branch as string;
    defaultBranches.set(key, name);
    return name;
  }

  /**
   * The files of a commit: the same read-only Map for every read of it while it is cached, so what was computed from
   * it (a repo model, a plan) is found again by identity, and no copy of a large tree is made per reconcile.
   */
  async readTree(sha: string): Promise<ReadonlyMap<string, string>> {
    const key = `${this.owner}/${this.repo}@${sha}`;
    return this.heldTree(sha) ?? shared(`tree ${key}`, () => this.loadTree(sha, key));
  }

  heldTree(sha: string): ReadonlyMap<string, string> | undefined {
    const key = `${this.owner}/${this.repo}@${sha}`;
    return trees.get(key) ?? this.twin(key, trees);
  }

  heldBlob(sha: string): string | null | undefined {
    return blobs.get(sha);
  }

  private async loadTree(sha: string, key: string): Promise<Map<string, string>> {
    const listing = await this.listTree(sha);
    const missing = listing.filter((e) => blobs.get(e.sha) === undefined);
    if (missing.length > ARCHIVE_ABOVE) {
      // One archive download instead of a request per file; anything it lacks is read blob by blob below.
      const archive = await readArchive(await this.tarball(sha));
      for (const entry of missing) {
        const bytes = archive.get(entry.path);
        if (bytes) blobs.set(entry.sha, bytes.includes(0) ? null : bytes.toString("utf8"));
      }
    }
    const files = new Map<string, string>();
    for (const entry of listing) {
      const text = await this.readBlob(entry.sha);
      if (typeof text === "string") files.set(entry.path, text);
    }
    trees.set(key, files);
    return files;
  }

  async listTree(sha: string): Promise<TreeFile[]> {
    const key = `${this.owner}/${this.repo}@${sha}`;
    const cached = listings.get(key) ?? this.twin(key, listings);
    if (cached) return cached;
    const repo = `${this.owner}/${this.repo}`;
    const pending = listingsOnTheWire.get(repo);
    if (pending?.size && treeOf(key) !== undefined) {
      // A listing on the wire may be of a commit with this tree (a guard reading a PR's head, merged meanwhile).
      await Promise.allSettled([...pending]);
      const twin = listings.get(key) ?? this.twin(key, listings);
      if (twin) return twin;
    }
    const read = this.readListing(sha, key);
    const wire = listingsOnTheWire.get(repo) ?? new Set<Promise<unknown>>();
    listingsOnTheWire.set(repo, wire.add(read));
    try {
      return await read;
    } finally {
      wire.delete(read);
      if (wire.size === 0 && listingsOnTheWire.get(repo) === wire) listingsOnTheWire.delete(repo);
    }
  }

  private async readListing(sha: string, key: string): Promise<TreeFile[]> {
    // Immutable by sha and kept in the listings cache: a conditional read would only keep a second copy.
    const listing = await this.immutable(`/git/trees/${sha}`, { recursive: "1" });
    if (listing.truncated) throw new Error(`the tree of ${sha} is too large for GitHub to list at once`);
    const files = (listing.tree as Json[])
      .filter((e) => e.type === "blob")
      .map((e) => ({ path: e.path as string, sha: e.sha as string, size: typeof e.size === "number" ? e.size : 0 }));
    listings.set(key, files);
    this.holding(key, listing.sha as string);
    return files;
  }

  async readBlob(sha: string): Promise<string | null> {
    const known = blobs.get(sha);
    if (known !== undefined) return known;
    // Two trees read at once (a guard's and a reconcile's) often hold the same new file: one request for both.
    return shared(`blob ${this.owner}/${this.repo}@${sha}`, () => this.loadBlob(sha));
  }

  private async loadBlob(sha: string): Promise<string | null> {
    // Immutable and kept in the blob cache: a conditional read would keep a second copy of every file.
    const blob = await this.immutable(`/git/blobs/${sha}`);
    const bytes = Buffer.from(blob.content as string, blob.encoding === "base64" ? "base64" : "utf8");
    const text = bytes.includes(0) ? null : bytes.toString("utf8");
    blobs.set(sha, text);
    return text;
  }

  /** The commit's tree as GitHub's tar.gz archive (a redirect to codeload, which Octokit's fetch follows). */
  private async tarball(sha: string): Promise<Uint8Array> {
    const data = (await this.octokit.request(`GET ${this.base}/tarball/${sha}`)).data;
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (data instanceof Uint8Array) return data;
    throw new Error(`GET ${this.base}/tarball/${sha} did not answer with an archive`);
  }

  /** A commit by sha: immutable, so asked of GitHub once per process. */
  async getCommit(sha: string): Promise<CommitInfo> {
    const key = `${this.owner}/${this.repo}@${sha}`;
    const known = commits.get(key);
    if (known) return known;
    return shared(`commit ${key}`, () => this.readCommit(sha, key));
  }

  private async readCommit(sha: string, key: string): Promise<CommitInfo> {
    const data = await this.get(`/git/commits/${sha}`);
    const commit: CommitInfo = {
      sha: data.sha,
      tree: data.tree?.sha ?? "",
      parents: (data.parents as Json[]).map((p) => p.sha),
      committer: data.committer?.name ?? "",
      message: data.message ?? "",
    };
    commits.set(key, commit);
    return commit;
  }

  async contains(head: string, base: string): Promise<boolean> {
    try {
      const data = await this.get(`/compare/${base}...${head}`);
      return data.status === "identical" || data.status === "ahead";
    } catch (err) {
      // Histories with no commit in common: neither holds the other.
      if (unrelatedHistories(err)) return false;
      throw err;
    }
  }

  async getBranch(branch: string): Promise<string | undefined> {
    return (await orUndefined(this.get(`/git/ref/heads/${branch}`)))?.object?.sha;
  }

  /**
   * The same change set (the same array) on the same parent with the same message is written once per process: a
   * commit written ahead for a step (or being written) is the one its opening takes, for up to an hour.
   */
  async createCommit(parent: string, changes: readonly FileChange[], message: string): Promise<string> {
    const key = `${this.owner}/${this.repo}@${parent}\0${message}`;
    let made = this.memory.commitsFor.get(changes);
    if (!made) this.memory.commitsFor.set(changes, (made = new Map()));
    const earlier = made.get(key);
    // A commit no branch points to is GitHub's to prune in time: one written long ago is not counted on.
    const sha = earlier && Date.now() - earlier.at < REUSE_COMMIT_MS && (await earlier.sha.catch(() => undefined));
    if (sha) return sha;
    const writing = { sha: this.writeCommit(parent, changes, message), at: Date.now() };
    made.set(key, writing);
    // A write that failed is forgotten: the next caller writes it.
    writing.sha.catch(() => {
      if (made.get(key) === writing) made.delete(key);
    });
    return writing.sha;
  }

  /**
   * Handover knows what it commits: the new commit, its files' blobs (by their content-addressed names) and, when the
   * parent's files are in memory, the new commit's files are remembered, so neither the guard on its PR nor the
   * reconcile reads back what was just written.
   */
  private async writeCommit(parent: string, changes: readonly FileChange[], message: string): Promise<string> {
    const parentKey = `${this.owner}/${this.repo}@${parent}`;
    const baseTree = treeShas.get(parentKey) ?? (await this.getCommit(parent)).tree;
    const tree = await this.send(
      "POST",
      "/git/trees",
      {
        base_tree: baseTree,
        tree: changes.map((c) =>
          c.content === null
            ? { path: c.path, mode: "100644", type: "blob", sha: null }
            : { path: c.path, mode: "100644", type: "blob", content: c.content },
        ),
      },
      "objects",
    );
    const commit = await this.send(
      "POST",
      "/git/commits",
      { message, tree: tree.sha, parents: [parent], author: COMMITTER, committer: COMMITTER },
      "objects",
    );
    const sha = commit.sha as string;
    commits.set(`${this.owner}/${this.repo}@${sha}`, {
      sha,
      tree: commit.tree?.sha ?? tree.sha,
      parents: [parent],
      committer: commit.committer?.name ?? COMMITTER.name,
      message: commit.message ?? message,
    });
    for (const c of changes) if (c.content !== null) blobs.set(blobSha(c.content), c.content);
    treeShas.set(`${this.owner}/${this.repo}@${sha}`, tree.sha);
    changedBy.set(`${this.owner}/${this.repo}@${sha}`, [...new Set(changes.map((c) => c.path))]);
    const before = trees.get(parentKey);
    if (before) {
      const after = new Map(before);
      for (const c of changes) {
        if (c.content === null) after.delete(c.path);
        else after.set(c.path, c.content);
      }
      trees.set(`${this.owner}/${this.repo}@${sha}`, after);
    }
    const listed = listings.get(parentKey);
    if (listed) {
      // The new commit's listing, as GitHub would give it: blob names are content-addressed.
      const changed = new Set(changes.map((c) => c.path));
      const added = changes.flatMap((c) =>
        c.content === null ? [] : [{ path: c.path, sha: blobSha(c.content), size: Buffer.byteLength(c.content) }],
      );
      const files = [...listed.filter((f) => !changed.has(f.path)), ...added];
      listings.set(
        `${this.owner}/${this.repo}@${sha}`,
        files.sort((a, b) => (a.path < b.path ? -1 : 1)),
      );
    }
    if (before || listed) this.holding(`${this.owner}/${this.repo}@${sha}`, tree.sha);
    this.memory.made.set(`${this.owner}/${this.repo}@${sha}`, Date.now());
    return sha;
  }

  async createBranch(branch: string, sha: string): Promise<boolean> {
    try {
      await this.send("POST", "/git/refs", { ref: `refs/heads/${branch}`, sha });
      return true;
    } catch (err) {
      if (classify(err) === "exists") return false;
      throw err;
    }
  }

  async moveBranch(branch: string, sha: string, expected: string): Promise<boolean> {
    // A re-planned step is one commit on the new base (a rebase-only repo refuses a head with merge commits), so the
    // move is not a fast-forward: read the head right before forcing it, and leave a branch a person pushed to alone.
    const head = (await orUndefined(this.get(`/git/ref/heads/${branch}`, {}, true, true)))?.object?.sha;
    if (head !== expected) return false;
    await this.send("PATCH", `/git/refs/heads/${branch}`, { sha, force: true });
    return true;
  }

  async deleteBranch(branch: string): Promise<void> {
    await orUndefined(this.send("DELETE", `/git/refs/heads/${branch}`));
  }

  async getIssue(number: number, fresh = false): Promise<IssueInfo> {
    const data = await this.get(`/issues/${number}`, {}, true, fresh);
    this.seen.issues.set(number, issueNews(data));
    return {
      number: data.number,
      title: data.title ?? "",
      body: data.body ?? "",
      state: data.state,
      labels: (data.labels as Json[]).map((l) => (typeof l === "string" ? l : l.name)),
      isPullRequest: Boolean(data.pull_request),
      author: data.user?.login ?? "",
    };
  }

  async listComments(number: number, fresh = false): Promise<CommentInfo[]> {
    if ([...this.opened.values()].some((pull) => pull.number === number)) return [];
    return (await this.all(`/issues/${number}/comments`, {}, undefined, undefined, true, fresh)).map((c) => ({
      id: c.id,
      body: c.body ?? "",
      author: c.user?.login ?? "",
      authorIsBot: c.user?.type === "Bot",
      createdAt: time(c.created_at),
      edited: c.updated_at !== c.created_at,
      ...(typeof c.reactions?.total_count === "number" ? { reactions: c.reactions.total_count as number } : {}),
    }));
  }

  async reactedBy(commentId: number): Promise<string[]> {
    return (await this.all(`/issues/comments/${commentId}/reactions`)).map((r) => String(r.user?.login ?? ""));
  }

  async createComment(number: number, body: string): Promise<number> {
    return (await this.send("POST", `/issues/${number}/comments`, { body })).id as number;
  }

  async updateComment(id: number, body: string): Promise<void> {
    await this.send("PATCH", `/issues/comments/${id}`, { body });
  }

  async deleteComment(id: number): Promise<void> {
    await orUndefined(this.send("DELETE", `/issues/comments/${id}`));
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    // A PR this adapter opened: labelling it changes what is read of its branch's PRs, not of other branches.
    const branch = [...this.opened].find(([, pull]) => pull.number === number)?.[0];
    await this.send("POST", `/issues/${number}/labels`, { labels }, branch === undefined ? "all" : { branch });
  }

  /**
   * The repo's labels are listed once per App process: after that, the labels it saw or made are taken to be there, and
   * any other is made without asking (GitHub answers "already exists" for one made since). A label deleted since is
   * made by GitHub itself when an issue gets it (without Handover's colour), so nothing breaks.
   */
  async ensureLabels(labels: readonly LabelSpec[]): Promise<void> {
    const repo = `${this.owner}/${this.repo}`;
    let known = this.memory.labels.get(repo);
    if (!known) {
      const listed = await this.all("/labels", {}, undefined, undefined, false);
      known = new Set(listed.map((l) => String(l.name).toLowerCase()));
      this.memory.labels.set(repo, known);
    }
    for (const label of labels) {
      if (known.has(label.name.toLowerCase())) continue;
      try {
        await this.send("POST", "/labels", { ...label });
      } catch (err) {
        // created meanwhile (another replica): 422 with the error code already_exists
        const errors = (err as { response?: { data?: { errors?: { code?: string }[] } } }).response?.data?.errors;
        if (!errors?.some((e) => e.code === "already_exists")) throw err;
      }
      known.add(label.name.toLowerCase());
    }
  }

  async setLabels(number: number, labels: string[]): Promise<void> {
    await this.send("PUT", `/issues/${number}/labels`, { labels });
  }

  async addReaction(commentId: number, content: Reaction): Promise<void> {
    await this.send("POST", `/issues/comments/${commentId}/reactions`, { content });
  }
  feedbackSent(commentId: number): boolean {
    return this.memory.feedback.get(`${this.owner}/${this.repo}#${commentId}`) === true;
  }

  noteFeedbackSent(commentId: number): void {
    this.memory.feedback.set(`${this.owner}/${this.repo}#${commentId}`, true);
  }

  async permission(login: string): Promise<Permission> {
    const data = await orUndefined(this.get(`/collaborators/${encodeURIComponent(login)}/permission`));
    return data ? effectivePermission({ permission: data.permission, role_name: data.role_name }) : "none";
  }

  async teamMember(team: string, login: string): Promise<{ member: boolean; problem?: string }> {
    const [org = "", slug = ""] = team.split("/");
    const route = "GET /orgs/{org}/teams/{team_slug}/memberships/{username}";
    try {
      const data = (await orUndefined(
        conditionalGet(this.octokit, route, { org, team_slug: slug, username: login }),
      )) as Json | undefined;
      // A pending invitation is not a membership yet.
      return { member: data?.state === "active" };
    } catch (err) {
      if (classify(err) !== "permission") throw err;
      return {
        member: false,
        problem: `Handover cannot read the members of ${team} (the App needs the organization permission members: read)`,
      };
    }
  }

  async openMigrationIssues(): Promise<number[]> {
    return (await this.all("/issues", { labels: "handover", state: "open" }))
      .filter((i) => !i.pull_request)
      .map((i) => i.number as number);
  }

  async findPull(branch: string, fresh = false): Promise<PullInfo | undefined> {
    const opened = fresh ? undefined : this.opened.get(branch);
    if (opened) return { ...opened };
    const listing = fresh ? undefined : this.listed.get(branch.slice(0, branch.indexOf("/", "handover/".length) + 1));
    if (listing) {
      const listed = listing.get(branch);
      return listed?.state === "open" ? this.withMergeable(listed) : listed && { ...listed };
    }
    const query = { head: `${this.owner}:${branch}`, state: "all", per_page: 100 };
    const pulls = await this.get("/pulls", query, true, fresh);
    const newest = (pulls as unknown as Json[]).sort((a, b) => b.number - a.number)[0];
    if (!newest) return undefined;
    this.seen.pulls.set(newest.number, pullNews(newest));
    const pull = toPull(newest);
    return pull.state === "open" ? this.withMergeable(pull) : pull;
  }

  /**
   * An open PR with its mergeability, which only the single-PR answer carries (and it matters only while the PR is
   * open). A head whose one parent is the default branch's head as this adapter read it merges cleanly by
   * construction (a fast-forward: nothing on the base is missing from it), which is known without a request when the
   * head commit is known (Handover made it, or read it before: commits never change). Asking GitHub would cost a
   * counted read, twice for a new head: its first answer is `null` while GitHub computes it.
   */
  private async withMergeable(pull: PullInfo): Promise<PullInfo> {
    const head = commits.get(`${this.owner}/${this.repo}@${pull.headSha}`);
    const onBase = this.head !== undefined && pull.baseRef === this.head.name;
    if (onBase && head?.parents.length === 1 && head.parents[0] === this.head?.sha) return { ...pull, mergeable: true };
    return toPull(await this.get(`/pulls/${pull.number}`));
  }

  async getPull(number: number): Promise<PullInfo> {
    return toPull(await this.get(`/pulls/${number}`, {}, false));
  }

  async migrationPulls(issue: number): Promise<Map<string, PullInfo>> {
    const prefix = `${this.owner}:handover/${issue}/`.toLowerCase();
    const found = new Map<string, PullInfo>();
    // Newest first, so the listing stops at the first PR older than the issue: none of those can be its step.
    const listing = await this.all(
      "/pulls",
      { state: "all", sort: "created", direction: "desc" },
      undefined,
      (page) => page.some((data) => data.number < issue),
      false,
    );
    for (const data of listing) {
      const pull = toPull(data);
      const label = String(data.head?.label ?? "").toLowerCase();
      if (label.startsWith(prefix) && (found.get(pull.headRef)?.number ?? 0) < pull.number) {
        found.set(pull.headRef, pull);
        this.seen.pulls.set(pull.number, pullNews(data));
      }
    }
    this.listed.set(`handover/${issue}/`, found);
    return new Map(found);
  }

  async createPull(pull: NewPull): Promise<PullInfo> {
    const base = await this.defaultBranchName();
    const open = async (title: string, draft: boolean) => {
      const opened = toPull(
        await this.send(
          "POST",
          "/pulls",
          { title, head: pull.branch, base, body: pull.body, draft },
          { branch: pull.branch },
        ),
      );
      this.opened.set(pull.branch, opened);
      return opened;
    };
    try {
      try {
        return await open(pull.title, pull.draft);
      } catch (err) {
        if (!pull.draft || !draftsRefused(err)) throw err;
        return await open(pull.wipTitle ?? pull.title, false);
      }
    } catch (err) {
      if (classify(err) !== "exists") throw err;
      this.listed.clear();
      const found = await this.findPull(pull.branch);
      if (!found) throw err;
      return found;
    }
  }

  private async repositoryId(): Promise<string> {
    const key = `${this.owner}/${this.repo}`;
    const known = repositoryIds.get(key);
    if (known !== undefined) return known;
    const data = await this.get("");
    repositoryIds.set(key, data.node_id as string);
    if (defaultBranches.get(key) === undefined) defaultBranches.set(key, data.default_branch as string);
    return data.node_id as string;
  }

  async openStep(step: NewStep, again = false): Promise<{ branch: boolean; pull?: PullInfo }> {
    // One read of the repository answers both when neither is known yet.
    const repositoryId = await this.repositoryId();
    const base = await this.defaultBranchName();
    const { pull, check } = step;
    const variables = {
      repositoryId,
      ref: `refs/heads/${step.branch}`,
      oid: step.sha,
      base,
      head: step.branch,
      title: pull.title,
      body: pull.body,
      draft: pull.draft,
      ...(check ? { check: checkRunInput(repositoryId, step.sha, check.name, check.run) } : {}),
    };
    this.forgetReads({ branch: step.branch });
    let data: Json | undefined;
    try {
      data = (await this.octokit.graphql(check ? OPEN_STEP_CHECKED : OPEN_STEP, variables)) as Json;
    } catch (err) {
      // A field GitHub refused comes back null, with `errors`; the others ran. Anything else (5xx, rate limit) throws.
      const refused = err as { errors?: { type?: unknown; path?: unknown[] }[]; data?: Json };
      if (!Array.isArray(refused.errors)) throw err;
      data = refused.data ?? {};
      // GitHub resolved no node for the repository id this process kept (a repository recreated under the same name):
      // nothing was made, so read the repository again and send once more.
      const unknownRepository = refused.errors.some((e) => e.type === "NOT_FOUND" && e.path?.[0] === "createRef");
      if (unknownRepository && !data.createRef && !data.createPullRequest && !again) {
        repositoryIds.delete(`${this.owner}/${this.repo}`);
        return this.openStep(step, true);
      }
    }
    if (check && data?.createCheckRun) {
      this.memory.checkRuns.set(`${this.owner}/${this.repo}@${step.sha}\0${check.name}`, {
        run: check.run,
        at: Date.now(),
      });
    }
    const opened = data?.createPullRequest?.pullRequest as Json | undefined;
    if (!opened) return { branch: Boolean(data?.createRef) };
    // GraphQL's answer in REST's words, read as every other PR is.
    const info = toPull({
      number: opened.number,
      state: "open",
      head: { ref: step.branch, sha: opened.headRefOid ?? step.sha },
      base: { ref: base },
      user: { login: this.botLogin },
      body: pull.body,
      draft: opened.isDraft,
      html_url: opened.url,
      node_id: opened.id,
      created_at: opened.createdAt,
    });
    this.opened.set(step.branch, info);
    return { branch: Boolean(data?.createRef), pull: info };
  }

  async updatePull(
    number: number,
    patch: { title?: string; body?: string; state?: "open" | "closed" },
  ): Promise<PullInfo> {
    try {
      return toPull(await this.send("PATCH", `/pulls/${number}`, patch));
    } catch (err) {
      // A close that GitHub refuses because the PR merged meanwhile changes nothing: the merge is the answer.
      if (patch.state !== "closed" || (err as { status?: number }).status !== 422) throw err;
      const pull = toPull(await this.get(`/pulls/${number}`, {}, false, true));
      if (!pull.merged) throw err;
      return pull;
    }
  }

  async mergeSettings(): Promise<MergeSettings> {
    const data = await this.get("");
    const allowed: [MergeMethod, unknown][] = [
      ["merge", data.allow_merge_commit],
      ["squash", data.allow_squash_merge],
      ["rebase", data.allow_rebase_merge],
    ];
    // A field GitHub leaves out (it may, for a token that cannot administer the repo) is taken as allowed: the
    // mutation then answers for itself.
    return {
      methods: allowed.filter(([, allow]) => allow !== false).map(([method]) => method),
      allowAutoMerge: data.allow_auto_merge !== false,
    };
  }

  async enableAutoMerge(pull: { nodeId: string }, method: MergeMethod): Promise<AutoMergeAnswer> {
    try {
      this.forgetReads();
      await this.octokit.graphql(ENABLE_AUTO_MERGE, { pullRequestId: pull.nodeId, mergeMethod: method.toUpperCase() });
      return { enabled: true };
    } catch (err) {
      const refused = graphqlRefusal(err);
      return { refused, clean: CLEAN_STATUS.test(refused) };
    }
  }

  async mergePull(
    number: number,
    headSha: string,
    method: MergeMethod,
  ): Promise<{ merged: true } | { refused: string; queue?: true }> {
    try {
      await this.send("PUT", `/pulls/${number}/merge`, { sha: headSha, merge_method: method });
      return { merged: true };
    } catch (err) {
      const kind = classify(err);
      if (kind === "transient" || kind === "rate-limit") throw err;
      const message = (err as { response?: { data?: { message?: unknown } } }).response?.data?.message;
      const refused = typeof message === "string" ? message : String(err);
      return { refused, ...(THROUGH_QUEUE.test(refused) ? { queue: true as const } : {}) };
    }
  }

  async enqueuePull(pull: { nodeId: string; headSha: string }): Promise<{ queued: true } | { refused: string }> {
    try {
      this.forgetReads();
      await this.octokit.graphql(ENQUEUE_PULL, { pullRequestId: pull.nodeId, expectedHeadOid: pull.headSha });
      return { queued: true };
    } catch (err) {
      return { refused: graphqlRefusal(err) };
    }
  }

  async pullCommits(pull: number): Promise<CommitInfo[]> {
    return (await this.all(`/pulls/${pull}/commits`)).map((c) => ({
      sha: c.sha,
      tree: c.commit?.tree?.sha ?? "",
      parents: ((c.parents ?? []) as Json[]).map((p) => p.sha),
      committer: c.commit?.committer?.name ?? "",
      message: c.commit?.message ?? "",
    }));
  }

  async changedFiles(pull: number, headSha?: string): Promise<string[]> {
    // A step PR whose head is a commit this process made on the default branch changes exactly what that commit did.
    const own = headSha === undefined ? undefined : changedBy.get(`${this.owner}/${this.repo}@${headSha}`);
    if (own) return [...own];
    return (await this.all(`/pulls/${pull}/files`)).flatMap((f) => [
      f.filename as string,
      ...(f.previous_filename ? [f.previous_filename as string] : []),
    ]);
  }

  async findCheckRun(sha: string, name: string): Promise<{ conclusion: string | null; title: string } | undefined> {
    const key = `${this.owner}/${this.repo}@${sha}`;
    const mine = this.ownCheckRun(sha, name);
    if (mine) return { conclusion: mine.conclusion, title: mine.output.title };
    // A commit this process made moments ago has no check run yet but what this process writes.
    const madeAt = this.memory.made.get(key);
    if (madeAt !== undefined && Date.now() - madeAt < FRESH_MS) return undefined;
    const runs = (await this.get(`/commits/${sha}/check-runs`, { check_name: name, per_page: 100 }))
      .check_runs as Json[];
    const newest = runs.sort((a, b) => b.id - a.id)[0];
    return newest ? { conclusion: newest.conclusion ?? null, title: newest.output?.title ?? "" } : undefined;
  }

  async createCheckRun(sha: string, name: string, run: GuardRun): Promise<void> {
    const output = { ...run.output, annotations: run.output.annotations.slice(0, ANNOTATIONS_MAX) };
    await this.send("POST", "/check-runs", {
      name,
      head_sha: sha,
      status: "completed",
      conclusion: run.conclusion,
      output,
    });
    this.memory.checkRuns.set(`${this.owner}/${this.repo}@${sha}\0${name}`, { run, at: Date.now() });
  }

  ownCheckRun(sha: string, name: string): GuardRun | undefined {
    const mine = this.memory.checkRuns.get(`${this.owner}/${this.repo}@${sha}\0${name}`);
    return mine && Date.now() - mine.at < FRESH_MS ? mine.run : undefined;
  }

  private health<T>(report: HealthReport, quiet: Quiet | undefined, read: () => Promise<T[]>): Promise<T[]> {
    return this.memory.health(healthKey(this.owner, this.repo, report), quiet, read);
  }

  statuses(ref: string, quiet?: Quiet): Promise<CommitStatus[]> {
    return this.health(
      { kind: "statuses", id: ref },
      quiet,
      async () => (await this.all(`/commits/${ref}/statuses`)) as CommitStatus[],
    );
  }

  checkRuns(ref: string, quiet?: Quiet): Promise<CheckRun[]> {
    return this.health(
      { kind: "check-runs", id: ref },
      quiet,
      async () => (await this.all(`/commits/${ref}/check-runs`, {}, "check_runs")) as CheckRun[],
    );
  }

  deployments(environment: string, quiet?: Quiet): Promise<Deployment[]> {
    return this.health(
      { kind: "deployments", id: environment },
      quiet,
      async () => (await this.get("/deployments", { environment, per_page: 30 })) as unknown as Deployment[],
    );
  }

  deploymentStatuses(id: number, quiet?: Quiet): Promise<DeploymentStatus[]> {
    return this.health(
      { kind: "deployment-statuses", id: String(id) },
      quiet,
      async () => (await this.all(`/deployments/${id}/statuses`)) as DeploymentStatus[],
    );
  }
}

/** The guard's verdict as GraphQL's CreateCheckRunInput: a completed run on `sha`. */
function checkRunInput(repositoryId: string, sha: string, name: string, run: GuardRun): Json {
  return {
    repositoryId,
    headSha: sha,
    name,
    status: "COMPLETED",
    conclusion: run.conclusion.toUpperCase(),
    output: {
      title: run.output.title,
      summary: run.output.summary,
      annotations: run.output.annotations.slice(0, ANNOTATIONS_MAX).map((a) => ({
        path: a.path,
        location: { startLine: a.start_line, endLine: a.end_line },
        annotationLevel: a.annotation_level.toUpperCase(),
        message: a.message,
      })),
    },
  };
}
