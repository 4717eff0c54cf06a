import { actorFor, personFor, type SimCore } from "./core.js";
import {
  found,
  GraphqlRefusal,
  notFound,
  SimHttpError,
  unprocessable,
  validationFailed,
  DOCS_URL,
} from "./http-error.js";
import {
  BODY_LIMIT,
  GITHUB_DEFAULTS,
  iso,
  REACTIONS,
  TITLE_LIMIT,
  ZERO_SHA,
  type Actor,
  type CommitState,
  type DeploymentState,
  type Permission,
  type SimCheckRun,
  type SimComment,
  type SimDeployment,
  type SimDeploymentStatus,
  type SimIssue,
  type SimLabel,
  type SimPullRequest,
  type SimReaction,
  type SimReview,
  type SimStatus,
  type MergeMethod,
  type RepoSettings,
} from "./model.js";
import { type FlatEntry, GitObjectStore, MergeConflict, type FlatTree } from "./objects.js";
import * as render from "./render.js";
import type { FileChange } from "./model.js";

export type { FileChange } from "./model.js";

export interface MergeOptions {
  sha?: string;
  method?: string;
  commitTitle?: string;
  commitMessage?: string;
}

const COMMIT_STATES: readonly CommitState[] = ["pending", "success", "failure", "error"];
const DEPLOYMENT_STATES: readonly DeploymentState[] = [
  "pending",
  "in_progress",
  "success",
  "failure",
  "error",
  "inactive",
  "queued",
];
/** How long a merge group waits for its required checks before GitHub drops the PR from the queue (its default). */
const QUEUE_TIMEOUT_MS = 60 * 60_000;

/** Who moves the refs of a merge queue on GitHub. */
const MERGE_QUEUE = actorFor("github-merge-queue[bot]");

const notAllowed = (message: string): SimHttpError => new SimHttpError(405, { message, documentation_url: DOCS_URL });
const NOT_MERGEABLE = (): SimHttpError => notAllowed("Pull Request is not mergeable");
const METHOD_REFUSED: Record<MergeMethod, string> = {
  merge: "Merge commits are not allowed on this repository.",
  squash: "Squash merges are not allowed on this repository.",
  rebase: "Rebase merges are not allowed on this repository.",
};

/** GitHub's 422 for a text over its limit (`resource` as GitHub names it: Issue, IssueComment, PullRequest). */
export function checkLength(settings: RepoSettings, resource: string, field: string, value: unknown): void {
  const limit = field === "title" ? TITLE_LIMIT : BODY_LIMIT;
  if (!settings.limits || typeof value !== "string" || value.length <= limit) return;
  throw validationFailed({
    resource,
    code: "custom",
    field,
    message: `${field} is too long (maximum is ${limit} characters)`,
  });
}

/**
 * One repository's state and every change to it. Routes (the App, as the bot) and actor
 * methods (people, CI) both come through here, so both emit the same webhooks.
 */
export class RepoState {
  readonly objects = new GitObjectStore();
  readonly refs = new Map<string, string>();
  readonly issues = new Map<number, SimIssue>();
  readonly comments = new Map<number, SimComment>();
  readonly labelDefs = new Map<string, SimLabel>();
  readonly commentReactions = new Map<number, SimReaction[]>();
  readonly issueReactions = new Map<number, SimReaction[]>();
  readonly statuses: SimStatus[] = [];
  readonly checkRuns = new Map<number, SimCheckRun>();
  readonly deployments = new Map<number, SimDeployment>();
  readonly deploymentStatuses: SimDeploymentStatus[] = [];
  readonly permissions = new Map<string, Permission>();
  readonly id: number;
  /** GitHub's behaviours that depend on plan, settings and branch protection (tests switch them). */
  settings: RepoSettings = structuredClone(GITHUB_DEFAULTS);
  private readonly checkSuites = new Map<string, number>();
  private readonly mergeCache = new Map<string, { tree: string } | { conflict: string[] }>();
  private nextNumber = 1;

