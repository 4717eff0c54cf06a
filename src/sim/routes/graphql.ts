import {
  GraphQLError,
  Kind,
  parse,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type SelectionSetNode,
} from "graphql";
import { json, type Router, type SimResponse } from "../http.js";
import { GraphqlRefusal, SimHttpError } from "../http-error.js";
import { iso, type MergeMethod, type SimPullRequest } from "../model.js";
import type { RepoState } from "../repo-state.js";
import type { RouteContext } from "./context.js";
import { html } from "../render.js";
import type { SimRequest } from "../http.js";

/** A GraphQL request as the sim received it (tests compare the exact body). */
export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

const METHODS: Record<string, MergeMethod> = { MERGE: "merge", SQUASH: "squash", REBASE: "rebase" };

interface FieldError {
  type: GraphqlRefusal["type"] | "SIMULATOR";
  message: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a mutation's input, as the query and its variables give it
type Input = Record<string, any>;

/** A mutation the sim simulates: its input in, the payload out (the whole object; the query's selection picks). */
type Mutation = (input: Input, req: SimRequest) => Record<string, unknown>;

/** GitHub's GraphQL words for a REST refusal of the same operation. */
function refusal(err: SimHttpError): GraphqlRefusal {
  const body = err.body as { message?: unknown; errors?: { message?: unknown }[] };
  const detail = body.errors?.find((e) => typeof e.message === "string")?.message;
  const message = String(detail ?? body.message ?? "");
  if (err.status === 404) return new GraphqlRefusal("NOT_FOUND", message);
  if (err.status === 403) return new GraphqlRefusal("FORBIDDEN", message);
  return new GraphqlRefusal("UNPROCESSABLE", message);
}

/** The object a query asked for, with only the fields (and aliases) it selected, as GitHub answers. */
function selected(value: unknown, selection: SelectionSetNode | undefined): unknown {
  if (!selection || value === null || value === undefined) return value ?? null;
  if (Array.isArray(value)) return value.map((v) => selected(v, selection));
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const node of selection.selections) {
    if (node.kind !== Kind.FIELD) continue;
    out[node.alias?.value ?? node.name.value] = selected(object[node.name.value], node.selectionSet);
  }
  return out;
}

