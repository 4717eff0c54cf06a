// OctokitPort.openStep against nock: the one GraphQL request that creates a step's branch, opens its PR and writes the
// guard's check run (exact query and variables), and how GitHub's answer, whole or with refused fields, is read.
import { describe, expect, it } from "vitest";
import { knowDefaultBranch, knowRepositoryId, OctokitPort, PortMemory } from "../../../src/github/index.js";
import { OPEN_STEP, OPEN_STEP_CHECKED } from "../../../src/github/octokit.js";
import type { GuardRun } from "../../../src/github/port.js";
import { github, octokit, useNock } from "./nock.js";

const seen = useNock();
const R = "/repos/acme/config";

const pull = {
  branch: "handover/1/release-canary",
  title: "[handover #1] Release canary from replicore-a",
  body: "<!-- handover:step issue=1 step=release-canary -->\nbody",
  draft: false,
};

const verdict = (annotations: number): GuardRun => ({
  conclusion: "failure",
  output: {
    title: "1 invariant violation",
    summary: "- **shared-datastore**: both clusters discover mongo-1",
    annotations: Array.from({ length: annotations }, (_, i) => ({
      path: "clusters/replicore-a/conf.d/mongo.yaml",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure" as const,
      message: `shared-datastore: line ${i + 1}`,
    })),
  },
});

const baseVariables = {
  repositoryId: "R_repo",
  ref: "refs/heads/handover/1/release-canary",
  oid: "c1",
  base: "main",
  head: "handover/1/release-canary",
  title: pull.title,
  body: pull.body,
  draft: false,
};

const opened = {
  id: "PR_kwDO7",
  number: 7,
  url: "https://github.com/acme/config/pull/7",
  isDraft: false,
  headRefOid: "c1",
  createdAt: "2026-05-01T10:00:00Z",
};

/** createRef's answer when GitHub made the step branch. */
const REF_MADE = { ref: { name: "handover/1/release-canary" } };

/** GitHub's answer when it made the branch and opened the PR. */
const STEP_OPENED = { data: { createRef: REF_MADE, createPullRequest: { pullRequest: opened } } };

/** A mutation field GitHub refused, as its GraphQL `errors` entry names it. */
const refused = (type: string, field: string, message: string) => ({ type, path: [field], message });

/** GitHub answering the next GraphQL request with this body (data, and errors for refused fields). */
const answered = (body: Record<string, unknown>) => github(seen).post("/graphql").reply(200, body);

/** Open release-canary's branch and PR at c1 (no guard run) through a new port. */
const openRelease = () => port().openStep({ branch: pull.branch, sha: "c1", pull });

const expectedPull = {
  number: 7,
  state: "open",
  merged: false,
  mergedAt: null,
  mergeCommitSha: null,
  headRef: "handover/1/release-canary",
  headSha: "c1",
  baseRef: "main",
  author: "handover[bot]",
  body: pull.body,
  draft: false,
  url: "https://github.com/acme/config/pull/7",
  mergeable: null,
  nodeId: "PR_kwDO7",
  createdAt: Date.parse("2026-05-01T10:00:00Z"),
};

function done(scope: { isDone(): boolean; pendingMocks(): string[] }): void {
  expect(scope.pendingMocks()).toEqual([]);
  expect(scope.isDone()).toBe(true);
  expect(seen.unmatched).toEqual([]);
}

/** The repository's node id and default branch as webhook payloads name them: no read before the mutation. */
function knownRepository(): void {
  knowRepositoryId("acme", "config", "R_repo");
  knowDefaultBranch("acme", "config", "main");
}

const port = (memory = new PortMemory()) => new OctokitPort(octokit(), "acme", "config", "handover[bot]", memory);

