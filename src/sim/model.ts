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
