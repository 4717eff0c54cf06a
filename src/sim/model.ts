/** Simulated time in epoch milliseconds; injected so a rehearsal of hours runs in seconds. */
export interface SimClock {
  now(): number;
}

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type CommitState = "pending" | "success" | "failure" | "error";
export type DeploymentState = "pending" | "in_progress" | "success" | "failure" | "error" | "inactive" | "queued";

/** Who did something: the App through the API ("Bot") or a simulated person or system. */
export interface Actor {
  login: string;
  type: "User" | "Bot";
}

export type MergeMethod = "merge" | "squash" | "rebase";

/**
 * How the simulated repository behaves where GitHub's settings, plan and branch protection differ: each switch is
 * there so a test can run both ways. The defaults are GitHub's for a repo without branch protection.
 */
export interface RepoSettings {
  /** The merge methods the repo allows (allow_merge_commit, allow_squash_merge, allow_rebase_merge). */
  mergeMethods: MergeMethod[];
  /** Draft pull requests are available (private repos on some plans: refused with a 422). */
  drafts: boolean;
  /** A person's new issue (an issue form) gets only the labels that exist; false: unknown labels are created. */
  formLabelsMustExist: boolean;
  /** Branch protection of the default branch: approving reviews needed to merge. */
  requiredReviews: number;
  /** Branch protection of the default branch: the head must contain the base tip to merge. */
  upToDate: boolean;
  /** Bodies up to 65,536 characters and titles up to 256, as GitHub validates them. */
  limits: boolean;
  /** Three-way merges line by line, as git does; false: a file changed on both sides conflicts. */
  lineMerge: boolean;
  /** REST reads of a pull request answer `mergeable: null` this many times after its head or base moved. */
  mergeableNullReads: number;
  /** allow_auto_merge: pull requests may be set to merge by themselves once their requirements are met. */
  autoMerge: boolean;
  /** Branch protection of the default branch: status contexts or check-run names that must be success on the head. */
  requiredChecks: string[];
  /**
   * Branch protection of the default branch requires a merge queue: a PR is queued, never merged directly, and lands
   * once the required checks pass on its merge group (the commit the default branch would become).
   */
  mergeQueue: boolean;
}

export const GITHUB_DEFAULTS: RepoSettings = {
  mergeMethods: ["merge", "squash", "rebase"],
  drafts: true,
  formLabelsMustExist: true,
  requiredReviews: 0,
  upToDate: false,
  limits: true,
  lineMerge: true,
  mergeableNullReads: 1,
  autoMerge: false,
  requiredChecks: [],
  mergeQueue: false,
};

export const BODY_LIMIT = 65_536;
export const TITLE_LIMIT = 256;

export interface SimReview {
  id: number;
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
  body: string;
  commitId: string;
  submittedAt: number;
}

export interface SimPull {
  headRef: string;
  /** frozen when the pull request closes; live (the branch tip) while it is open */
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: number | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  reviews: SimReview[];
  /** REST reads left that answer `mergeable: null` (GitHub computing it in the background after a push). */
  mergeableUnknownReads: number;
  /** Auto-merge enabled (GraphQL enablePullRequestAutoMerge): who enabled it and how it merges; null when off. */
  autoMerge: { enabledBy: string; method: MergeMethod; enabledAt: number } | null;
  /** In the merge queue: who queued it, and its merge group (the group's commit and branch, the base it was made on). */
  queued?: { by: string; sha: string; branch: string; baseSha: string; at: number } | null;
  /**
   * The head the PR last left the queue with: auto-merge adds a PR to the queue when its requirements become met, not
   * again at the head that just dropped out (a push, a review or a new request does).
   */
  dequeuedHead?: string;
}

export interface SimIssue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  labels: string[];
  user: string;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Who closed it (GitHub's `closed_by`); null while open. */
  closedBy: string | null;
  /** set when this issue is a pull request */
  pull?: SimPull;
}

/** A pull request as listed by the sim's inspection API: the issue fields plus the pull fields. */
export type SimPullRequest = SimIssue & { pull: SimPull };

export interface SimComment {
  id: number;
  issue: number;
  body: string;
  user: string;
  createdAt: number;
  updatedAt: number;
}

export interface SimLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface SimReaction {
  id: number;
  user: string;
  content: string;
  createdAt: number;
}

export interface SimStatus {
  id: number;
  sha: string;
  state: CommitState;
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: number;
}

export interface SimCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  startedAt: number;
  completedAt: number | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Record<string, unknown>[];
  detailsUrl: string | null;
  externalId: string | null;
  creator: string;
  suiteId: number;
}

export interface SimDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  creator: string;
  createdAt: number;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
}

export interface SimDeploymentStatus {
  id: number;
  deploymentId: number;
  state: DeploymentState;
  description: string;
  environment: string;
  logUrl: string;
  environmentUrl: string;
  creator: string;
  createdAt: number;
}

export const PERMISSIONS: readonly Permission[] = ["admin", "maintain", "write", "triage", "read", "none"];
export const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"] as const;
export const ZERO_SHA = "0000000000000000000000000000000000000000";

/** ISO 8601 without milliseconds, as GitHub writes timestamps. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** One file of a diff between two commits. */
export interface FileChange {
  path: string;
  status: "added" | "removed" | "modified";
  before?: string;
  after?: string;
}
