import type { z } from "zod";
import {
  checkRunEvent,
  checkSuiteEvent,
  commentEvent,
  deploymentStatusEvent,
  issueEvent,
  mergeGroupEvent,
  pullRequestEvent,
  pushEvent,
  statusEvent,
  type CheckRunEvent,
  type CheckSuiteEvent,
  type CommentEvent,
  type DeploymentStatusEvent,
  type HealthReport,
  type IssueEvent,
  type MergeGroupEvent,
  type PullRequestEvent,
  type PushEvent,
  type RepositoryEvent,
  type StatusEvent,
} from "../spec/events.js";
import { issueOfBranch, issueOfTitle, readStepMarker } from "../spec/markers.js";
import type { MergeGroup } from "../guard/index.js";
import { parseCommand } from "../chatops/index.js";

/**
 * What a webhook asks for. An event is a trigger, not data to trust (Kodiak): it only names what to look at again,
 * and the reconcile reads the truth from GitHub.
 */
export type Trigger =
  /** Reconcile one migration issue. */
  | { kind: "issue"; issue: number }
  /**
   * A command on a PR whose title and description name no migration (a person rewrote both): the PR's branch may name
   * one (a step branch, `handover/<issue>/...`), read with one request.
   */
  | { kind: "pull-comment"; pull: number }
  /** Reconcile every open migration issue of the repository (health changed somewhere: status, check, deploy). */
  | { kind: "repository" }
  /** Run the guard check on a PR to the default branch. */
  | { kind: "guard"; pull: { number: number; headSha: string; headRef: string; author: string } }
  /** Run the guard check on a merge queue's group for the default branch (a required check must report there too). */
  | { kind: "guard-group"; group: MergeGroup };

export interface Delivery {
  /** The webhook event name (`issues`, `pull_request`, `status`, ...). */
  name: string;
  payload: unknown;
}

export type Reading =
  /** Not an event Handover reads. */
  | { kind: "unread" }
  /** A payload that lacks the fields Handover reads: ignored, with the first problems to log. */
  | { kind: "malformed"; event: string; problems: z.core.$ZodIssue[] }
  | {
      kind: "triggers";
      event: string;
      repository: { owner: string; repo: string };
      /** The repository's default branch as the payload names it (every repository payload carries it). */
      defaultBranch?: string;
      /** The repository's GraphQL node id as the payload names it. */
      repositoryId?: string;
      /** What a health event reports on (a commit's statuses or check runs, an environment's deployments). */
      reports: HealthReport[];
      triggers: Trigger[];
    };

/**
 * One row of the table: the payload subset to parse, what it triggers (`self` = sent by Handover itself), and what
 * health reads it makes stale.
 */
interface Rule<P extends RepositoryEvent> {
  schema: z.ZodType<P>;
  triggers(payload: P, self: boolean): Trigger[];
  reports?(payload: P): HealthReport[];
}

function rule<P extends RepositoryEvent>(
  schema: z.ZodType<P>,
  triggers: (payload: P, self: boolean) => Trigger[],
  reports?: (payload: P) => HealthReport[],
): Rule<RepositoryEvent> {
  return { schema, triggers, ...(reports ? { reports } : {}) } as unknown as Rule<RepositoryEvent>;
}

/** An issue changed: reconcile it (a PR is an issue too, and is not a migration issue). */
const issueChanged = rule(issueEvent, (p: IssueEvent, self) =>
  self || p.issue.pull_request ? [] : [{ kind: "issue", issue: p.issue.number }],
);

/**
 * A person commented on the issue, or on a step PR (whose body's marker names the issue, or, once a person rewrote the
 * description, its title); bots are ignored. A command on a PR that names neither is looked up by the PR's branch.
 */
const commented = rule(commentEvent, (p: CommentEvent, self): Trigger[] => {
  if (self || p.comment.user.type === "Bot") return [];
  const issue = p.issue.pull_request
    ? (readStepMarker(p.issue.body)?.issue ?? issueOfTitle(p.issue.title))
    : p.issue.number;
  if (issue !== undefined) return [{ kind: "issue", issue }];
  const command = p.issue.pull_request && parseCommand(p.comment.body ?? "").kind !== "none";
  return command ? [{ kind: "pull-comment", pull: p.issue.number }] : [];
});

/** The guard runs on every PR to the default branch, Handover's own step PRs included. */
function guardOf(p: PullRequestEvent): Trigger[] {
  const defaultBranch = p.repository.default_branch;
  if (defaultBranch !== undefined && p.pull_request.base.ref !== defaultBranch) return [];
  const pr = p.pull_request;
  return [
    { kind: "guard", pull: { number: pr.number, headSha: pr.head.sha, headRef: pr.head.ref, author: pr.user.login } },
  ];
}

/** A step PR changed: reconcile the issue its branch name (or, failing that, its body's marker) names. */
function stepOf(p: PullRequestEvent, self: boolean): Trigger[] {
  if (self) return [];
  const issue = issueOfBranch(p.pull_request.head.ref) ?? readStepMarker(p.pull_request.body)?.issue;
  return issue === undefined ? [] : [{ kind: "issue", issue }];
}

