import type { CheckRun, CommitStatus, Deployment, DeploymentStatus } from "../health/index.js";
import type { FileChange } from "../repo/index.js";

import type { CommentInfo, Permission, PullInfo, Reaction } from "../spec/github.js";

export type { CommentInfo, Permission, PullInfo, Reaction } from "../spec/github.js";

/** The small surface of GitHub the engine uses; the Octokit adapter implements it, tests fake it. */

/** The committer of every commit Handover writes; anything else on a step branch is a person's. */
export const COMMITTER = { name: "Handover", email: "handover@users.noreply.github.com" };

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  isPullRequest: boolean;
  /** Who filed it: only a person with `commands.permission` starts a migration. */
  author: string;
}

export interface CommitInfo {
  sha: string;
  /** The commit's tree: two commits with the same tree carry the same files. */
  tree: string;
  parents: string[];
  /** The committer's name, to tell Handover's commits from people's. */
  committer: string;
  message: string;
}

export interface NewPull {
  branch: string;
  title: string;
  body: string;
  draft: boolean;
  /** The title of the normal PR opened instead when the repo refuses drafts (some plans do). */
  wipTitle?: string;
}

/** A step to open in one request: its branch at `sha`, its PR and, when given, a check run on `sha` (the guard's). */
export interface NewStep {
  branch: string;
  sha: string;
  pull: NewPull;
  check?: { name: string; run: GuardRun };
}

/** A label Handover uses, created in the repo when missing (an issue form cannot apply a label the repo lacks). */
export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

/** A file of a commit's tree as GitHub lists it: path, blob sha, size in bytes. */
export interface TreeFile {
  path: string;
  sha: string;
  size: number;
}

/** A health read of a gate that cannot pass yet: reports heard before `since` cannot change its verdict. */
export interface Quiet {
  since: number;
}

export interface GitHubPort {
  readonly owner: string;
  readonly repo: string;
  /** The login of the App's bot user (`<slug>[bot]`). */
  readonly botLogin: string;

  defaultBranch(): Promise<{ name: string; sha: string }>;
  /** Every text file of a commit (cached by sha: commits never change). */
  readTree(sha: string): Promise<ReadonlyMap<string, string>>;
  /** A commit's files when this process holds them already (no request); undefined otherwise. */
  heldTree?(sha: string): ReadonlyMap<string, string> | undefined;
  /** A blob's text when this process holds it (no request): null for a binary file, undefined when not held. */
  heldBlob?(sha: string): string | null | undefined;
  /** The files of a commit's tree without their contents: one request (cached by sha). */
  listTree(sha: string): Promise<TreeFile[]>;
  /** One file's text by blob sha (`null`: binary); cached, blobs never change. */
  readBlob(sha: string): Promise<string | null>;
  getCommit(sha: string): Promise<CommitInfo>;
  /** Whether `head` contains `base` (identical or ahead). */
  contains(head: string, base: string): Promise<boolean>;
  getBranch(branch: string): Promise<string | undefined>;
  /** One commit with these file changes on top of `parent` (committed as Handover); returns its sha. */
  createCommit(parent: string, changes: readonly FileChange[], message: string): Promise<string>;
  /** Create the branch; `false` when it already exists (GitHub's 422 "Reference already exists"). */
  createBranch(branch: string, sha: string): Promise<boolean>;
  /**
   * Move a branch to `sha` if it is still at `expected` (GitHub has no compare-and-swap for a move that is not a
   * fast-forward: the head is read right before the forced move); `false` when the branch moved meanwhile.
   */
  moveBranch(branch: string, sha: string, expected: string): Promise<boolean>;
  deleteBranch(branch: string): Promise<void>;

  /**
   * The issue; `fresh` asks GitHub even when this reconcile read it already (a label write is decided on it: GitHub
   * has no compare-and-set on labels).
   */
  getIssue(number: number, fresh?: boolean): Promise<IssueInfo>;
  /** The comments, oldest first; `fresh` asks GitHub even when this reconcile read them already (a write is decided on them). */
  listComments(number: number, fresh?: boolean): Promise<CommentInfo[]>;
  /** The logins that reacted to an issue or PR comment. */
  reactedBy(commentId: number): Promise<string[]>;
  createComment(number: number, body: string): Promise<number>;
  updateComment(id: number, body: string): Promise<void>;
  deleteComment(id: number): Promise<void>;
  addLabels(number: number, labels: string[]): Promise<void>;
  /** Creates the labels the repo lacks (names compare case-insensitively, as GitHub's do). */
  ensureLabels(labels: readonly LabelSpec[]): Promise<void>;
  /** Replaces the issue's labels with exactly these (one write for a change of status label). */
  setLabels(number: number, labels: string[]): Promise<void>;
  addReaction(commentId: number, content: Reaction): Promise<void>;
  /** Whether this process sent the feedback (reaction, reply) of a command comment (no request). */
  feedbackSent(commentId: number): boolean;
  /** Remember that this process sent a command comment's feedback. */
  noteFeedbackSent(commentId: number): void;
  permission(login: string): Promise<Permission>;
  /**
   * Whether `login` is an active member of the team `org/slug` (`commands.approvers`). `problem` says why it could not
   * be read (the App lacks the organization permission members: read): the person is then not counted as a member.
   */
  teamMember(team: string, login: string): Promise<{ member: boolean; problem?: string }>;
  /** Open migration issues (label `handover`), for resync. */
  openMigrationIssues(): Promise<number[]>;

