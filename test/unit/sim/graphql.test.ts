// GraphQL mutations in the simulator: several fields in one document run one after another as GitHub runs them, each
// answered with only the fields (and aliases) the query selected, a refused field null with its error while the next
// one still runs, and the same webhooks as the REST operations they stand for.
import { describe, expect, it } from "vitest";
import { commitViaApi, OWNER, REPO, useSim } from "./helpers.js";

const h = useSim();
const r = { owner: OWNER, repo: REPO };

const OPEN = `mutation Open($repo: ID!, $ref: String!, $oid: GitObjectID!, $check: CreateCheckRunInput!) {
  branch: createRef(input: {repositoryId: $repo, name: $ref, oid: $oid}) { ref { name prefix } }
  createPullRequest(input: {repositoryId: $repo, baseRefName: "main", headRefName: "step", title: "Step", body: "b"}) {
    pullRequest { number isDraft headRefOid state }
  }
  createCheckRun(input: $check) { checkRun { name status conclusion } }
}`;

const post = async (query: string, variables: Record<string, unknown> = {}) =>
  (await h.octokit.request("POST /graphql", { query, variables })).data;

async function stepCommit(): Promise<string> {
  return commitViaApi(h.octokit, h.sim.branchSha("main") as string, { "clusters/a/app.yaml": "name: a\n" }, "step");
}

function checkInput(sha: string): Record<string, unknown> {
  return {
    repositoryId: `R_${h.sim.repo.id}`,
    headSha: sha,
    name: "handover/guard",
    status: "COMPLETED",
    conclusion: "FAILURE",
    output: {
      title: "1 invariant violation",
      summary: "two clusters",
      annotations: [
        {
          path: "clusters/a/app.yaml",
          location: { startLine: 1, endLine: 1 },
          annotationLevel: "FAILURE",
          message: "shared",
        },
      ],
    },
  };
}

describe("GraphQL mutations", () => {
  it("createRef, createPullRequest and createCheckRun in one document: selected fields only, REST-visible, webhooks", async () => {
    const sha = await stepCommit();
    h.sim.discardEvents();
    const answer = await post(OPEN, {
      repo: `R_${h.sim.repo.id}`,
      ref: "refs/heads/step",
      oid: sha,
      check: checkInput(sha),
    });
    const pr = h.sim.listPulls()[0];
    expect(answer).toEqual({
      data: {
        branch: { ref: { name: "step", prefix: "refs/heads/" } },
        createPullRequest: { pullRequest: { number: pr?.number, isDraft: false, headRefOid: sha, state: "OPEN" } },
        createCheckRun: { checkRun: { name: "handover/guard", status: "COMPLETED", conclusion: "FAILURE" } },
      },
    });
    expect(h.sim.branchSha("step")).toBe(sha);
    const runs = await h.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { ...r, ref: sha });
    expect(runs.data.check_runs.map((c) => [c.name, c.status, c.conclusion, c.output.title])).toEqual([
      ["handover/guard", "completed", "failure", "1 invariant violation"],
    ]);
    const annotations = await h.octokit.request("GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", {
      ...r,
      check_run_id: runs.data.check_runs[0]?.id as number,
    });
    expect(annotations.data).toMatchObject([
      { path: "clusters/a/app.yaml", start_line: 1, end_line: 1, annotation_level: "failure", message: "shared" },
    ]);
    expect(h.sim.pendingEventNames()).toEqual([
      "create",
      "push",
      "pull_request.opened",
      "check_run.created",
      "check_run.completed",
    ]);
  });

  it("a refused field is null with GitHub's error where it starts in the query, and the next field still runs", async () => {
    const sha = await stepCommit();
    await h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/step", sha });
    const answer = await post(OPEN, {
      repo: `R_${h.sim.repo.id}`,
      ref: "refs/heads/step",
      oid: sha,
      check: checkInput(sha),
    });
    expect(answer).toMatchObject({
      data: { branch: null, createPullRequest: { pullRequest: { headRefOid: sha } } },
      errors: [
        {
          type: "UNPROCESSABLE",
          path: ["branch"],
          locations: [{ line: 2, column: 3 }],
          message: 'A ref named "refs/heads/step" already exists in the repository.',
        },
      ],
    });
    // the PR the REST API refuses is refused here too, in its words
    const again = await post(OPEN, {
      repo: `R_${h.sim.repo.id}`,
      ref: "refs/heads/other",
      oid: sha,
      check: checkInput(sha),
    });
    expect(again).toMatchObject({
      data: { branch: { ref: { name: "other" } }, createPullRequest: null },
      errors: [
        {
          type: "UNPROCESSABLE",
          path: ["createPullRequest"],
          locations: [{ line: 3, column: 3 }],
          message: "A pull request already exists for acme:step.",
        },
      ],
    });
    expect(h.sim.listPulls()).toHaveLength(1);
  });

  it("an unknown repository id is NOT_FOUND, as GitHub answers a node it cannot resolve", async () => {
    const sha = await stepCommit();
    const answer = await post(OPEN, {
      repo: "R_nope",
      ref: "refs/heads/step",
      oid: sha,
      check: { ...checkInput(sha), repositoryId: "R_nope" },
    });
    expect(answer).toMatchObject({
      data: { branch: null, createPullRequest: null, createCheckRun: null },
      errors: [
        { type: "NOT_FOUND", message: "Could not resolve to a node with the global id of 'R_nope'" },
        { type: "NOT_FOUND" },
        { type: "NOT_FOUND" },
      ],
    });
    expect(h.sim.branchSha("step")).toBeUndefined();
  });

  it("a query, or a mutation it does not simulate, is refused as a whole and changes nothing", async () => {
    const named =
      "GitHubSim simulates only the mutations enablePullRequestAutoMerge, enqueuePullRequest, createRef, createPullRequest, createCheckRun";
    expect(await post("query { viewer { login } }")).toEqual({
      data: null,
      errors: [{ type: "SIMULATOR", message: named }],
    });
    const sha = await stepCommit();
    expect(
      await post(`mutation { createRef(input: {repositoryId: "R_${h.sim.repo.id}", name: "refs/heads/x", oid: "${sha}"}) { ref { name } }
  deleteRef(input: {refId: "x"}) { clientMutationId } }`),
    ).toEqual({ data: null, errors: [{ type: "SIMULATOR", message: named }] });
    expect(h.sim.branchSha("x")).toBeUndefined();
    expect(await post("mutation { createRef(")).toMatchObject({
      errors: [{ message: "Syntax Error: Expected Name, found <EOF>.", locations: [{ line: 1, column: 22 }] }],
    });
  });
});