/** The merge queue's branch of a group: `gh-readonly-queue/<base branch>/pr-<number>-<sha>`. */
const QUEUE_BRANCH = /^(?:refs\/heads\/)?gh-readonly-queue\/(.+)\/pr-(\d+)-[0-9a-f]+$/;

/** The guard on a merge group, when its base is the default branch (as far as the payload names it). */
function groupTriggers(
  headSha: string,
  headRef: string,
  base: { ref: string; sha?: string },
  defaultBranch: string | undefined,
): Trigger[] {
  if (defaultBranch !== undefined && base.ref.replace(/^refs\/heads\//, "") !== defaultBranch) return [];
  const pull = QUEUE_BRANCH.exec(headRef)?.[2];
  const group = {
    headSha,
    headRef,
    ...(base.sha === undefined ? {} : { baseSha: base.sha }),
    ...(pull === undefined ? {} : { pull: Number(pull) }),
  };
  return [{ kind: "guard-group", group }];
}

/** A merge group for the default branch: the guard runs on it as on a PR (GitHub waits for its required checks). */
const groupQueued = rule(mergeGroupEvent, (p: MergeGroupEvent): Trigger[] => {
  const group = p.merge_group;
  const base = { ref: group.base_ref, sha: group.base_sha };
  return groupTriggers(group.head_sha, group.head_ref, base, p.repository.default_branch);
});

const pullGuarded = rule(pullRequestEvent, (p: PullRequestEvent) => guardOf(p));
const pullChanged = rule(pullRequestEvent, stepOf);
const pullBoth = rule(pullRequestEvent, (p: PullRequestEvent, self) => [...guardOf(p), ...stepOf(p, self)]);
const health = (_p: RepositoryEvent, self: boolean): Trigger[] => (self ? [] : [{ kind: "repository" }]);
/**
 * A push says the default branch may have moved (health). One that creates a merge queue's group branch also runs the
 * guard on the group, as its merge_group webhook does: either of the two may be lost, and a group its required check
 * never reports on waits in the queue until GitHub's timeout drops the PR.
 */
const pushed = rule(pushEvent, (p: PushEvent, self): Trigger[] => {
  const queue = p.deleted ? undefined : QUEUE_BRANCH.exec(p.ref);
  const group = queue ? groupTriggers(p.after, p.ref, { ref: queue[1] ?? "" }, p.repository.default_branch) : [];
  return [...group, ...health(p, self)];
});
const statusPosted = rule(statusEvent, health, (p: StatusEvent) => [{ kind: "statuses", id: p.sha }]);
const checkRunDone = rule(checkRunEvent, health, (p: CheckRunEvent) => [
  { kind: "check-runs", id: p.check_run.head_sha },
]);
const checkSuiteDone = rule(checkSuiteEvent, health, (p: CheckSuiteEvent) => [
  { kind: "check-runs", id: p.check_suite.head_sha },
]);
const deploymentReported = rule(deploymentStatusEvent, health, (p: DeploymentStatusEvent) => [
  { kind: "deployments", id: p.deployment.environment },
  { kind: "deployment-statuses", id: String(p.deployment.id) },
]);

/** Event (`name.action`, or `name` for events without an action) to what it triggers. */
const TRIGGERS: Record<string, Rule<RepositoryEvent>> = {
  "issues.opened": issueChanged,
  "issues.edited": issueChanged,
  "issues.reopened": issueChanged,
  "issues.labeled": issueChanged,
  "issues.closed": issueChanged,
  "issue_comment.created": commented,
  "pull_request.opened": pullGuarded,
  "pull_request.synchronize": pullBoth,
  "pull_request.reopened": pullBoth,
  "pull_request.ready_for_review": pullBoth,
  "pull_request.closed": pullChanged,
  "pull_request.edited": pullChanged,
  "merge_group.checks_requested": groupQueued,
  status: statusPosted,
  "check_run.completed": checkRunDone,
  "check_suite.completed": checkSuiteDone,
  "deployment_status.created": deploymentReported,
  push: pushed,
};

/** The events Handover reads, as `name.action` (or `name`). */
export const READ_EVENTS: readonly string[] = Object.keys(TRIGGERS);

/** The triggers of one delivery; `botLogin` is the App's own login (its own events trigger only the guard). */
export function triggersOf(delivery: Delivery, botLogin: string): Reading {
  const action = (delivery.payload as { action?: unknown } | null)?.action;
  const event = typeof action === "string" ? `${delivery.name}.${action}` : delivery.name;
  const row = TRIGGERS[event];
  if (!row) return { kind: "unread" };
  const parsed = row.schema.safeParse(delivery.payload);
  if (!parsed.success) return { kind: "malformed", event, problems: parsed.error.issues.slice(0, 3) };
  const payload = parsed.data;
  return {
    kind: "triggers",
    event,
    repository: { owner: payload.repository.owner.login, repo: payload.repository.name },
    ...(payload.repository.default_branch ? { defaultBranch: payload.repository.default_branch } : {}),
    ...(payload.repository.node_id ? { repositoryId: payload.repository.node_id } : {}),
    reports: row.reports?.(payload) ?? [],
    triggers: row.triggers(payload, payload.sender.login === botLogin),
  };
}