describe("openStep", () => {
  it("reads the repository once for its node id and default branch, then creates branch, PR and check run in one request", async () => {
    const run = verdict(51);
    const scope = github(seen)
      .get(R)
      .reply(200, { node_id: "R_repo", default_branch: "main" })
      .post("/graphql", {
        query: OPEN_STEP_CHECKED,
        variables: {
          ...baseVariables,
          check: {
            repositoryId: "R_repo",
            headSha: "c1",
            name: "handover/guard",
            status: "COMPLETED",
            conclusion: "FAILURE",
            output: {
              title: "1 invariant violation",
              summary: "- **shared-datastore**: both clusters discover mongo-1",
              // GitHub takes at most 50 annotations in one request
              annotations: run.output.annotations.slice(0, 50).map((a) => ({
                path: a.path,
                location: { startLine: a.start_line, endLine: a.end_line },
                annotationLevel: "FAILURE",
                message: a.message,
              })),
            },
          },
        },
      })
      .reply(200, {
        data: {
          createRef: REF_MADE,
          createPullRequest: { pullRequest: opened },
          createCheckRun: { checkRun: { id: "CR_1" } },
        },
      });
    const p = port();
    expect(await p.openStep({ branch: pull.branch, sha: "c1", pull, check: { name: "handover/guard", run } })).toEqual({
      branch: true,
      pull: expectedPull,
    });
    expect(seen.matched).toEqual([`GET ${R}`, "POST /graphql"]);
    // the adapter knows what it opened and the verdict it wrote: neither is read back
    expect(await p.findPull(pull.branch)).toEqual(expectedPull);
    expect(p.ownCheckRun("c1", "handover/guard")).toEqual(run);
    expect(await p.findCheckRun("c1", "handover/guard")).toEqual({
      conclusion: "failure",
      title: "1 invariant violation",
    });
    expect(seen.matched).toHaveLength(2);
    done(scope);
  });

  it("asks nothing before the mutation when payloads named the repository's node id and default branch", async () => {
    knownRepository();
    const scope = github(seen).post("/graphql", { query: OPEN_STEP, variables: baseVariables }).reply(200, STEP_OPENED);
    expect(await openRelease()).toEqual({ branch: true, pull: expectedPull });
    expect(seen.matched).toEqual(["POST /graphql"]);
    done(scope);
  });

  it("a branch that exists: GitHub refuses createRef and still runs the rest; the PR it opened is returned", async () => {
    knownRepository();
    const scope = answered({
      data: { createRef: null, createPullRequest: { pullRequest: opened } },
      errors: [
        {
          ...refused(
            "UNPROCESSABLE",
            "createRef",
            'A ref named "refs/heads/handover/1/release-canary" already exists in the repository.',
          ),
          locations: [{ line: 2, column: 3 }],
        },
      ],
    });
    expect(await openRelease()).toEqual({
      branch: false,
      pull: expectedPull,
    });
    done(scope);
  });

  it("no PR and no check run when GitHub refuses them: the caller opens the PR over REST, the guard writes the run", async () => {
    knownRepository();
    const scope = answered({
      data: {
        createRef: REF_MADE,
        createPullRequest: null,
        createCheckRun: null,
      },
      errors: [
        refused("UNPROCESSABLE", "createPullRequest", "Draft pull requests are not supported in this repository."),
        refused("FORBIDDEN", "createCheckRun", "Resource not accessible by integration"),
      ],
    });
    const p = port();
    expect(
      await p.openStep({ branch: pull.branch, sha: "c1", pull, check: { name: "handover/guard", run: verdict(0) } }),
    ).toEqual({ branch: true });
    expect(p.ownCheckRun("c1", "handover/guard")).toBeUndefined();
    done(scope);
  });

  it("a repository id GitHub cannot resolve (the repository recreated): read again, and the request sent once more", async () => {
    knowRepositoryId("acme", "config", "R_gone");
    knowDefaultBranch("acme", "config", "main");
    const missing = (field: string) =>
      refused("NOT_FOUND", field, "Could not resolve to a node with the global id of 'R_gone'");
    const scope = github(seen)
      .post("/graphql", { query: OPEN_STEP, variables: { ...baseVariables, repositoryId: "R_gone" } })
      .reply(200, {
        data: { createRef: null, createPullRequest: null },
        errors: [missing("createRef"), missing("createPullRequest")],
      })
      .get(R)
      .reply(200, { node_id: "R_repo", default_branch: "main" })
      .post("/graphql", { query: OPEN_STEP, variables: baseVariables })
      .reply(200, STEP_OPENED);
    expect(await openRelease()).toEqual({ branch: true, pull: expectedPull });
    expect(seen.matched).toEqual(["POST /graphql", `GET ${R}`, "POST /graphql"]);
    done(scope);
  });

  it.each([
    [502, { message: "Server Error" }],
    [403, { message: "You have exceeded a secondary rate limit" }],
  ])("an HTTP error (%i) is thrown: nothing is known to have happened", async (status, data) => {
    knownRepository();
    const scope = github(seen).post("/graphql").reply(status, data);
    await expect(port().openStep({ branch: pull.branch, sha: "c1", pull })).rejects.toMatchObject({ status });
    done(scope);
  });
});