  constructor(
    readonly core: SimCore,
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch: string,
  ) {
    this.id = core.nextId();
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  now(): number {
    return this.core.clock.now();
  }

  /** Queues a webhook with the repository, installation and sender every payload carries. */
  emit(event: string, action: string | undefined, actor: Actor, fields: Record<string, unknown>): void {
    const payload: Record<string, unknown> = action === undefined ? {} : { action };
    Object.assign(payload, fields, {
      repository: render.repoJson(this),
      installation: { id: this.core.installationId, node_id: `I_${this.core.installationId}` },
      sender: { ...render.userJson(actor.login), type: actor.type },
    });
    this.core.emit(event, payload);
  }

  // ---------- refs and commits ----------

  /** "heads/x" or "refs/heads/x" → "refs/heads/x". */
  fullRef(ref: string): string {
    return ref.startsWith("refs/") ? ref : `refs/${ref}`;
  }

  /** A commit sha for a sha, a branch, a tag, "heads/x" or "refs/heads/x". */
  resolveCommit(ref: string): string | undefined {
    if (/^[0-9a-f]{40}$/.test(ref) && this.objects.getCommit(ref)) return ref;
    const bare = ref.replace(/^refs\//, "");
    return this.refs.get(`refs/${bare}`) ?? this.refs.get(`refs/heads/${bare}`) ?? this.refs.get(`refs/tags/${bare}`);
  }

  requireCommit(ref: string): string {
    const sha = this.resolveCommit(ref);
    if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`);
    return sha;
  }

  branchSha(branch: string): string | undefined {
    return this.refs.get(`refs/heads/${branch}`);
  }

  treeOf(commitSha: string): string {
    return found(this.objects.getCommit(commitSha)).tree;
  }

  createRef(ref: string, sha: string, actor: Actor): void {
    if (!/^refs\/[^/]+\/.+/.test(ref)) throw unprocessable("Reference name is not valid");
    if (this.refs.has(ref)) throw unprocessable("Reference already exists");
    if (!this.objects.getCommit(sha)) throw unprocessable("Object does not exist");
    this.moveRef(ref, sha, actor);
  }

  updateRef(ref: string, sha: string, force: boolean, actor: Actor): void {
    const full = this.fullRef(ref);
    const current = this.refs.get(full);
    if (current === undefined) throw unprocessable("Reference does not exist");
    if (!this.objects.getCommit(sha)) throw unprocessable("Object does not exist");
    const fastForward = this.objects.isAncestor(current, sha);
    if (!force && !fastForward) throw unprocessable("Update is not a fast forward");
    if (current !== sha) this.moveRef(full, sha, actor, !fastForward);
  }

  deleteRef(ref: string, actor: Actor): void {
    const full = this.fullRef(ref);
    if (!this.refs.has(full)) throw unprocessable("Reference does not exist");
    if (full === `refs/heads/${this.defaultBranch}`) throw unprocessable("Cannot delete the default branch");
    this.moveRef(full, null, actor);
  }

  /** Sets a ref without any webhook: for seeding the repository. */
  setRefQuietly(ref: string, sha: string): void {
    this.refs.set(ref, sha);
  }

  private moveRef(full: string, after: string | null, actor: Actor, forced = false): void {
    const before = this.refs.get(full) ?? null;
    if (after === null) this.refs.delete(full);
    else this.refs.set(full, after);
    const isBranch = full.startsWith("refs/heads/");
    const short = full.replace(/^refs\/(heads|tags)\//, "");
    const refFields = { ref: short, ref_type: isBranch ? "branch" : "tag", pusher_type: "user" };
    if (before === null && after !== null)
      this.emit("create", undefined, actor, { ...refFields, master_branch: this.defaultBranch });
    this.emit("push", undefined, actor, render.pushJson(this, full, before, after, forced, actor));
    if (after === null) this.emit("delete", undefined, actor, refFields);
    if (isBranch) this.afterBranchMoved(short, before, after, actor);
    if (isBranch) this.runAutoMerge();
  }

  private afterBranchMoved(branch: string, before: string | null, after: string | null, actor: Actor): void {
    for (const pr of this.openPulls()) {
      if (pr.pull.merged) continue; // being merged right now: keep the base it was merged onto
      if (pr.pull.baseRef === branch && after !== null) {
        pr.pull.baseSha = after;
        pr.pull.mergeableUnknownReads = this.settings.mergeableNullReads;
      }
      if (pr.pull.headRef !== branch) continue;
      // A push to a queued PR takes it out of the queue: its group no longer holds its head.
      if (pr.pull.queued) this.leaveQueue(pr, MERGE_QUEUE, "UNKNOWN_REMOVAL_REASON");
      if (after === null) {
        this.closeIssue(pr, actor);
      } else {
        pr.pull.headSha = after;
        pr.pull.mergeableUnknownReads = this.settings.mergeableNullReads;
        pr.updatedAt = this.now();
        this.emit("pull_request", "synchronize", actor, {
          number: pr.number,
          before: before ?? ZERO_SHA,
          after,
          pull_request: render.pullJson(this, pr),
        });
      }
    }
  }

  /**
   * A commit of file changes on a branch (created from the default branch if missing). `amend` replaces the branch's
   * head commit instead (a force push, as `git commit --amend`).
   */
  commitFiles(
    branch: string,
    changes: { path: string; content: string | null }[],
    message: string,
    actor: Actor,
    rewrite: { amend?: boolean; parent?: string | null } = {},
  ): string {
    const head = this.branchSha(branch) ?? this.branchSha(this.defaultBranch);
    const parent =
      rewrite.parent !== undefined
        ? rewrite.parent
        : rewrite.amend && head
          ? this.objects.getCommit(head)?.parents[0]
          : head;
    const flat: FlatTree = head ? this.objects.flatten(this.treeOf(head)) : new Map();
    for (const change of changes) {
      if (change.content === null) flat.delete(change.path);
      else flat.set(change.path, { mode: "100644", type: "blob", sha: this.objects.putBlob(change.content) });
    }
    const person = personFor(actor.login, iso(this.now()));
    const sha = this.objects.putCommit({
      tree: this.objects.buildTree(flat),
      parents: parent ? [parent] : [],
      message,
      author: person,
      committer: person,
    });
    this.moveRef(`refs/heads/${branch}`, sha, actor, rewrite.amend === true || rewrite.parent !== undefined);
    return sha;
  }

  /** Files that differ between two commits (either may be undefined: empty tree). */
  diffCommits(from: string | undefined, to: string): FileChange[] {
    return this.objects
      .changedFiles(from ? this.treeOf(from) : undefined, this.treeOf(to))
      .map(({ path, before, after }) =>
        before && after
          ? { path, status: "modified", before: before.sha, after: after.sha }
          : before
            ? { path, status: "removed", before: before.sha }
            : { path, status: "added", after: (after as FlatEntry).sha },
      );
  }

  // ---------- issues and pull requests ----------

  issue(number: number): SimIssue {
    return found(this.issues.get(number));
  }

  pull(number: number): SimPullRequest {
    const issue = this.issues.get(number);
    if (!issue?.pull) throw notFound();
    return issue as SimPullRequest;
  }

  openPulls(): SimPullRequest[] {
    return [...this.issues.values()].filter((i): i is SimPullRequest => i.pull !== undefined && i.state === "open");
  }

  createIssue(actor: Actor, title: string, body: string | null, labels: string[] = []): SimIssue {
    checkLength(this.settings, "Issue", "title", title);
    checkLength(this.settings, "Issue", "body", body);
    const now = this.now();
    const issue: SimIssue = {
      number: this.nextNumber++,
      id: this.core.nextId(),
      title,
      body,
      state: "open",
      stateReason: null,
      labels: [],
      user: actor.login,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
    };
    this.issues.set(issue.number, issue);
    this.emit("issues", "opened", actor, { issue: render.issueJson(this, issue) });
    this.addLabels(issue, labels, actor);
    return issue;
  }

  createPull(
    actor: Actor,
    req: { title: string; head: string; base: string; body: string | null; draft: boolean },
  ): SimPullRequest {
    const [headOwner, headRef] = req.head.includes(":")
      ? (req.head.split(":", 2) as [string, string])
      : [this.owner, req.head];
    const headSha = headOwner.toLowerCase() === this.owner.toLowerCase() ? this.branchSha(headRef) : undefined;
    const baseSha = this.branchSha(req.base);
    checkLength(this.settings, "PullRequest", "title", req.title);
    checkLength(this.settings, "PullRequest", "body", req.body);
    if (req.draft && !this.settings.drafts)
      throw new SimHttpError(422, {
        message: "Draft pull requests are not supported in this repository.",
        documentation_url: `${DOCS_URL}/pulls/pulls#create-a-pull-request`,
      });
    if (!headSha) throw validationFailed({ resource: "PullRequest", field: "head", code: "invalid" });
    if (!baseSha) throw validationFailed({ resource: "PullRequest", field: "base", code: "invalid" });
    if (this.openPulls().some((p) => p.pull.headRef === headRef)) {
      throw validationFailed({
        resource: "PullRequest",
        code: "custom",
        message: `A pull request already exists for ${this.owner}:${headRef}.`,
      });
    }
    if (this.objects.isAncestor(headSha, baseSha)) {
      throw validationFailed({
        resource: "PullRequest",
        code: "custom",
        message: `No commits between ${req.base} and ${headRef}`,
      });
    }
    const now = this.now();
    const pr: SimPullRequest = {
      number: this.nextNumber++,
      id: this.core.nextId(),
      title: req.title,
      body: req.body,
      state: "open",
      stateReason: null,
      labels: [],
      user: actor.login,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
      pull: {
        headRef,
        headSha,
        baseRef: req.base,
        baseSha,
        draft: req.draft,
        merged: false,
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
        reviews: [],
        mergeableUnknownReads: this.settings.mergeableNullReads,
        autoMerge: null,
      },
    };
    this.issues.set(pr.number, pr);
    this.emit("pull_request", "opened", actor, { number: pr.number, pull_request: render.pullJson(this, pr) });
    return pr;
  }

