// Every answer the simulator gives in rehearsals (default settings, and a rebase-only repo without drafts, labels and
// with required reviews) is checked against GitHub's OpenAPI description (@octokit/openapi): the operation and status
// must be documented, and the body must fit the documented schema. `required` is not enforced: the sim renders the
// fields an App reads, not all of GitHub's; every field it does send must have GitHub's type and shape.
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { schema as githubSchema, validate as validateQuery } from "@octokit/graphql-schema";
import { buildClientSchema, getVariableValues, Kind, parse } from "graphql";
import { readDirTree } from "../../src/cli/disk.js";
import { ENABLE_AUTO_MERGE, ENQUEUE_PULL, OPEN_STEP_CHECKED } from "../../src/github/octokit.js";
import type { RehearsalOptions, RehearsalReport, ScriptedComment } from "../../src/rehearse/run.js";
import type { SimResponse } from "../../src/sim/index.js";
import type { GraphqlRequest } from "../../src/sim/routes/graphql.js";
import { EXAMPLE_ISSUE, run } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document, walked generically
type Json = any;

const spec: Json = JSON.parse(readFileSync("node_modules/@octokit/openapi/generated/api.github.com.json", "utf8"));

/**
 * OpenAPI 3.0 to JSON Schema as Ajv reads it: `nullable` becomes a null alternative. `required` is dropped: the sim's
 * fields are checked for type and shape; which ones GitHub always sends is not the sim's business (and without it a
 * partial object fits several `oneOf` branches, so they become `anyOf`).
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node))
    if (key !== "required" && key !== "nullable") out[key === "oneOf" ? "anyOf" : key] = toJsonSchema(value);
  if (node.nullable !== true) return out;
  if (typeof out.type === "string")
    return { ...out, type: [out.type, "null"], ...(out.enum ? { enum: [...out.enum, null] } : {}) };
  return { anyOf: [out, { type: "null" }] };
}
spec.components = toJsonSchema(spec.components);
spec.paths = toJsonSchema(spec.paths);

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv) => void)(ajv);
// GitHub sends "" for an unset URL (a deployment status without target_url), where the description says format uri.
ajv.addFormat("uri", (value: string) => value === "" || URL.canParse(value));
ajv.addSchema({ $id: "gh", components: spec.components });

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** literal segments: the most specific template wins */
  literals: number;
  responses: Record<string, Json>;
}

const operations: Operation[] = Object.entries(spec.paths as Record<string, Record<string, Json>>).flatMap(
  ([template, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        // {ref}, {path} and {basehead} may hold slashes; other parameters are one segment
        pattern: new RegExp(
          `^${template.replace(/\{(\w+)\}/g, (_m, name: string) => (["ref", "path", "basehead", "sha"].includes(name) ? "(.+)" : "([^/]+)"))}$`,
        ),
        literals: template.split("/").filter((s) => s !== "" && !s.startsWith("{")).length,
        responses: op.responses ?? {},
      })),
);

function operationOf(method: string, path: string): Operation | undefined {
  const lookup = method === "HEAD" ? "GET" : method;
  return operations
    .filter((o) => o.method === lookup && o.pattern.test(path))
    .sort((a, b) => b.literals - a.literals || a.template.length - b.template.length)[0];
}

