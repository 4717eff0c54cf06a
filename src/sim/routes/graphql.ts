import { json, type Router, type SimResponse } from "../http.js";
import { GraphqlRefusal } from "../http-error.js";
import { iso, type MergeMethod, type SimPullRequest } from "../model.js";
import type { RepoState } from "../repo-state.js";
import type { RouteContext } from "./context.js";

/** A GraphQL request as the sim received it (tests compare the exact body). */
export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

const METHODS: Record<string, MergeMethod> = { MERGE: "merge", SQUASH: "squash", REBASE: "rebase" };

function errorAnswer(field: string | undefined, type: string, message: string): SimResponse {
  return json(200, {
    data: field ? { [field]: null } : null,
    errors: [{ type, ...(field ? { path: [field] } : {}), locations: [{ line: 2, column: 3 }], message }],
  });
}

/** An input argument as written in the query: a `$variable` (looked up) or a literal (string or enum value). */
function argument(query: string, name: string, variables: Record<string, unknown>): unknown {
  const written = new RegExp(`(?<![$\\w])${name}\\s*:\\s*(\\$\\w+|"[^"]*"|\\w+)`).exec(query)?.[1];
  if (written === undefined) return undefined;
  if (written.startsWith("$")) return variables[written.slice(1)];
  return written.startsWith('"') ? written.slice(1, -1) : written;
}

/**
 * POST /graphql: the one mutation Handover sends, `enablePullRequestAutoMerge(input: {pullRequestId, mergeMethod})`
 * (as variables or literals; GitHub answers 200 with `errors` when it refuses). Anything else is answered with a
 * GraphQL error naming what the sim does not simulate.
 */
export function registerGraphqlRoutes(router: Router, ctx: RouteContext, seen: GraphqlRequest[]): void {
  router.add("POST", "/graphql", (req) => {
    const query = typeof req.body.query === "string" ? req.body.query : "";
    const variables = (req.body.variables ?? {}) as Record<string, unknown>;
    seen.push({ query, variables });
    const field = "enablePullRequestAutoMerge";
    if (!/\bmutation\b/.test(query) || !query.includes(`${field}(`))
      return errorAnswer(undefined, "SIMULATOR", "GitHubSim simulates only the mutation enablePullRequestAutoMerge");
    const id = argument(query, "pullRequestId", variables);
    const found = ctx
      .repos()
      .flatMap((repo) => [...repo.issues.values()].map((issue) => ({ repo, issue })))
      .find(({ issue }) => issue.pull !== undefined && `PR_${issue.id}` === id) as
      | { repo: RepoState; issue: SimPullRequest }
      | undefined;
    if (!found)
      return errorAnswer(field, "NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'`);
    const method = METHODS[String(argument(query, "mergeMethod", variables) ?? "MERGE")];
    if (!method)
      return errorAnswer(
        field,
        "INVALID",
        `Variable $mergeMethod of type PullRequestMergeMethod was provided invalid value`,
      );
    try {
      found.repo.enableAutoMerge(found.issue, ctx.actor(req), method);
    } catch (err) {
      if (err instanceof GraphqlRefusal) return errorAnswer(field, err.type, err.message);
      throw err;
    }
    const auto = found.issue.pull.autoMerge;
    return json(200, {
      data: {
        [field]: {
          pullRequest: {
            number: found.issue.number,
            autoMergeRequest: auto ? { enabledAt: iso(auto.enabledAt), mergeMethod: auto.method.toUpperCase() } : null,
          },
        },
      },
    });
  });
}