  /** The merged tree of an open pull request, or the conflicting paths; cached per (base, head). */
  mergeResult(pr: SimPullRequest): { tree: string } | { conflict: string[] } {
    const key = `${pr.pull.baseSha}:${pr.pull.headSha}:${this.settings.lineMerge}`;
    const cached = this.mergeCache.get(key);
    if (cached) return cached;
    let result: { tree: string } | { conflict: string[] };
    const mergeBase = this.objects.mergeBase(pr.pull.baseSha, pr.pull.headSha);
    if (!mergeBase) result = { conflict: [] };
    else {
      try {
        const t = (sha: string) => this.treeOf(sha);
        result = {
          tree: this.objects.mergeTrees(t(mergeBase), t(pr.pull.baseSha), t(pr.pull.headSha), this.settings.lineMerge),
        };
      } catch (err) {
        if (!(err instanceof MergeConflict)) throw err;
        result = { conflict: err.paths };
      }
    }
    this.mergeCache.set(key, result);
    return result;
  }

  /** Whether an open PR merges cleanly; `read` is a REST read, which may find GitHub still computing it (null). */
  mergeable(pr: SimPullRequest, read = false): boolean | null {
    if (pr.state !== "open") return null;
    if (pr.pull.mergeableUnknownReads > 0) {
      if (read) pr.pull.mergeableUnknownReads--;
      return null;
    }
    return "tree" in this.mergeResult(pr);
  }

  /** A rebase merge replays every commit of the head; GitHub refuses it for merge commits or a replay conflict. */
  rebaseable(pr: SimPullRequest): boolean {
    return this.replay(pr) !== undefined;
  }

  /** The head's commits replayed one by one on the base (new shas, committer GitHub); undefined when it cannot. */
  private replay(pr: SimPullRequest, date = iso(this.now())): string | undefined {
    const commits = this.objects.commitsBetween(pr.pull.baseSha, pr.pull.headSha).reverse();
    if (commits.some((c) => c.parents.length !== 1)) return undefined;
    let tip = pr.pull.baseSha;
    for (const commit of commits) {
      let tree: string;
      try {
        const t = (sha: string) => this.treeOf(sha);
        tree = this.objects.mergeTrees(t(commit.parents[0] as string), t(tip), commit.tree, this.settings.lineMerge);
      } catch (err) {
        if (err instanceof MergeConflict) return undefined;
        throw err;
      }
      tip = this.objects.putCommit({
        tree,
        parents: [tip],
        message: commit.message,
        author: commit.author,
        committer: { name: "GitHub", email: "noreply@github.com", date },
      });
    }
    return tip;
  }

  /** Approving reviews from people with write access, each person's latest review counting. */
  approvals(pr: SimPullRequest): number {
    const latest = new Map<string, SimReview>();
    for (const review of pr.pull.reviews) if (review.state !== "COMMENTED") latest.set(review.user, review);
    return [...latest.values()].filter(
      (r) => r.state === "APPROVED" && ["admin", "maintain", "write"].includes(this.permissionOf(r.user) ?? "none"),
    ).length;
  }

  /** Why branch protection holds the merge, in GitHub's words; undefined when it does not. */
  protectionBlocks(pr: SimPullRequest): string | undefined {
    if (pr.pull.baseRef !== this.defaultBranch) return undefined;
    const required = this.settings.requiredReviews;
    if (required > 0 && this.approvals(pr) < required)
      return `At least ${required} approving review${required === 1 ? " is" : "s are"} required by reviewers with write access.`;
    // A merge queue brings the PR up to date itself: its group is made on the base's tip.
    if (
      this.settings.upToDate &&
      !this.settings.mergeQueue &&
      !this.objects.isAncestor(pr.pull.baseSha, pr.pull.headSha)
    )
      return "Head branch is not up to date with the base branch.";
    for (const name of this.settings.requiredChecks) {
      const state = this.checkState(pr.pull.headSha, name);
      if (state !== "success")
        return `Required status check "${name}" is ${state === "failure" ? "failing" : "expected"}.`;
    }
    return undefined;
  }