const validators = new Map<string, ValidateFunction>();
function schemaOf(op: Operation, status: number): { documented: boolean; validate?: ValidateFunction } {
  const response = op.responses[String(status)] ?? op.responses.default;
  if (!response) return { documented: false };
  const resolved = response.$ref
    ? spec.components.responses[String(response.$ref).replace("#/components/responses/", "")]
    : response;
  const schema = resolved?.content?.["application/json"]?.schema;
  if (!schema) return { documented: true };
  const key = `${op.method} ${op.template} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"gh#/components/'));
    validate = ajv.compile(rewritten);
    validators.set(key, validate);
  }
  return { documented: true, validate };
}

interface Seen {
  operations: Set<string>;
  problems: string[];
  /** the GraphQL requests the simulator received */
  graphql?: readonly GraphqlRequest[];
}

const graphqlSchema = buildClientSchema(githubSchema.json as Parameters<typeof buildClientSchema>[0]);

/**
 * Every GraphQL request the App sent checked against GitHub's GraphQL schema (@octokit/graphql-schema): the document
 * must validate, and its variables must coerce to the types it declares.
 */
function graphqlProblems(requests: readonly GraphqlRequest[]): string[] {
  return requests.flatMap(({ query, variables }) => {
    const invalid = validateQuery(query).map((e) => e.message);
    if (invalid.length) return invalid;
    const operation = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const coerced = getVariableValues(graphqlSchema, operation?.variableDefinitions ?? [], variables);
    return (coerced.errors ?? []).map((e) => e.message);
  });
}

function watch(seen: Seen): RehearsalOptions["onSim"] {
  return (sim) => {
    seen.graphql = sim.graphqlRequests;
    sim.responseHook = (req, answer: SimResponse) => {
      try {
        check(seen, req, answer);
      } catch (err) {
        seen.problems.push(`${req.method} ${req.path}: ${(err as Error).message}`);
      }
    };
  };
}

function check(seen: Seen, req: { method: string; path: string }, answer: SimResponse): void {
  {
    // The App's webhook target and Probot's token exchange are not part of the REST description we check here, nor is
    // GraphQL (checked against GitHub's GraphQL schema below).
    if (req.path === "/graphql") return;
    const op = operationOf(req.method, decodeURIComponent(req.path));
    if (!op) {
      seen.problems.push(`${req.method} ${req.path}: not an operation of GitHub's REST API`);
      return;
    }
    const key = `${op.method} ${op.template} ${answer.status}`;
    seen.operations.add(key);
    // 304 Not Modified answers a conditional GET (If-None-Match) on any resource, with no body: HTTP, not per operation
    if (answer.status === 304 && op.method === "GET") return;
    const { documented, validate } = schemaOf(op, answer.status);
    if (!documented) {
      seen.problems.push(`${key}: status not documented`);
      return;
    }
    if (validate && answer.body !== undefined && !validate(answer.body))
      seen.problems.push(`${key}: ${ajv.errorsText(validate.errors, { separator: "; " }).slice(0, 600)}`);
  }
}

/** A command at a moment, and `/handover resume` an hour after it, by the same person. */
function thenResume(by: Omit<ScriptedComment, "delay" | "body">, body: string): ScriptedComment[] {
  return [
    { ...by, delay: 0, body },
    { ...by, delay: 3600, body: "/handover resume" },
  ];
}

/** Both were taken, in order: each carries Handover's reaction. */
function expectTaken(report: RehearsalReport, first: string): void {
  expect(report.comments.map((c) => [c.body, c.reaction])).toEqual([
    [first, "rocket"],
    ["/handover resume", "rocket"],
  ]);
}