  /**
   * The newest PR whose head is this branch, in any state. `fresh`: asked of GitHub again, not taken from what this
   * adapter read or opened before (another replica may have opened one since).
   */
  findPull(branch: string, fresh?: boolean): Promise<PullInfo | undefined>;
  /** One PR by number (a merge queue's group names only its number). */
  getPull(number: number): Promise<PullInfo>;
  /**
   * The newest PR of each of this migration's branches (`handover/<issue>/...`), in any state, for a state rebuilt
   * from GitHub: one listing of the PRs opened since the issue (numbered after it), however many steps the plan has.
   */
  migrationPulls(issue: number): Promise<Map<string, PullInfo>>;
  /**
   * Open a PR; when one already exists for the branch (422), return that one. A draft the repo refuses (422) opens as a
   * normal PR titled `wipTitle`.
   */
  createPull(pull: NewPull): Promise<PullInfo>;
  /**
   * Create the step's branch, open its PR and write the guard's check run, in one GraphQL request (createRef,
   * createPullRequest, createCheckRun: GitHub runs a mutation's fields one after another, each on its own). `branch`
   * says whether the branch was created here (`false`: it existed); `pull` is the PR opened, absent when GitHub opened
   * none (the caller then opens it with `createPull`, which knows every refusal: a draft the plan lacks, one that exists).
   */
  openStep(step: NewStep): Promise<{ branch: boolean; pull?: PullInfo }>;
  /** The PR as GitHub answers the edit (a PR merged meanwhile stays merged: closing it changes nothing). */
  updatePull(number: number, patch: { title?: string; body?: string; state?: "open" | "closed" }): Promise<PullInfo>;
  /** The repository's merge settings: the methods it allows (merge, squash, rebase) and whether auto-merge is allowed. */
  mergeSettings(): Promise<MergeSettings>;
  /**
   * GitHub's auto-merge on a PR (GraphQL enablePullRequestAutoMerge): `refused` carries GitHub's message when it says
   * no, and `clean` that the PR could merge right now (GitHub refuses auto-merge then: nothing is left to wait for).
   */
  enableAutoMerge(pull: { nodeId: string }, method: MergeMethod): Promise<AutoMergeAnswer>;
  /**
   * Merge a PR at exactly this head (409 when it moved); `refused` carries GitHub's message when it says no, and `queue`
   * that the base takes no direct merge: it requires its merge queue (`enqueuePull`).
   */
  mergePull(
    number: number,
    headSha: string,
    method: MergeMethod,
  ): Promise<{ merged: true } | { refused: string; queue?: true }>;
  /**
   * Add a PR to its base's merge queue at exactly this head (GraphQL enqueuePullRequest, GitHub's "Merge when ready"):
   * GitHub merges it once the required checks pass on its merge group. `refused` carries GitHub's message when it says
   * no.
   */
  enqueuePull(pull: { nodeId: string; headSha: string }): Promise<{ queued: true } | { refused: string }>;

  /** The commits of a PR, oldest first (a rebase merge puts each of them on the base). */
  pullCommits(pull: number): Promise<CommitInfo[]>;
  /** Paths a PR changes (known without a request when `headSha` is a commit this process made). */
  changedFiles(pull: number, headSha?: string): Promise<string[]>;
  /** The conclusion and title of the newest check run with this name on a commit. */
  findCheckRun(sha: string, name: string): Promise<{ conclusion: string | null; title: string } | undefined>;
  createCheckRun(sha: string, name: string, run: GuardRun): Promise<void>;
  /** The verdict of a check run this process wrote on a commit moments ago (no request), if any. */
  ownCheckRun(sha: string, name: string): GuardRun | undefined;

  /**
   * The health reads of a gate. `quiet` (a gate that cannot pass yet): only what a webhook reported on since this
   * process last read it (and since `quiet.since`) is read again; the rest answers as last read (never read: nothing
   * reported yet).
   */
  statuses(ref: string, quiet?: Quiet): Promise<CommitStatus[]>;
  checkRuns(ref: string, quiet?: Quiet): Promise<CheckRun[]>;
  deployments(environment: string, quiet?: Quiet): Promise<Deployment[]>;
  deploymentStatuses(id: number, quiet?: Quiet): Promise<DeploymentStatus[]>;
}

export type MergeMethod = "merge" | "squash" | "rebase";

export interface MergeSettings {
  methods: MergeMethod[];
  allowAutoMerge: boolean;
}

export type AutoMergeAnswer = { enabled: true } | { refused: string; clean: boolean };

export interface CheckRunOutput {
  title: string;
  summary: string;
  annotations: {
    path: string;
    start_line: number;
    end_line: number;
    annotation_level: "failure" | "warning" | "notice";
    message: string;
  }[];
}

export interface GuardRun {
  conclusion: "success" | "failure";
  output: CheckRunOutput;
}

/** Reads a Replicante introspection endpoint (the `http` health check); injected so rehearsals can fake it. */
export type HttpProbe = (url: string) => Promise<{ body?: string; error?: string }>;