  /** A status context or check run on a commit: its newest result (success, failure, or pending when none yet). */
  checkState(sha: string, name: string): "success" | "failure" | "pending" {
    const status = this.latestStatuses(sha).find((s) => s.context === name);
    const run = [...this.checkRuns.values()]
      .filter((r) => r.headSha === sha && r.name === name)
      .sort((a, b) => b.id - a.id)[0];
    const states = [
      ...(status ? [status.state === "success" ? "success" : status.state === "pending" ? "pending" : "failure"] : []),
      ...(run
        ? [
            run.status !== "completed"
              ? "pending"
              : ["success", "neutral", "skipped"].includes(run.conclusion ?? "")
                ? "success"
                : "failure",
          ]
        : []),
    ];
    if (states.includes("failure")) return "failure";
    if (states.length === 0 || states.includes("pending")) return "pending";
    return "success";
  }

  /** Every status context and check run on a commit passed (GitHub's "clean"; anything else with requirements met is "unstable"). */
  private allChecksPass(sha: string): boolean {
    const names = new Set([
      ...this.statuses.filter((s) => s.sha === sha).map((s) => s.context),
      ...[...this.checkRuns.values()].filter((r) => r.headSha === sha).map((r) => r.name),
    ]);
    return [...names].every((name) => this.checkState(sha, name) === "success");
  }

  /**
   * GraphQL enablePullRequestAutoMerge: refused (as GitHub words it) when the repo does not allow auto-merge, for a
   * draft or closed PR, a merge method the repo does not allow, or a PR that could merge right now (nothing to wait for).
   */
  enableAutoMerge(pr: SimPullRequest, actor: Actor, method: MergeMethod): void {
    if (!this.settings.autoMerge)
      throw new GraphqlRefusal("UNPROCESSABLE", "Auto merge is not allowed for this repository");
    if (pr.state !== "open" || pr.pull.draft)
      throw new GraphqlRefusal("UNPROCESSABLE", "Pull request Can't enable auto-merge for this pull request.");
    if (!this.settings.mergeMethods.includes(method))
      throw new GraphqlRefusal("UNPROCESSABLE", `Pull request ${METHOD_REFUSED[method]}`);
    if (!this.protectionBlocks(pr) && "tree" in this.mergeResult(pr)) {
      const status = this.allChecksPass(pr.pull.headSha) ? "clean" : "unstable";
      throw new GraphqlRefusal("UNPROCESSABLE", `Pull request Pull request is in ${status} status`);
    }
    if (pr.pull.autoMerge) return;
    pr.pull.autoMerge = { enabledBy: actor.login, method, enabledAt: this.now() };
    pr.updatedAt = this.now();
    this.emitIssueEvent(pr, "auto_merge_enabled", actor, {});
  }

  private autoMerging = false;

  /**
   * GitHub's side of auto-merge: every open PR with auto-merge on whose requirements are now met (not a draft, branch
   * protection's reviews and required checks, no conflict) is merged, as the person who enabled it; where the base
   * requires a merge queue, it is added to the queue instead (not again at a head that just left it).
   */
  runAutoMerge(): void {
    if (this.autoMerging) return;
    this.autoMerging = true;
    try {
      for (const pr of this.openPulls()) {
        const auto = pr.pull.autoMerge;
        if (!auto || pr.pull.draft || this.protectionBlocks(pr) || !("tree" in this.mergeResult(pr))) continue;
        try {
          if (!this.queueRequired(pr)) this.mergePull(pr.number, actorFor(auto.enabledBy), { method: auto.method });
          else if (!pr.pull.queued && pr.pull.dequeuedHead !== pr.pull.headSha)
            this.enqueuePull(pr, actorFor(auto.enabledBy));
        } catch (err) {
          // GitHub leaves auto-merge on and tries again on the next change (a rebase that cannot replay, say).
          if (!(err instanceof SimHttpError)) throw err;
        }
      }
    } finally {
      this.autoMerging = false;
    }
    this.runQueue();
  }

  // ---------- merge queue ----------

  /** Whether the PR's base requires the merge queue (a direct merge is refused). */
  private queueRequired(pr: SimPullRequest): boolean {
    return this.settings.mergeQueue && pr.pull.baseRef === this.defaultBranch;
  }

  /**
   * "Merge when ready" where the default branch requires a merge queue: GitHub checks the PR as for a merge (but not
   * whether it is up to date: its group is made on the base's tip), then makes its merge group at once (a queue of one).
   */
  enqueuePull(pr: SimPullRequest, actor: Actor, expectedHead?: string): void {
    if (!this.queueRequired(pr)) throw unprocessable("The base branch does not require a merge queue");
    if (pr.state !== "open" || pr.pull.draft) throw NOT_MERGEABLE();
    if (expectedHead !== undefined && expectedHead !== pr.pull.headSha)
      throw unprocessable("Head branch was modified. Review and try the merge again.");
    if (pr.pull.queued) return;
    const blocked = this.protectionBlocks(pr);
    if (blocked) throw notAllowed(blocked);
    if (!("tree" in this.mergeResult(pr))) throw NOT_MERGEABLE();
    this.emitIssueEvent(pr, "enqueued", actor, {});
    this.makeGroup(pr, actor);
  }