describe("what a step's writes leave standing", () => {
  const branch = (name: string, sha: string) => ({
    name,
    commit: { sha, commit: { tree: { sha: `tree-${sha}` }, committer: { name: "GitHub" } }, parents: [] },
  });
  const merged = {
    number: 6,
    state: "closed",
    user: { login: "handover[bot]" },
    body: "<!-- handover:step issue=1 step=adopt-canary -->",
    merged_at: "2026-05-01T09:00:00Z",
    merge_commit_sha: "m6",
    created_at: "2026-05-01T08:00:00Z",
    head: { ref: "handover/1/adopt-canary", sha: "h6" },
    base: { ref: "main" },
  };
  const issue = { number: 1, title: "Migrate", body: "b", state: "open", user: { login: "alice" }, labels: [] };
  const pullsOf = (head: string) => ({ head: `acme:${head}`, state: "all", per_page: "100" });

  it("the step's commit, opening and label: the default branch and the PRs of the steps before answer again; the step's PRs and the issue are asked again", async () => {
    knownRepository();
    const scope = github(seen)
      .get(`${R}/branches/main`)
      .reply(200, branch("main", "main1"))
      .get(`${R}/pulls`)
      .query(pullsOf("handover/1/adopt-canary"))
      .reply(200, [merged])
      .get(`${R}/pulls`)
      .query(pullsOf(pull.branch))
      .reply(200, [])
      .get(`${R}/issues/1`)
      .reply(200, issue)
      .post(`${R}/git/trees`)
      .reply(201, { sha: "t1" })
      .post(`${R}/git/commits`)
      .reply(201, { sha: "c1", tree: { sha: "t1" } })
      .post("/graphql", { query: OPEN_STEP, variables: baseVariables })
      .reply(200, STEP_OPENED)
      .post(`${R}/issues/7/labels`, { labels: ["handover"] })
      .reply(200, [])
      .get(`${R}/issues/1`)
      .reply(200, issue);
    const p = port();
    const head = await p.defaultBranch();
    expect((await p.findPull("handover/1/adopt-canary"))?.number).toBe(6);
    expect(await p.findPull(pull.branch)).toBeUndefined();
    await p.getIssue(1);
    const sha = await p.createCommit(head.sha, [{ path: "a.yaml", action: "create", content: "a: 1\n" }], "Step");
    expect(await p.openStep({ branch: pull.branch, sha, pull })).toEqual({ branch: true, pull: expectedPull });
    await p.addLabels(7, ["handover"]);
    // Asked again in the same reconcile (its round after the writes): only the issue goes out.
    expect(await p.defaultBranch()).toEqual({ name: "main", sha: "main1" });
    expect((await p.findPull("handover/1/adopt-canary"))?.number).toBe(6);
    expect((await p.findPull(pull.branch))?.number).toBe(7);
    await p.getIssue(1);
    expect(seen.matched).toEqual([
      `GET ${R}/branches/main`,
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fadopt-canary&state=all&per_page=100`,
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Frelease-canary&state=all&per_page=100`,
      `GET ${R}/issues/1`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      "POST /graphql",
      `POST ${R}/issues/7/labels`,
      `GET ${R}/issues/1`,
    ]);
    done(scope);
  });

  it("any other write (a label on the migration issue) has every read asked again", async () => {
    knownRepository();
    const scope = github(seen)
      .get(`${R}/branches/main`)
      .reply(200, branch("main", "main1"))
      .post(`${R}/issues/1/labels`, { labels: ["handover:running"] })
      .reply(200, [])
      .get(`${R}/branches/main`)
      .reply(200, branch("main", "main2"));
    const p = port();
    expect((await p.defaultBranch()).sha).toBe("main1");
    await p.addLabels(1, ["handover:running"]);
    expect((await p.defaultBranch()).sha).toBe("main2");
    done(scope);
  });
});
