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
  issue: z.object({ number: z.number(), pull_request: z.unknown().optional(), body: z.string().nullish() }),
});

export const commentEvent = issueEvent.extend({
  comment: z.object({ id: z.number(), user: account }),
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

/** status, check_run, check_suite, deployment_status, push: they only say "something about health changed". */
export const repositoryEvent = base;

export type IssueEvent = z.infer<typeof issueEvent>;
export type CommentEvent = z.infer<typeof commentEvent>;
export type PullRequestEvent = z.infer<typeof pullRequestEvent>;
export type RepositoryEvent = z.infer<typeof repositoryEvent>;