  /** The merge group: the PR merged onto the base's tip, on `gh-readonly-queue/<base>/pr-<n>-<base sha>`. */
  private makeGroup(pr: SimPullRequest, actor: Actor): void {
    const result = this.mergeResult(pr);
    if (!("tree" in result)) {
      this.leaveQueue(pr, actor, "MERGE_CONFLICT");
      return;
    }
    const baseSha = pr.pull.baseSha;
    const date = iso(this.now());
    const sha = this.objects.putCommit({
      tree: result.tree,
      parents: [baseSha, pr.pull.headSha],
      message: `Merge pull request #${pr.number} from ${this.owner}/${pr.pull.headRef}\n\n${pr.title}`,
      author: personFor(actor.login, date),
      committer: { name: "GitHub", email: "noreply@github.com", date },
    });
    const branch = `gh-readonly-queue/${pr.pull.baseRef}/pr-${pr.number}-${baseSha}`;
    pr.pull.queued = { by: actor.login, sha, branch, baseSha, at: this.now() };
    this.moveRef(`refs/heads/${branch}`, sha, MERGE_QUEUE);
    const commit = found(this.objects.getCommit(sha));
    this.emit("merge_group", "checks_requested", MERGE_QUEUE, {
      merge_group: {
        head_sha: sha,
        head_ref: `refs/heads/${branch}`,
        base_sha: baseSha,
        base_ref: `refs/heads/${pr.pull.baseRef}`,
        head_commit: {
          id: sha,
          tree_id: commit.tree,
          message: commit.message,
          timestamp: date,
          author: { name: commit.author.name, email: commit.author.email },
          committer: { name: commit.committer.name, email: commit.committer.email },
        },
      },
    });
  }

  /** The group gone (its branch deleted, `merge_group.destroyed`); `dequeued`: the PR leaves the queue too. */
  private dropGroup(pr: SimPullRequest, reason: "merged" | "invalidated" | "dequeued"): void {
    const queued = pr.pull.queued;
    if (!queued) return;
    if (this.refs.has(`refs/heads/${queued.branch}`)) this.moveRef(`refs/heads/${queued.branch}`, null, MERGE_QUEUE);
    this.emit("merge_group", "destroyed", MERGE_QUEUE, {
      reason,
      merge_group: {
        head_sha: queued.sha,
        head_ref: `refs/heads/${queued.branch}`,
        base_sha: queued.baseSha,
        base_ref: `refs/heads/${pr.pull.baseRef}`,
      },
    });
  }

  private leaveQueue(pr: SimPullRequest, actor: Actor, reason: string): void {
    this.dropGroup(pr, "dequeued");
    pr.pull.queued = null;
    pr.pull.dequeuedHead = pr.pull.headSha;
    this.emitIssueEvent(pr, "dequeued", actor, { reason });
  }

  private queueRunning = false;

  /**
   * GitHub's side of the merge queue: a group whose required checks all passed lands (the base moves to the group's
   * commit, the PR is merged by whoever queued it); one with a failing check, or still waiting for one after the
   * timeout, leaves the queue; one whose base moved is made again on the new tip. Run on every change and as time
   * passes (`GitHubSim.tick`).
   */
  runQueue(): void {
    if (this.queueRunning) return;
    this.queueRunning = true;
    try {
      for (const pr of this.openPulls()) {
        const queued = pr.pull.queued;
        if (!queued) continue;
        if (queued.baseSha !== this.branchSha(pr.pull.baseRef)) {
          this.dropGroup(pr, "invalidated");
          this.makeGroup(pr, actorFor(queued.by));
          continue;
        }
        const states = this.settings.requiredChecks.map((name) => this.checkState(queued.sha, name));
        if (states.includes("failure")) {
          this.leaveQueue(pr, MERGE_QUEUE, "CI_FAILURE");
          continue;
        }
        if (states.some((state) => state !== "success")) {
          // GitHub's status check timeout (60 minutes by default): a check that never reports drops the PR.
          if (this.now() - queued.at >= QUEUE_TIMEOUT_MS) this.leaveQueue(pr, MERGE_QUEUE, "CI_TIMEOUT");
          continue;
        }
        const by = actorFor(queued.by);
        Object.assign(pr.pull, { merged: true, mergedAt: this.now(), mergedBy: by.login, mergeCommitSha: queued.sha });
        this.moveRef(`refs/heads/${pr.pull.baseRef}`, queued.sha, MERGE_QUEUE);
        this.dropGroup(pr, "merged");
        pr.pull.queued = null;
        this.closeIssue(pr, by);
      }
    } finally {
      this.queueRunning = false;
    }
  }

