import { z } from "zod";

/** The few webhook fields the App reads; everything else in a payload is ignored (an event is a trigger, not data). */

const account = z.object({ login: z.string(), type: z.string().optional() });
const base = z.object({
  repository: z.object({
    name: z.string(),
    owner: z.object({ login: z.string() }),
    default_branch: z.string().optional(),
    node_id: z.string().optional(),
  }),
  installation: z.object({ id: z.number() }).optional(),
  sender: account,
});

export const issueEvent = base.extend({
  issue: z.object({
    number: z.number(),
    pull_request: z.unknown().optional(),
    body: z.string().nullish(),
    title: z.string().optional(),
  }),
});

export const commentEvent = issueEvent.extend({
  comment: z.object({ id: z.number(), user: account, body: z.string().nullish() }),
});

export const pullRequestEvent = base.extend({
  pull_request: z.object({
    number: z.number(),
    body: z.string().nullish(),
    user: account,
    head: z.object({ ref: z.string(), sha: z.string() }),
    base: z.object({ ref: z.string() }),
  }),
});

/**
 * A merge queue asks for the checks of a merge group: the commit that becomes the base branch if they pass (`head_sha`,
 * on `gh-readonly-queue/<base>/pr-<number>-<sha>`), made on `base_sha`.
 */
export const mergeGroupEvent = base.extend({
  merge_group: z.object({ head_sha: z.string(), head_ref: z.string(), base_sha: z.string(), base_ref: z.string() }),
});

/** status, check_run, check_suite, deployment_status, push: they only say "something about health changed". */
export const repositoryEvent = base;

/** A push: the ref and the commit it now points to (a merge queue's group branch is created by one). */
export const pushEvent = base.extend({ ref: z.string(), after: z.string(), deleted: z.boolean().optional() });

/** What a health webhook reports on: a commit's statuses or check runs, an environment's deployments, a deployment's statuses. */
export interface HealthReport {
  kind: "statuses" | "check-runs" | "deployments" | "deployment-statuses";
  id: string;
}

/** The commit a status reports on. */
export const statusEvent = base.extend({ sha: z.string() });

/** The commit a check run or check suite reports on. */
export const checkRunEvent = base.extend({ check_run: z.object({ head_sha: z.string() }) });
export const checkSuiteEvent = base.extend({ check_suite: z.object({ head_sha: z.string() }) });

/** The deployment a deployment status reports on: its id and environment. */
export const deploymentStatusEvent = base.extend({
  deployment: z.object({ id: z.number(), environment: z.string() }),
});

export type IssueEvent = z.infer<typeof issueEvent>;
export type CommentEvent = z.infer<typeof commentEvent>;
export type PullRequestEvent = z.infer<typeof pullRequestEvent>;
export type MergeGroupEvent = z.infer<typeof mergeGroupEvent>;
export type PushEvent = z.infer<typeof pushEvent>;
export type RepositoryEvent = z.infer<typeof repositoryEvent>;
export type StatusEvent = z.infer<typeof statusEvent>;
export type CheckRunEvent = z.infer<typeof checkRunEvent>;
export type CheckSuiteEvent = z.infer<typeof checkSuiteEvent>;
export type DeploymentStatusEvent = z.infer<typeof deploymentStatusEvent>;