describe("the simulator's answers fit GitHub's OpenAPI description", () => {
  it.each([
    ["default settings", {}],
    [
      "rebase only, no drafts, no labels, one required review",
      { merge: "rebase", noDrafts: true, noLabels: true, reviews: 1 },
    ],
  ] as const)("in a rehearsal with %s", { timeout: 120_000 }, async (_name, repo) => {
    const seen: Seen = { operations: new Set(), problems: [] };
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, { repo, onSim: watch(seen) });
    expect(report.completed).toBe(true);
    expect([...new Set(seen.problems)]).toEqual([]);
    // every step opened with one GraphQL request (branch, PR, guard check run), and GitHub's schema takes them all
    expect(seen.graphql?.filter((r) => r.query === OPEN_STEP_CHECKED)).toHaveLength(report.steps.length);
    expect(graphqlProblems(seen.graphql ?? [])).toEqual([]);
    // the operations the App depends on were all seen (the check is not vacuous)
    for (const key of [
      "POST /repos/{owner}/{repo}/git/commits 201",
      "GET /repos/{owner}/{repo}/git/trees/{tree_sha} 200",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments 200",
      "POST /repos/{owner}/{repo}/check-runs 201",
    ])
      expect([...seen.operations]).toContain(key);
  });
  it("in a rehearsal with auto-merge on release steps and an approval by a team member", {
    timeout: 120_000,
  }, async () => {
    const seen: Seen = { operations: new Set(), problems: [] };
    const files = await readDirTree("examples/config-repo");
    const config = files.get(".github/handover.yml") ?? "";
    files.set(
      ".github/handover.yml",
      `${config.replace("elevated: maintain", "elevated: maintain\n  approvers: [acme/db-leads]")}\nautomerge: [release]\napprove: [adopt]\ngroups:\n  wave-1: {approve: false}\n  rest: {approve: false}\n`,
    );
    const watcher = watch(seen);
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      files,
      commands: [
        {
          after: "release-canary",
          event: "gate_passed",
          delay: 60,
          user: "erin",
          permission: "write",
          body: "/handover approve",
        },
      ],
      onSim: (sim) => {
        watcher?.(sim);
        sim.addTeamMember("acme/db-leads", "erin");
      },
    });
    expect(report.completed).toBe(true);
    expect([...new Set(seen.problems)]).toEqual([]);
    expect(seen.graphql?.some((r) => r.query === ENABLE_AUTO_MERGE)).toBe(true);
    expect(graphqlProblems(seen.graphql ?? [])).toEqual([]);
    // An open PR that is not one commit on the default branch's head is read on its own, for mergeable.
    for (const key of [
      "GET /repos/{owner}/{repo} 200",
      "GET /orgs/{org}/teams/{team_slug}/memberships/{username} 200",
      "GET /repos/{owner}/{repo}/pulls/{pull_number} 200",
    ])
      expect([...seen.operations]).toContain(key);
  });

  it("in a merge-queue repo with auto-merge on release steps: the refused merge and the queue's mutation, GitHub's way", {
    timeout: 120_000,
  }, async () => {
    const seen: Seen = { operations: new Set(), problems: [] };
    const files = await readDirTree("examples/config-repo");
    files.set(".github/handover.yml", `${files.get(".github/handover.yml") ?? ""}\nautomerge: [release]\n`);
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      files,
      repo: { mergeQueue: true },
      onSim: watch(seen),
    });
    expect(report.completed).toBe(true);
    expect([...new Set(seen.problems)]).toEqual([]);
    expect(seen.graphql?.filter((r) => r.query === ENQUEUE_PULL)).toHaveLength(3);
    expect(graphqlProblems(seen.graphql ?? [])).toEqual([]);
    expect([...seen.operations]).toContain("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge 405");
  });

  it("in a rehearsal with a rollback: the close of the next step's PR and the revert PR are answered GitHub's way", {
    timeout: 120_000,
  }, async () => {
    const seen: Seen = { operations: new Set(), problems: [] };
    const by = { after: "adopt-canary", event: "gate_passed", user: "maya", permission: "maintain" } as const;
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: thenResume(by, "/handover rollback"),
      onSim: watch(seen),
    });
    expect(report.completed).toBe(true);
    expectTaken(report, "/handover rollback");
    expect([...new Set(seen.problems)]).toEqual([]);
    // Handover reads the close's answer (a PR merged meanwhile stays merged), so its shape is GitHub's.
    expect([...seen.operations]).toContain("PATCH /repos/{owner}/{repo}/pulls/{pull_number} 200");
  });

  it("in a rehearsal whose dashboard is deleted: the rebuild reads the commands' reactions, GitHub's way", {
    timeout: 120_000,
  }, async () => {
    const seen: Seen = { operations: new Set(), problems: [] };
    const watcher = watch(seen);
    const by = { after: "release-canary", event: "merged", user: "alice", permission: "write" } as const;
    let deleted = 0;
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: thenResume(by, "/handover pause"),
      onSim: watcher,
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "adopt-canary") return;
        const dashboard = sim.listComments(1).find((c) => c.user === "handover[bot]");
        if (dashboard) sim.deleteComment("eve", dashboard.id);
        deleted = dashboard?.id ?? 0;
      },
    });
    expect(deleted).toBeGreaterThan(0);
    expect(report.completed).toBe(true);
    // Both commands carry Handover's reaction: neither is applied again after the rebuild.
    expectTaken(report, "/handover pause");
    expect([...new Set(seen.problems)]).toEqual([]);
    expect([...seen.operations]).toContain("GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions 200");
  });
});