  addReview(pr: SimPullRequest, actor: Actor, event: string, body: string): SimReview {
    const states = { APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED", COMMENT: "COMMENTED" } as const;
    const state = states[event as keyof typeof states] as SimReview["state"] | undefined;
    if (!state) throw validationFailed({ resource: "PullRequestReview", code: "invalid", field: "event" });
    if (pr.state !== "open") throw unprocessable("Can not review a closed pull request");
    if (state !== "COMMENTED" && actor.login === pr.user)
      throw unprocessable(
        `Review Can not ${state === "APPROVED" ? "approve" : "request changes on"} your own pull request`,
      );
    const review: SimReview = {
      id: this.core.nextId(),
      user: actor.login,
      state,
      body,
      commitId: pr.pull.headSha,
      submittedAt: this.now(),
    };
    pr.pull.reviews.push(review);
    this.emit("pull_request_review", "submitted", actor, {
      review: render.reviewJson(this, pr, review),
      pull_request: render.pullJson(this, pr),
    });
    this.runAutoMerge();
    return review;
  }

  /** PUT /pulls/{n}/update-branch: the base merged into the head (a merge commit), as the "Update branch" button. */
  updateBranch(pr: SimPullRequest, actor: Actor, expectedHead?: string): void {
    if (pr.state !== "open") throw unprocessable("Pull request is closed");
    if (expectedHead !== undefined && expectedHead !== pr.pull.headSha)
      throw unprocessable("expected head sha didn't match current head ref.");
    if (this.objects.isAncestor(pr.pull.baseSha, pr.pull.headSha)) return;
    const result = this.mergeResult(pr);
    if (!("tree" in result)) throw unprocessable("merge conflict between base and head");
    const date = iso(this.now());
    const sha = this.objects.putCommit({
      tree: result.tree,
      parents: [pr.pull.headSha, pr.pull.baseSha],
      message: `Merge branch '${pr.pull.baseRef}' into ${pr.pull.headRef}`,
      author: personFor(actor.login, date),
      committer: { name: "GitHub", email: "noreply@github.com", date },
    });
    this.moveRef(`refs/heads/${pr.pull.headRef}`, sha, actor);
  }

  mergePull(number: number, actor: Actor, opts: MergeOptions = {}): string {
    const pr = this.pull(number);
    if (pr.state !== "open") throw NOT_MERGEABLE();
    if (opts.sha !== undefined && opts.sha !== pr.pull.headSha) {
      throw new SimHttpError(409, {
        message: "Head branch was modified. Review and try the merge again.",
        documentation_url: DOCS_URL,
      });
    }
    const method = (opts.method ?? "merge") as MergeMethod;
    if (!["merge", "squash", "rebase"].includes(method))
      throw validationFailed({ resource: "PullRequest", field: "merge_method", code: "invalid" });
    if (!this.settings.mergeMethods.includes(method)) throw notAllowed(METHOD_REFUSED[method]);
    if (pr.pull.draft) throw notAllowed("Pull Request is still a draft");
    if (this.queueRequired(pr)) throw notAllowed("Changes must be made through the merge queue");
    const blocked = this.protectionBlocks(pr);
    if (blocked) throw notAllowed(blocked);
    const result = this.mergeResult(pr);
    if (!("tree" in result)) throw NOT_MERGEABLE();
    const date = iso(this.now());
    let sha: string;
    if (method === "rebase") {
      const tip = this.replay(pr, date);
      if (tip === undefined) throw notAllowed("This branch can't be rebased");
      sha = tip;
    } else {
      const twoParents = method === "merge";
      const title =
        opts.commitTitle ??
        (twoParents
          ? `Merge pull request #${pr.number} from ${this.owner}/${pr.pull.headRef}`
          : `${pr.title} (#${pr.number})`);
      const squashed = this.objects
        .commitsBetween(pr.pull.baseSha, pr.pull.headSha)
        .reverse()
        .map((c) => `* ${c.message}`)
        .join("\n\n");
      const body = opts.commitMessage ?? (twoParents ? pr.title : squashed);
      sha = this.objects.putCommit({
        tree: result.tree,
        parents: twoParents ? [pr.pull.baseSha, pr.pull.headSha] : [pr.pull.baseSha],
        message: body ? `${title}\n\n${body}` : title,
        author: personFor(actor.login, date),
        committer: { name: "GitHub", email: "noreply@github.com", date },
      });
    }
    Object.assign(pr.pull, { merged: true, mergedAt: this.now(), mergedBy: actor.login, mergeCommitSha: sha });
    this.moveRef(`refs/heads/${pr.pull.baseRef}`, sha, actor);
    this.closeIssue(pr, actor);
    return sha;
  }

  /** "Ready for review" on a draft (GitHub offers it in the UI and GraphQL only). */
  markReady(pr: SimPullRequest, actor: Actor): void {
    if (!pr.pull.draft || pr.state !== "open") return;
    pr.pull.draft = false;
    pr.updatedAt = this.now();
    this.emitIssueEvent(pr, "ready_for_review", actor, {});
    this.runAutoMerge();
  }

  /** Closes an issue or pull request (pull_request.closed carries merged). */
  closeIssue(issue: SimIssue, actor: Actor, reason: "completed" | "not_planned" = "completed"): void {
    if (issue.state === "closed") return;
    // Closing without merging turns auto-merge off and takes the PR out of the merge queue, as on GitHub.
    if (issue.pull && !issue.pull.merged) {
      issue.pull.autoMerge = null;
      if (issue.pull.queued) this.leaveQueue(issue as SimPullRequest, actor, "UNKNOWN_REMOVAL_REASON");
    }
    issue.state = "closed";
    issue.stateReason = issue.pull ? null : reason;
    issue.closedAt = issue.updatedAt = this.now();
    issue.closedBy = actor.login;
    this.emitIssueEvent(issue, "closed", actor, {});
  }

  reopenIssue(issue: SimIssue, actor: Actor): void {
    if (issue.state === "open") return;
    if (issue.pull) {
      const stateError = (message: string) =>
        validationFailed({ resource: "PullRequest", code: "custom", field: "state", message });
      if (issue.pull.merged) throw stateError("state cannot be changed. The pull request has already been merged.");
      const head = this.branchSha(issue.pull.headRef);
      if (!head) throw stateError(`state cannot be changed. The ${issue.pull.headRef} branch has been deleted.`);
      const base = this.branchSha(issue.pull.baseRef);
      // GitHub reopens only a PR with something to merge: a head the base already contains has no new commits.
      if (base && this.objects.isAncestor(head, base))
        throw stateError(`state cannot be changed. There are no new commits on the ${issue.pull.headRef} branch.`);
      if (this.openPulls().some((p) => p.pull.headRef === issue.pull?.headRef)) {
        throw validationFailed({
          resource: "PullRequest",
          code: "custom",
          message: `A pull request already exists for ${this.owner}:${issue.pull.headRef}.`,
        });
      }
      issue.pull.headSha = head;
      issue.pull.baseSha = this.branchSha(issue.pull.baseRef) ?? issue.pull.baseSha;
    }
    issue.state = "open";
    issue.stateReason = issue.pull ? null : "reopened";
    issue.closedAt = null;
    issue.closedBy = null;
    issue.updatedAt = this.now();
    this.emitIssueEvent(issue, "reopened", actor, {});
  }

  /** Title and body edits; emits `edited` with `changes` only when something changed. */
  editIssue(issue: SimIssue, edit: { title?: string; body?: string | null }, actor: Actor): void {
    const resource = issue.pull ? "PullRequest" : "Issue";
    checkLength(this.settings, resource, "title", edit.title);
    checkLength(this.settings, resource, "body", edit.body);
    const changes: Record<string, { from: unknown }> = {};
    if (edit.title !== undefined && edit.title !== issue.title) {
      changes.title = { from: issue.title };
      issue.title = edit.title;
    }
    if (edit.body !== undefined && edit.body !== issue.body) {
      changes.body = { from: issue.body };
      issue.body = edit.body;
    }
    if (Object.keys(changes).length === 0) return;
    issue.updatedAt = this.now();
    this.emitIssueEvent(issue, "edited", actor, { changes });
  }

  private emitIssueEvent(issue: SimIssue, action: string, actor: Actor, extra: Record<string, unknown>): void {
    if (issue.pull) {
      this.emit("pull_request", action, actor, {
        number: issue.number,
        ...extra,
        pull_request: render.pullJson(this, issue as SimPullRequest),
      });
    } else {
      this.emit("issues", action, actor, { ...extra, issue: render.issueJson(this, issue) });
    }
  }

  // ---------- labels ----------

  label(name: string): SimLabel | undefined {
    return this.labelDefs.get(name.toLowerCase());
  }

  createLabel(name: string, color = "ededed", description: string | null = null): SimLabel {
    if (this.label(name)) throw validationFailed({ resource: "Label", code: "already_exists", field: "name" });
    const label: SimLabel = { id: this.core.nextId(), name, color, description };
    this.labelDefs.set(name.toLowerCase(), label);
    return label;
  }

  /** Adds labels (creating unknown ones, as GitHub does); one `labeled` webhook per new label. */
  addLabels(issue: SimIssue, names: string[], actor: Actor): void {
    for (const name of names) {
      const label = this.label(name) ?? this.createLabel(name);
      if (issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) continue;
      issue.labels.push(label.name);
      issue.updatedAt = this.now();
      this.emitIssueEvent(issue, "labeled", actor, { label: render.labelJson(this, label) });
    }
  }

  removeLabel(issue: SimIssue, name: string, actor: Actor): void {
    const index = issue.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
    if (index < 0) throw notFound("Label does not exist");
    const [removed] = issue.labels.splice(index, 1);
    issue.updatedAt = this.now();
    const label = this.label(removed as string);
    this.emitIssueEvent(issue, "unlabeled", actor, {
      label: label ? render.labelJson(this, label) : { name: removed },
    });
  }

  setLabels(issue: SimIssue, names: string[], actor: Actor): void {
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    for (const current of [...issue.labels])
      if (!wanted.has(current.toLowerCase())) this.removeLabel(issue, current, actor);
    this.addLabels(issue, names, actor);
  }

  // ---------- comments and reactions ----------

  comment(id: number): SimComment {
    return found(this.comments.get(id));
  }

  addComment(issue: SimIssue, body: string, actor: Actor): SimComment {
    checkLength(this.settings, "IssueComment", "body", body);
    const now = this.now();
    const comment: SimComment = {
      id: this.core.nextId(),
      issue: issue.number,
      body,
      user: actor.login,
      createdAt: now,
      updatedAt: now,
    };
    this.comments.set(comment.id, comment);
    issue.updatedAt = now;
    this.emitCommentEvent(comment, "created", actor, {});
    return comment;
  }

  editComment(comment: SimComment, body: string, actor: Actor): void {
    checkLength(this.settings, "IssueComment", "body", body);
    const from = comment.body;
    comment.body = body;
    comment.updatedAt = this.now();
    this.emitCommentEvent(comment, "edited", actor, { changes: { body: { from } } });
  }

  deleteComment(comment: SimComment, actor: Actor): void {
    this.comments.delete(comment.id);
    this.emitCommentEvent(comment, "deleted", actor, {});
  }

  private emitCommentEvent(comment: SimComment, action: string, actor: Actor, extra: Record<string, unknown>): void {
    const issue = this.issue(comment.issue);
    this.emit("issue_comment", action, actor, {
      ...extra,
      issue: render.issueJson(this, issue),
      comment: render.commentJson(this, comment),
    });
  }

  /** Adds a reaction; `created` is false when this user already reacted with that content. */
  addReaction(list: SimReaction[], content: string, actor: Actor): { reaction: SimReaction; created: boolean } {
    if (!(REACTIONS as readonly string[]).includes(content))
      throw validationFailed({ resource: "Reaction", code: "invalid", field: "content" });
    const existing = list.find((r) => r.user === actor.login && r.content === content);
    if (existing) return { reaction: existing, created: false };
    const reaction: SimReaction = { id: this.core.nextId(), user: actor.login, content, createdAt: this.now() };
    list.push(reaction);
    return { reaction, created: true };
  }

  reactionList(kind: "comment" | "issue", id: number): SimReaction[] {
    const map = kind === "comment" ? this.commentReactions : this.issueReactions;
    let list = map.get(id);
    if (!list) map.set(id, (list = []));
    return list;
  }

  // ---------- statuses, check runs, deployments ----------

  addStatus(
    sha: string,
    req: { state: string; context?: string; description?: string | null; target_url?: string | null },
    actor: Actor,
  ): SimStatus {
    if (!COMMIT_STATES.includes(req.state as CommitState))
      throw validationFailed({
        resource: "Status",
        field: "state",
        code: "custom",
        message: "state is not included in the list",
      });
    if (!this.objects.getCommit(sha)) throw unprocessable(`No commit found for SHA: ${sha}`);
    const status: SimStatus = {
      id: this.core.nextId(),
      sha,
      state: req.state as CommitState,
      context: req.context ?? "default",
      description: req.description ?? null,
      targetUrl: req.target_url ?? null,
      creator: actor.login,
      createdAt: this.now(),
    };
    this.statuses.push(status);
    this.emit("status", undefined, actor, render.statusEventJson(this, status));
    this.runAutoMerge();
    return status;
  }

  /** The newest status per context for a commit, newest first. */
  latestStatuses(sha: string): SimStatus[] {
    const seen = new Set<string>();
    return this.statuses
      .filter((s) => s.sha === sha)
      .reverse()
      .filter((s) => !seen.has(s.context) && seen.add(s.context));
  }

  combinedState(latest: SimStatus[]): CommitState {
    if (latest.length === 0) return "pending";
    if (latest.some((s) => s.state === "failure" || s.state === "error")) return "failure";
    if (latest.some((s) => s.state === "pending")) return "pending";
    return "success";
  }

  checkRun(id: number): SimCheckRun {
    return found(this.checkRuns.get(id));
  }

  createCheckRun(actor: Actor, req: Record<string, unknown>): SimCheckRun {
    const headSha = String(req.head_sha);
    if (!this.objects.getCommit(headSha)) throw unprocessable(`No commit found for SHA: ${headSha}`);
    const suiteKey = `${headSha}:${actor.login}`;
    let suiteId = this.checkSuites.get(suiteKey);
    if (suiteId === undefined) this.checkSuites.set(suiteKey, (suiteId = this.core.nextId()));
    const run: SimCheckRun = {
      id: this.core.nextId(),
      headSha,
      name: String(req.name),
      status: "queued",
      conclusion: null,
      startedAt: this.now(),
      completedAt: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      detailsUrl: null,
      externalId: null,
      creator: actor.login,
      suiteId,
    };
    this.applyCheckRun(run, req);
    this.checkRuns.set(run.id, run);
    this.emit("check_run", "created", actor, { check_run: render.checkRunJson(this, run) });
    if (run.status === "completed")
      this.emit("check_run", "completed", actor, { check_run: render.checkRunJson(this, run) });
    this.runAutoMerge();
    return run;
  }

  updateCheckRun(run: SimCheckRun, req: Record<string, unknown>, actor: Actor): void {
    const wasCompleted = run.status === "completed";
    this.applyCheckRun(run, req);
    if (!wasCompleted && run.status === "completed")
      this.emit("check_run", "completed", actor, { check_run: render.checkRunJson(this, run) });
    this.runAutoMerge();
  }

  private applyCheckRun(run: SimCheckRun, req: Record<string, unknown>): void {
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    if (typeof req.name === "string") run.name = req.name;
    if (req.status === "queued" || req.status === "in_progress" || req.status === "completed") run.status = req.status;
    if (typeof req.conclusion === "string") {
      run.conclusion = req.conclusion;
      run.status = "completed";
    }
    if (run.status === "completed" && run.conclusion === null)
      throw validationFailed({ resource: "CheckRun", code: "missing_field", field: "conclusion" });
    if (run.status === "completed" && run.completedAt === null)
      run.completedAt = typeof req.completed_at === "string" ? Date.parse(req.completed_at) : this.now();
    if (typeof req.started_at === "string") run.startedAt = Date.parse(req.started_at);
    if (req.details_url !== undefined) run.detailsUrl = str(req.details_url);
    if (req.external_id !== undefined) run.externalId = str(req.external_id);
    const output = req.output as Record<string, unknown> | undefined;
    if (output && typeof output === "object") {
      run.output = { title: str(output.title), summary: str(output.summary), text: str(output.text) };
      if (Array.isArray(output.annotations)) run.annotations.push(...(output.annotations as Record<string, unknown>[]));
    }
  }

  deployment(id: number): SimDeployment {
    return found(this.deployments.get(id));
  }

  createDeployment(actor: Actor, req: Record<string, unknown>): SimDeployment {
    const ref = String(req.ref);
    const sha = this.resolveCommit(ref);
    if (!sha) throw unprocessable(`No ref found for: ${ref}`);
    const environment = typeof req.environment === "string" ? req.environment : "production";
    const now = this.now();
    const deployment: SimDeployment = {
      id: this.core.nextId(),
      sha,
      ref,
      task: typeof req.task === "string" ? req.task : "deploy",
      environment,
      description: typeof req.description === "string" ? req.description : null,
      payload: req.payload ?? {},
      creator: actor.login,
      createdAt: now,
      productionEnvironment:
        typeof req.production_environment === "boolean" ? req.production_environment : environment === "production",
      transientEnvironment: req.transient_environment === true,
    };
    this.deployments.set(deployment.id, deployment);
    this.emit("deployment", "created", actor, { deployment: render.deploymentJson(this, deployment) });
    return deployment;
  }

  /** A new deployment status; a success marks older successful deployments of that environment inactive, as GitHub's auto_inactive does. */
  addDeploymentStatus(deployment: SimDeployment, req: Record<string, unknown>, actor: Actor): SimDeploymentStatus {
    const state = req.state as DeploymentState;
    if (!DEPLOYMENT_STATES.includes(state))
      throw validationFailed({ resource: "DeploymentStatus", field: "state", code: "invalid" });
    const make = (d: SimDeployment, s: DeploymentState, description: string): SimDeploymentStatus => ({
      id: this.core.nextId(),
      deploymentId: d.id,
      state: s,
      description,
      environment: d.environment,
      logUrl: "",
      environmentUrl: "",
      creator: actor.login,
      createdAt: this.now(),
    });
    const status = make(deployment, state, typeof req.description === "string" ? req.description : "");
    status.logUrl =
      typeof req.log_url === "string" ? req.log_url : typeof req.target_url === "string" ? req.target_url : "";
    status.environmentUrl = typeof req.environment_url === "string" ? req.environment_url : "";
    this.deploymentStatuses.push(status);
    if (state === "success" && req.auto_inactive !== false && !deployment.transientEnvironment) {
      for (const other of this.deployments.values()) {
        if (other.id === deployment.id || other.environment !== deployment.environment) continue;
        if (this.deploymentStatusesOf(other.id)[0]?.state === "success")
          this.deploymentStatuses.push(make(other, "inactive", ""));
      }
    }
    this.emit("deployment_status", "created", actor, {
      deployment_status: render.deploymentStatusJson(this, status),
      deployment: render.deploymentJson(this, deployment),
    });
    return status;
  }

  deploymentStatusesOf(id: number): SimDeploymentStatus[] {
    return this.deploymentStatuses.filter((s) => s.deploymentId === id).reverse();
  }

  // ---------- people ----------

  permissionOf(login: string): Permission | undefined {
    const explicit = this.permissions.get(login.toLowerCase());
    if (explicit) return explicit;
    if (actorFor(login).type === "Bot") return undefined;
    return login.toLowerCase() === this.owner.toLowerCase() ? "admin" : "none";
  }
}