/** GitHub's answer to a node id it cannot resolve. */
const unresolved = (id: unknown): GraphqlRefusal =>
  new GraphqlRefusal("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'`);

function repositoryById(ctx: RouteContext, id: unknown): RepoState {
  const repo = ctx.repos().find((r) => `R_${r.id}` === id);
  if (!repo) throw unresolved(id);
  return repo;
}

function pullById(ctx: RouteContext, id: unknown): { repo: RepoState; issue: SimPullRequest } {
  const found = ctx
    .repos()
    .flatMap((repo) => [...repo.issues.values()].map((issue) => ({ repo, issue })))
    .find(({ issue }) => issue.pull !== undefined && `PR_${issue.id}` === id) as
    | { repo: RepoState; issue: SimPullRequest }
    | undefined;
  if (!found) throw unresolved(id);
  return found;
}

function pullRequestNode(repo: RepoState, pr: SimPullRequest): Record<string, unknown> {
  const auto = pr.pull.autoMerge;
  return {
    id: `PR_${pr.id}`,
    number: pr.number,
    url: html(repo, `/pull/${pr.number}`),
    title: pr.title,
    body: pr.body ?? "",
    isDraft: pr.pull.draft,
    state: pr.pull.mergedAt ? "MERGED" : pr.state === "open" ? "OPEN" : "CLOSED",
    headRefName: pr.pull.headRef,
    headRefOid: pr.pull.headSha,
    baseRefName: pr.pull.baseRef,
    autoMergeRequest: auto ? { enabledAt: iso(auto.enabledAt), mergeMethod: auto.method.toUpperCase() } : null,
    createdAt: iso(pr.createdAt),
  };
}

/** Check run input in GraphQL's words, as the REST body the sim's check runs take. */
function checkRunBody(input: Input): Record<string, unknown> {
  const output = input.output as Input | undefined;
  return {
    name: input.name,
    head_sha: input.headSha,
    ...(input.status ? { status: String(input.status).toLowerCase() } : {}),
    ...(input.conclusion ? { conclusion: String(input.conclusion).toLowerCase() } : {}),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    ...(input.externalId ? { external_id: input.externalId } : {}),
    ...(output
      ? {
          output: {
            title: output.title,
            summary: output.summary,
            ...(output.text ? { text: output.text } : {}),
            annotations: ((output.annotations ?? []) as Input[]).map((a) => ({
              path: a.path,
              start_line: a.location?.startLine,
              end_line: a.location?.endLine,
              annotation_level: String(a.annotationLevel).toLowerCase(),
              message: a.message,
              ...(a.title ? { title: a.title } : {}),
            })),
          },
        }
      : {}),
  };
}

function mutations(ctx: RouteContext): Record<string, Mutation> {
  return {
    enablePullRequestAutoMerge(input, req) {
      const found = pullById(ctx, input.pullRequestId);
      const method = METHODS[String(input.mergeMethod ?? "MERGE")];
      if (!method)
        throw new GraphqlRefusal(
          "UNPROCESSABLE",
          "Variable $mergeMethod of type PullRequestMergeMethod was provided invalid value",
        );
      found.repo.enableAutoMerge(found.issue, ctx.actor(req), method);
      return { pullRequest: pullRequestNode(found.repo, found.issue) };
    },
    enqueuePullRequest(input, req) {
      const found = pullById(ctx, input.pullRequestId);
      const expected = typeof input.expectedHeadOid === "string" ? input.expectedHeadOid : undefined;
      try {
        found.repo.enqueuePull(found.issue, ctx.actor(req), expected);
      } catch (err) {
        throw err instanceof SimHttpError ? refusal(err) : err;
      }
      const queued = found.issue.pull.queued;
      return {
        mergeQueueEntry: {
          id: `MQE_${found.issue.number}`,
          position: 1,
          state: "AWAITING_CHECKS",
          enqueuedAt: iso(queued?.at ?? found.repo.now()),
          pullRequest: pullRequestNode(found.repo, found.issue),
        },
      };
    },
    createRef(input, req) {
      const repo = repositoryById(ctx, input.repositoryId);
      const name = String(input.name);
      if (repo.refs.has(name))
        throw new GraphqlRefusal("UNPROCESSABLE", `A ref named "${name}" already exists in the repository.`);
      repo.createRef(name, String(input.oid), ctx.actor(req));
      const short = name.replace(/^refs\/(heads|tags)\//, "");
      return {
        ref: {
          id: `REF_${Buffer.from(name).toString("base64")}`,
          name: short,
          prefix: name.slice(0, name.length - short.length),
          target: { oid: input.oid },
        },
      };
    },
    createPullRequest(input, req) {
      const repo = repositoryById(ctx, input.repositoryId);
      const pr = repo.createPull(ctx.actor(req), {
        title: String(input.title),
        head: String(input.headRefName),
        base: String(input.baseRefName),
        body: typeof input.body === "string" ? input.body : null,
        draft: input.draft === true,
      });
      return { pullRequest: pullRequestNode(repo, pr) };
    },
    createCheckRun(input, req) {
      const repo = repositoryById(ctx, input.repositoryId);
      const run = repo.createCheckRun(ctx.actor(req), checkRunBody(input));
      return {
        checkRun: {
          id: `CR_${run.id}`,
          databaseId: run.id,
          name: run.name,
          status: run.status.toUpperCase(),
          conclusion: run.conclusion?.toUpperCase() ?? null,
        },
      };
    },
  };
}

/** A field's input: `input: {...}` written in the query, with `$variables` looked up. */
function inputOf(field: FieldNode, variables: Record<string, unknown>): Input {
  const arg = field.arguments?.find((a) => a.name.value === "input");
  return arg ? (valueFromASTUntyped(arg.value, variables) as Input) : {};
}

/** Parsed documents by query text: a client sends the same few queries over and over, with other variables. */
const documents = new Map<string, DocumentNode>();

/** The query parsed (once per text); throws GraphQLError on a syntax error. */
function parsed(query: string): DocumentNode {
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    if (documents.size >= 100) documents.clear();
    documents.set(query, document);
  }
  return document;
}

/**
 * POST /graphql: the mutations Handover sends (enablePullRequestAutoMerge, enqueuePullRequest, createRef, createPullRequest,
 * createCheckRun), any number in one document, run one after another as GitHub runs a mutation's fields; a field GitHub
 * refuses is `null` with an entry in `errors` (answered 200) and the next field still runs. Anything else is answered
 * with a GraphQL error naming what the sim does not simulate.
 */
export function registerGraphqlRoutes(router: Router, ctx: RouteContext, seen: GraphqlRequest[]): void {
  const known = mutations(ctx);
  router.add("POST", "/graphql", (req) => {
    const query = typeof req.body.query === "string" ? req.body.query : "";
    const variables = (req.body.variables ?? {}) as Record<string, unknown>;
    seen.push({ query, variables });
    let document: DocumentNode;
    try {
      document = parsed(query);
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      return json(200, { errors: [{ message: err.message, locations: err.locations ?? [] }] });
    }
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const fields = (operation?.selectionSet.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
    const unknown = fields.find((f) => !(f.name.value in known));
    if (operation?.operation !== "mutation" || fields.length === 0 || unknown)
      return json(200, {
        data: null,
        errors: [
          {
            type: "SIMULATOR",
            message: `GitHubSim simulates only the mutations ${Object.keys(known).join(", ")}`,
          },
        ],
      });
    const data: Record<string, unknown> = {};
    const errors: (FieldError & { path: string[]; locations: { line: number; column: number }[] })[] = [];
    for (const field of fields) {
      const key = field.alias?.value ?? field.name.value;
      const mutation = known[field.name.value] as Mutation;
      try {
        data[key] = selected(mutation(inputOf(field, variables), req), field.selectionSet);
      } catch (err) {
        const refused = err instanceof SimHttpError ? refusal(err) : err;
        if (!(refused instanceof GraphqlRefusal)) throw err;
        data[key] = null;
        const { line, column } = field.loc?.startToken ?? { line: 1, column: 1 };
        errors.push({ type: refused.type, path: [key], locations: [{ line, column }], message: refused.message });
      }
    }
    return json(200, errors.length ? { data, errors } : { data }) as SimResponse;
  });
}
