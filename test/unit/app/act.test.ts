// act, ensureDashboard, ensureLabel, sendFeedback through the real OctokitPort against nock: the exact writes, in
// order, and the idempotence rules of DESIGN.md section 6 (deterministic branches, "already exists" means found,
// commits made by people are never overwritten).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readDirTree } from "../../../src/cli/disk.js";
import { OPEN_STEP_CHECKED } from "../../../src/github/octokit.js";
import { checkTree } from "../../../src/invariant/index.js";
import type { GuardRun } from "../../../src/github/port.js";
import {
  act,
  ensureDashboard,
  ensureLabel,
  LABEL_SPECS,
  LearnedBeforeFailing,
  sendFeedback,
} from "../../../src/engine/act.js";
import type { Action, Decision, HiddenState } from "../../../src/engine/types.js";
import type { EngineDeps, Observed } from "../../../src/engine/observe.js";
import { emptyState, openedFor, readOpenedFor, stateSigner, withStateBlock } from "../../../src/engine/state.js";
import { COMMITTER, OctokitPort } from "../../../src/github/index.js";
import type { GateSummary, PlannedStep } from "../../../src/plan/index.js";
import { stepBranch, stepTitle } from "../../../src/spec/markers.js";
import { renderDashboard } from "../../../src/render/dashboard.js";
import { renderPrBody } from "../../../src/render/pr.js";
import type { FileChange } from "../../../src/repo/index.js";
import { github, octokit, useNock } from "../github/nock.js";

const seen = useNock();
const R = "/repos/acme/config";
const NOW = Date.parse("2026-05-04T12:00:00Z");
const MARKER = "<!-- handover:step issue=42 step=release-canary -->";

const gate = (cluster: string): GateSummary => ({
  cluster,
  checks: [{ deployment: cluster }],
  soak: "5m",
  timeout: "1h",
});

function step(id: string, kind: PlannedStep["kind"], summary: string, cluster: string): PlannedStep {
  return {
    id,
    kind,
    group: kind === "prepare" ? null : "canary",
    cluster,
    backends: [],
    branch: stepBranch(42, id),
    title: stepTitle(42, summary),
    summary,
    status: "planned",
    changes: [],
    gate: gate(cluster),
  };
}

const PREPARE = step("prepare", "prepare", "Prepare replicore-b for Replicante Core 0.3.5", "replicore-b");
const RELEASE = step("release-canary", "release", "Release canary (mongo) from replicore-a", "replicore-a");
const ADOPT = step("adopt-canary", "adopt", "Adopt canary (mongo) into replicore-b", "replicore-b");

const RELEASE_CHANGES: FileChange[] = [
  { path: "clusters/replicore-a/etc/replicante.yaml", action: "update", content: "discovery: []\n" },
  { path: "clusters/replicore-a/conf.d/mongo.yaml", action: "delete", content: null },
];
const PREPARE_CHANGES: FileChange[] = [
  { path: "clusters/replicore-b/kustomization.yaml", action: "create", content: "resources: []\n" },
];

const SIGN = stateSigner("webhook-secret", "acme/config#42");

function deps(): EngineDeps {
  return {
    port: new OctokitPort(octokit(), "acme", "config", "handover[bot]"),
    probe: async () => ({}),
    now: () => NOW,
    signer: (issue) => stateSigner("webhook-secret", `acme/config#${issue}`),
  };
}

function observed(labels: string[] = ["handover"]): Observed {
  return {
    issue: {
      number: 42,
      title: "Upgrade replicore-a",
      body: "",
      state: "open",
      labels,
      isPullRequest: false,
      author: "alice",
    },
    comments: [],
    dashboard: undefined,
    extraDashboards: [],
    rebuilt: false,
    recovered: new Map(),
    request: {
      source: "replicore-a",
      target: "replicore-b",
      version: "0.3.5",
      groups: [{ name: "canary", items: ["mongo"], line: 1 }],
      notesAcknowledged: true,
    },
    snapshot: {
      now: NOW,
      issue: 42,
      headSha: "base1",
      problems: [],
      steps: [PREPARE, RELEASE, ADOPT],
      views: new Map(),
      hidden: emptyState(),
    },
    permissions: { permission: "write", elevated: "maintain", approvers: [] },
    resyncMs: 300_000,
  };
}

const openRelease: Action = { kind: "open", step: RELEASE, changes: RELEASE_CHANGES, baseSha: "base1", previousPr: 7 };
const RELEASE_MESSAGE =
  "[handover #42] Release canary (mongo) from replicore-a\n\nStep release-canary of Handover migration #42.\nCommitter: Handover";
const RELEASE_TREE = {
  base_tree: "tree0",
  tree: [
    { path: "clusters/replicore-a/etc/replicante.yaml", mode: "100644", type: "blob", content: "discovery: []\n" },
    { path: "clusters/replicore-a/conf.d/mongo.yaml", mode: "100644", type: "blob", sha: null },
  ],
};
const releaseBody = renderPrBody({
  issue: 42,
  step: RELEASE,
  index: 1,
  total: 3,
  previousPr: 7,
  changes: RELEASE_CHANGES,
  version: "0.3.5",
});

function pullJson(number: number, s: PlannedStep, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number,
    state: "open",
    title: s.title,
    body: "",
    draft: s.kind === "prepare",
    merged_at: null,
    merge_commit_sha: null,
    mergeable: null,
    html_url: `https://github.com/acme/config/pull/${number}`,
    head: { ref: s.branch, sha: "c-new" },
    base: { ref: "main", sha: "base1" },
    user: { login: "handover[bot]" },
    ...patch,
  };
}

type Scope = ReturnType<typeof github>;

/** GET parent, POST tree, POST commit: the commit of a step on base1 (one parent, so a rebase merge takes it). */
function commit(scope: Scope, newSha: string, tree = RELEASE_TREE, message = RELEASE_MESSAGE): Scope {
  return written(
    scope.get(`${R}/git/commits/base1`).reply(200, {
      sha: "base1",
      tree: { sha: "tree0" },
      parents: [],
      committer: { name: "GitHub" },
      message: "seed",
    }),
    newSha,
    tree,
    message,
  );
}

/** The tree and commit writes of a step on base1, whose tree the process already knows. */
function written(scope: Scope, newSha: string, tree = RELEASE_TREE, message = RELEASE_MESSAGE): Scope {
  return scope
    .post(`${R}/git/trees`, tree)
    .reply(201, { sha: "tree1" })
    .post(`${R}/git/commits`, {
      message,
      tree: "tree1",
      parents: ["base1"],
      author: COMMITTER,
      committer: COMMITTER,
    })
    .reply(201, { sha: newSha });
}

/** A PR's base is the default branch: its name is read from the repository once per process, not its ref. */
function defaultBranch(scope: Scope): Scope {
  return scope.get(R).reply(200, { default_branch: "main" });
}

/** The PR body, with the exact fields beside it; recorded so a mismatch shows as a readable diff. */
function pullBody(bodies: unknown[], expected: Record<string, unknown>) {
  return (body: Record<string, unknown>): boolean => {
    bodies.push(body);
    return JSON.stringify(Object.keys(body).sort()) === JSON.stringify(Object.keys(expected).sort());
  };
}

const COMMIT_SEQUENCE = [`GET ${R}/git/commits/base1`, `POST ${R}/git/trees`, `POST ${R}/git/commits`];
const PULL_SEQUENCE = [`GET ${R}`, `POST ${R}/pulls`, `POST ${R}/issues/8/labels`];
/** The step branch was there: its PRs are read again before one is opened (another replica may have opened one). */
const BRANCH_PULLS = `GET ${R}/pulls?head=acme%3Ahandover%2F42%2Frelease-canary&state=all&per_page=100`;
const BRANCH_QUERY = { head: "acme:handover/42/release-canary", state: "all", per_page: "100" };

function done(scope: Scope): void {
  expect(seen.unmatched).toEqual([]);
  expect(scope.pendingMocks()).toEqual([]);
  expect(scope.isDone()).toBe(true);
}

describe("act: open", () => {
  it("commits, creates the branch, opens a ready PR with the rendered title and body, and labels it handover", async () => {
    const bodies: unknown[] = [];
    const expectedPull = {
      title: "[handover #42] Release canary (mongo) from replicore-a",
      head: "handover/42/release-canary",
      base: "main",
      body: releaseBody,
      draft: false,
    };
    const scope = defaultBranch(
      commit(github(seen), "c-new")
        .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/release-canary", sha: "c-new" })
        .reply(201, {}),
    )
      .post(`${R}/pulls`, pullBody(bodies, expectedPull))
      .reply(201, pullJson(8, RELEASE))
      .post(`${R}/issues/8/labels`, { labels: ["handover"] })
      .reply(200, [{ name: "handover" }]);
    await act(deps(), observed(), openRelease);
    expect(bodies).toEqual([expectedPull]);
    expect(
      releaseBody.startsWith(`${MARKER}\n**Handover step 2 of 3** for #42: Release canary (mongo) from replicore-a.`),
    ).toBe(true);
    expect(releaseBody).toContain("Previous step: #7");
    expect(releaseBody).toContain(
      "- update `clusters/replicore-a/etc/replicante.yaml`\n- delete `clusters/replicore-a/conf.d/mongo.yaml`",
    );
    expect(seen.matched).toEqual([...COMMIT_SEQUENCE, `POST ${R}/git/refs`, ...PULL_SEQUENCE]);
    done(scope);
  });

  it("opens the prepare step as a draft, its body saying what it prepares (signed)", async () => {
    const bodies: unknown[] = [];
    const prepared = { source: "replicore-a", target: "replicore-b", version: "0.3.5" };
    const body = renderPrBody({
      issue: 42,
      step: PREPARE,
      index: 0,
      total: 3,
      previousPr: null,
      changes: PREPARE_CHANGES,
      version: "0.3.5",
      openedFor: openedFor(prepared, SIGN),
    });
    const expectedPull = {
      title: "[handover #42] Prepare replicore-b for Replicante Core 0.3.5",
      head: "handover/42/prepare",
      base: "main",
      body,
      draft: true,
    };
    const tree = {
      base_tree: "tree0",
      tree: [
        { path: "clusters/replicore-b/kustomization.yaml", mode: "100644", type: "blob", content: "resources: []\n" },
      ],
    };
    const message =
      "[handover #42] Prepare replicore-b for Replicante Core 0.3.5\n\nStep prepare of Handover migration #42.\nCommitter: Handover";
    const scope = defaultBranch(
      commit(github(seen), "c-new", tree, message)
        .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/prepare", sha: "c-new" })
        .reply(201, {}),
    )
      .post(`${R}/pulls`, pullBody(bodies, expectedPull))
      .reply(201, pullJson(8, PREPARE))
      .post(`${R}/issues/8/labels`, { labels: ["handover"] })
      .reply(200, []);
    const outcome = await act(deps(), observed(), {
      kind: "open",
      step: PREPARE,
      changes: PREPARE_CHANGES,
      baseSha: "base1",
      previousPr: null,
    });
    // ... and the state records it too, for when a person rewrites the body.
    expect(outcome).toEqual({ step: "prepare", record: { opened: { pr: 8, ...prepared } } });
    expect(bodies).toEqual([expectedPull]);
    expect(body.split("\n").slice(0, 3)).toEqual([
      "<!-- handover:step issue=42 step=prepare -->",
      `<!-- handover:opened-for ${Buffer.from(JSON.stringify(prepared)).toString("base64")} ${SIGN(`opened-for\n${Buffer.from(JSON.stringify(prepared)).toString("base64")}`)} -->`,
      "**Handover step 1 of 3** for #42: Prepare replicore-b for Replicante Core 0.3.5.",
    ]);
    expect(readOpenedFor(body, SIGN)).toEqual(prepared);
    done(scope);
  });

  it.each([
    ["Handover's own commit on an older base", "c-old", "Handover", undefined],
    ["a person's commit the base already has (its PR merged): nothing of theirs is lost", "c-person", "Alice", "ahead"],
  ])("when the branch head is %s, moves it to the new commit (still at that head)", async (_, head, name, compare) => {
    let existing = commit(github(seen), "c-new")
      .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/release-canary", sha: "c-new" })
      .reply(422, { message: "Reference already exists" })
      .get(`${R}/pulls`)
      .query(BRANCH_QUERY)
      .reply(200, [])
      .get(`${R}/git/ref/heads/handover/42/release-canary`)
      .reply(200, { object: { sha: head } })
      .get(`${R}/git/commits/${head}`)
      .reply(200, {
        sha: head,
        tree: { sha: "tree-old" },
        parents: [{ sha: "base0" }],
        committer: { name, email: COMMITTER.email },
        message: "old",
      });
    if (compare) existing = existing.get(`${R}/compare/${head}...base1`).reply(200, { status: compare });
    const scope = defaultBranch(
      existing
        .get(`${R}/git/ref/heads/handover/42/release-canary`)
        .reply(200, { object: { sha: head } })
        .patch(`${R}/git/refs/heads/handover/42/release-canary`, { sha: "c-new", force: true })
        .reply(200, {}),
    )
      .post(`${R}/pulls`, { title: RELEASE.title, head: RELEASE.branch, base: "main", body: releaseBody, draft: false })
      .reply(201, pullJson(8, RELEASE))
      .post(`${R}/issues/8/labels`, { labels: ["handover"] })
      .reply(200, []);
    await act(deps(), observed(), openRelease);
    expect(seen.matched).toEqual([
      ...COMMIT_SEQUENCE,
      `POST ${R}/git/refs`,
      BRANCH_PULLS,
      `GET ${R}/git/ref/heads/handover/42/release-canary`,
      `GET ${R}/git/commits/${head}`,
      ...(compare ? [`GET ${R}/compare/${head}...base1`] : []),
      `GET ${R}/git/ref/heads/handover/42/release-canary`,
      `PATCH ${R}/git/refs/heads/handover/42/release-canary`,
      ...PULL_SEQUENCE,
    ]);
    done(scope);
  });

  it.each(["Alice", "GitHub"])(
    "when the branch head was committed by %s (a person, or the web editor) and the base lacks it, never moves it",
    async (committer) => {
      const scope = defaultBranch(
        commit(github(seen), "c-new")
          .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/release-canary", sha: "c-new" })
          .reply(422, { message: "Reference already exists" })
          .get(`${R}/pulls`)
          .query(BRANCH_QUERY)
          .reply(200, [])
          .get(`${R}/git/ref/heads/handover/42/release-canary`)
          .reply(200, { object: { sha: "c-person" } })
          .get(`${R}/git/commits/c-person`)
          .reply(200, {
            sha: "c-person",
            parents: [{ sha: "c-old" }],
            committer: { name: committer },
            message: "fix the mongo uri",
          })
          .get(`${R}/compare/c-person...base1`)
          .reply(200, { status: "diverged" }),
      )
        .post(`${R}/pulls`, {
          title: RELEASE.title,
          head: RELEASE.branch,
          base: "main",
          body: releaseBody,
          draft: false,
        })
        .reply(201, pullJson(8, RELEASE))
        .post(`${R}/issues/8/labels`, { labels: ["handover"] })
        .reply(200, []);
      await act(deps(), observed(), openRelease);
      expect(seen.matched.filter((r) => r.startsWith("PATCH"))).toEqual([]);
      expect(seen.matched).toEqual([
        ...COMMIT_SEQUENCE,
        `POST ${R}/git/refs`,
        BRANCH_PULLS,
        `GET ${R}/git/ref/heads/handover/42/release-canary`,
        `GET ${R}/git/commits/c-person`,
        `GET ${R}/compare/c-person...base1`,
        ...PULL_SEQUENCE,
      ]);
      done(scope);
    },
  );

  it("when the existing branch already points at the new commit, neither reads nor moves it", async () => {
    const scope = defaultBranch(
      commit(github(seen), "c-new")
        .post(`${R}/git/refs`)
        .reply(422, { message: "Reference already exists" })
        .get(`${R}/pulls`)
        .query(BRANCH_QUERY)
        .reply(200, [])
        .get(`${R}/git/ref/heads/handover/42/release-canary`)
        .reply(200, { object: { sha: "c-new" } }),
    )
      .post(`${R}/pulls`, { title: RELEASE.title, head: RELEASE.branch, base: "main", body: releaseBody, draft: false })
      .reply(201, pullJson(8, RELEASE))
      .post(`${R}/issues/8/labels`, { labels: ["handover"] })
      .reply(200, []);
    await act(deps(), observed(), openRelease);
    expect(seen.matched).toEqual([
      ...COMMIT_SEQUENCE,
      `POST ${R}/git/refs`,
      BRANCH_PULLS,
      `GET ${R}/git/ref/heads/handover/42/release-canary`,
      ...PULL_SEQUENCE,
    ]);
    done(scope);
  });

  it("a POST /pulls that answers 502 after GitHub created the PR: act throws; the next act finds that PR and opens no other", async () => {
    const first = defaultBranch(
      commit(github(seen), "c-1")
        .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/release-canary", sha: "c-1" })
        .reply(201, {}),
    )
      .post(`${R}/pulls`)
      .reply(502, { message: "Server Error" });
    await expect(act(deps(), observed(), openRelease)).rejects.toMatchObject({ status: 502 });
    expect(seen.matched).toEqual([...COMMIT_SEQUENCE, `POST ${R}/git/refs`, `GET ${R}`, `POST ${R}/pulls`]);
    done(first);

    // The next reconcile: a new port (as the App builds one per reconcile), the same action. The branch was there, so
    // its PRs are read again before one is opened: the one GitHub took is found, labelled, and no other is asked for.
    // The default branch's name is known from the first act.
    seen.matched.length = 0;
    const second = written(github(seen), "c-2")
      .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/release-canary", sha: "c-2" })
      .reply(422, { message: "Reference already exists" })
      .get(`${R}/pulls`)
      .query(BRANCH_QUERY)
      .reply(200, [pullJson(8, RELEASE)])
      .get(`${R}/pulls/8`)
      .reply(200, pullJson(8, RELEASE, { mergeable: true }))
      .post(`${R}/issues/8/labels`, { labels: ["handover"] })
      .reply(200, []);
    await act(deps(), observed(), openRelease);
    expect(seen.matched).toEqual([
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/refs`,
      BRANCH_PULLS,
      `GET ${R}/pulls/8`,
      `POST ${R}/issues/8/labels`,
    ]);
    done(second);
  });
});

describe("act: open on a branch whose PR was opened since observe looked", () => {
  it.each([
    ["merged at once by another replica (auto-merge with nothing to wait for)", { merged: true }],
    ["opened by a person", { user: "mallory" }],
  ])("%s: nothing more is written; the next round sees it", async (_name, how) => {
    const pr = pullJson(9, RELEASE, {
      ...("merged" in how ? { state: "closed", merged_at: "2026-05-04T12:00:00Z", merge_commit_sha: "m-9" } : {}),
      ...("user" in how ? { user: { login: how.user } } : {}),
    });
    const listed = commit(github(seen), "c-new")
      .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/release-canary", sha: "c-new" })
      .reply(422, { message: "Reference already exists" })
      .get(`${R}/pulls`)
      .query(BRANCH_QUERY)
      .reply(200, [pr]);
    // An open PR is read on its own (for its mergeability), as findPull always does.
    const scope = "user" in how ? listed.get(`${R}/pulls/9`).reply(200, pr) : listed;
    expect(await act(deps(), observed(), openRelease)).toBeUndefined();
    expect(seen.matched).toEqual([
      ...COMMIT_SEQUENCE,
      `POST ${R}/git/refs`,
      BRANCH_PULLS,
      ...("user" in how ? [`GET ${R}/pulls/9`] : []),
    ]);
    done(scope);
  });
});

describe("act: open when observe saw no branch of the step's name", () => {
  const MONGO = "clusters/replicore-a/conf.d/mongo.yaml";
  const edited = `${readFileSync(`examples/config-repo/${MONGO}`, "utf8")}# reviewed\n`;
  const changes: FileChange[] = [{ path: MONGO, action: "update", content: edited }];
  const tree = { base_tree: "tree0", tree: [{ path: MONGO, mode: "100644", type: "blob", content: edited }] };
  const issuesList = (numbers: number[]) =>
    numbers.map((number) => ({ number, labels: [{ name: "handover" }], user: { login: "alice" } }));

  async function withTrees(): Promise<{ o: Observed; base: Map<string, string>; after: Map<string, string> }> {
    const base = await readDirTree("examples/config-repo");
    const after = new Map(base);
    after.set(MONGO, edited);
    const o = observed();
    const trees = { base, step: after, violations: checkTree(after) };
    o.snapshot.views.set("release-canary", { step: RELEASE, changes, trees, branchFree: true });
    return { o, base, after };
  }

  /** The GraphQL request that opens the step, its check run carrying `run`. */
  const openStepBody = (run: GuardRun) => ({
    query: OPEN_STEP_CHECKED,
    variables: {
      repositoryId: "R_config",
      ref: "refs/heads/handover/42/release-canary",
      oid: "c-new",
      base: "main",
      head: "handover/42/release-canary",
      title: RELEASE.title,
      body: renderPrBody({ issue: 42, step: RELEASE, index: 1, total: 3, previousPr: 7, changes, version: "0.3.5" }),
      draft: false,
      check: {
        repositoryId: "R_config",
        headSha: "c-new",
        name: "handover/guard",
        status: "COMPLETED",
        conclusion: run.conclusion.toUpperCase(),
        output: {
          title: run.output.title,
          summary: run.output.summary,
          annotations: run.output.annotations.map((a) => ({
            path: a.path,
            location: { startLine: a.start_line, endLine: a.end_line },
            annotationLevel: "FAILURE",
            message: a.message,
          })),
        },
      },
    },
  });
  const opened = {
    data: {
      createRef: { ref: { name: "handover/42/release-canary" } },
      createPullRequest: {
        pullRequest: {
          id: "PR_8",
          number: 8,
          url: "https://github.com/acme/config/pull/8",
          isDraft: false,
          headRefOid: "c-new",
        },
      },
      createCheckRun: { checkRun: { id: "CR_1" } },
    },
  };

  it("alone: branch, PR and the guard's passing verdict in one request, then the label; only the open issues are read", async () => {
    const { o } = await withTrees();
    const run: GuardRun = {
      conclusion: "success",
      output: {
        title: "No two Replicante Core clusters share a datastore",
        summary: "The invariant holds on this PR's tree.",
        annotations: [],
      },
    };
    const scope = commit(github(seen), "c-new", tree)
      .get(`${R}/issues`)
      .query({ labels: "handover", state: "open", per_page: "100", page: "1" })
      .reply(200, issuesList([42]))
      .get(R)
      .reply(200, { node_id: "R_config", default_branch: "main" })
      .post("/graphql", openStepBody(run))
      .reply(200, opened)
      .post(`${R}/issues/8/labels`, { labels: ["handover"] })
      .reply(200, [{ name: "handover" }]);
    await act(deps(), o, { ...openRelease, changes, branchFree: true });
    expect(seen.matched).toEqual([
      ...COMMIT_SEQUENCE,
      `GET ${R}/issues?labels=handover&state=open&per_page=100&page=1`,
      `GET ${R}`,
      "POST /graphql",
      `POST ${R}/issues/8/labels`,
    ]);
    done(scope);
  });

  it("a revert, opened over REST: the guard's verdict goes on its commit before its PR opens, so no lost webhook holds it", async () => {
    const { o } = await withTrees();
    const revert = step("rollback-release-canary-1", "release", "Roll back release-canary", "replicore-a");
    const trees = o.snapshot.views.get("release-canary")?.trees;
    o.snapshot.views.delete("release-canary");
    o.snapshot.rollback = { of: RELEASE, view: { step: revert, changes, ...(trees ? { trees } : {}) } };
    const message = `${revert.title}\n\nStep ${revert.id} of Handover migration #42.\nCommitter: Handover`;
    const body = renderPrBody({
      issue: 42,
      step: revert,
      index: 0,
      total: 3,
      previousPr: 7,
      changes,
      version: "0.3.5",
      rollbackOf: "release-canary",
    });
    const scope = commit(github(seen), "c-rb", tree, message)
      .post(`${R}/git/refs`, { ref: "refs/heads/handover/42/rollback-release-canary-1", sha: "c-rb" })
      .reply(201, {})
      .get(`${R}/issues`)
      .query({ labels: "handover", state: "open", per_page: "100", page: "1" })
      .reply(200, issuesList([42]))
      .post(`${R}/check-runs`, {
        name: "handover/guard",
        head_sha: "c-rb",
        status: "completed",
        conclusion: "success",
        output: {
          title: "No two Replicante Core clusters share a datastore",
          summary: "The invariant holds on this PR's tree.",
          annotations: [],
        },
      })
      .reply(201, {})
      .get(R)
      .reply(200, { node_id: "R_config", default_branch: "main" })
      .post(`${R}/pulls`, { title: revert.title, head: revert.branch, base: "main", body, draft: false })
      .reply(201, pullJson(9, revert))
      .post(`${R}/issues/9/labels`, { labels: ["handover"] })
      .reply(200, [{ name: "handover" }]);
    await act(deps(), o, {
      kind: "open",
      step: revert,
      changes,
      baseSha: "base1",
      previousPr: 7,
      rollbackOf: "release-canary",
    });
    expect(seen.matched).toEqual([
      ...COMMIT_SEQUENCE,
      `POST ${R}/git/refs`,
      `GET ${R}/issues?labels=handover&state=open&per_page=100&page=1`,
      `POST ${R}/check-runs`,
      `GET ${R}`,
      `POST ${R}/pulls`,
      `POST ${R}/issues/9/labels`,
    ]);
    done(scope);
  });

  it("another migration holds replicore-a: the verdict fails the PR as the guard would, naming that migration", async () => {
    const { o } = await withTrees();
    const other = readFileSync("examples/issue.md", "utf8");
    let sent: GuardRun | undefined;
    const scope = commit(github(seen), "c-new", tree)
      .get(`${R}/issues`)
      .query(true)
      .reply(200, issuesList([42, 50]))
      .get(`${R}/issues/50`)
      .reply(200, { number: 50, title: "Another", body: other, state: "open", labels: [], user: { login: "bob" } })
      .get(`${R}/collaborators/bob/permission`)
      .reply(200, { permission: "write", role_name: "write" })
      .get(R)
      .reply(200, { node_id: "R_config", default_branch: "main" })
      .post("/graphql", (body: { variables: { check: { conclusion: string; output: GuardRun["output"] } } }) => {
        const check = body.variables.check;
        sent = { conclusion: check.conclusion === "FAILURE" ? "failure" : "success", output: check.output };
        return true;
      })
      .reply(200, opened)
      .post(`${R}/issues/8/labels`)
      .reply(200, [{ name: "handover" }]);
    await act(deps(), o, { ...openRelease, changes, branchFree: true });
    expect(sent?.conclusion).toBe("failure");
    expect(sent?.output.title).toBe("Touches a cluster locked by migration #50");
    expect(sent?.output.summary).toBe(
      `- **locked**: \`${MONGO}\` is discovery of replicore-a, which migration #50 is moving; change it through that migration, or after it is done`,
    );
    expect(seen.matched.slice(3, 6)).toEqual([
      `GET ${R}/issues?labels=handover&state=open&per_page=100&page=1`,
      `GET ${R}/issues/50`,
      `GET ${R}/collaborators/bob/permission`,
    ]);
    done(scope);
  });
});

describe("act: refresh", () => {
  const refresh: Action = {
    kind: "refresh",
    step: RELEASE,
    pr: 8,
    headSha: "c-old",
    changes: RELEASE_CHANGES,
    baseSha: "base1",
  };
  const message =
    "[handover #42] Release canary (mongo) from replicore-a\n\nStep release-canary of Handover migration #42, re-planned on the moved default branch.\nCommitter: Handover";

  it("re-commits the step as one commit on the new base (no merge commit: rebase merges refuse them) and moves the branch", async () => {
    const scope = commit(github(seen), "c-new", RELEASE_TREE, message)
      .get(`${R}/git/ref/heads/handover/42/release-canary`)
      .reply(200, { object: { sha: "c-old" } })
      .patch(`${R}/git/refs/heads/handover/42/release-canary`, { sha: "c-new", force: true })
      .reply(200, {});
    await act(deps(), observed(), refresh);
    expect(seen.matched).toEqual([
      ...COMMIT_SEQUENCE,
      `GET ${R}/git/ref/heads/handover/42/release-canary`,
      `PATCH ${R}/git/refs/heads/handover/42/release-canary`,
    ]);
    done(scope);
  });

  it("a person's push after the observation: the head is not the observed one, so the branch is not moved and nothing is lost", async () => {
    const scope = commit(github(seen), "c-new", RELEASE_TREE, message)
      .get(`${R}/git/ref/heads/handover/42/release-canary`)
      .reply(200, { object: { sha: "c-person" } });
    await act(deps(), observed(), refresh);
    expect(seen.matched).toEqual([...COMMIT_SEQUENCE, `GET ${R}/git/ref/heads/handover/42/release-canary`]);
    done(scope);
  });
});

describe("act: close and reopen", () => {
  const ABORTED = { kind: "aborted", by: "alice", reason: "wrong target" } as const;
  const comment =
    "Closed by Handover: @alice aborted the migration (#42): wrong target.\nThe step branch is deleted; nothing else will be opened.";
  const ROLLING_BACK = { kind: "rolling-back", by: "maya", step: "prepare" } as const;
  const rolling =
    "Closed by Handover: @maya is rolling back prepare (#42). This step opens again after `/handover resume`.";

  const restore =
    "Closed by Handover: @alice aborted the migration (#42): wrong target.\nThe step branch is deleted; its newest commit is a person's, and **Restore branch** on this PR brings the branch back with every commit; nothing else will be opened.";
  it.each([
    ["comments on the PR, closes it, then deletes its branch", false, comment, 204],
    ["still succeeds when the branch is already gone", false, comment, 422],
    ["of a PR whose head is a person's commit says how to restore the branch, then deletes it", true, restore, 204],
  ])("close %s", async (_name, peopleCommits, body, deleted) => {
    const scope = github(seen)
      .post(`${R}/issues/8/comments`, { body })
      .reply(201, { id: 900 })
      .patch(`${R}/pulls/8`, { state: "closed" })
      .reply(200, pullJson(8, RELEASE, { state: "closed" }))
      .delete(`${R}/git/refs/heads/handover/42/release-canary`)
      .reply(deleted, deleted === 422 ? { message: "Reference does not exist" } : undefined);
    await act(deps(), observed(), {
      kind: "close",
      step: RELEASE,
      pr: 8,
      why: ABORTED,
      ...(peopleCommits ? { peopleCommits } : {}),
    });
    expect(seen.matched).toEqual([
      `POST ${R}/issues/8/comments`,
      `PATCH ${R}/pulls/8`,
      `DELETE ${R}/git/refs/heads/handover/42/release-canary`,
    ]);
    done(scope);
  });

  it("close of a PR merged meanwhile (a person merged it first): its merge is recorded, the rest of the round waits, its branch stays", async () => {
    const merged = { state: "closed", merged: true, merged_at: "2026-01-01T00:10:00Z", merge_commit_sha: "m-8" };
    const scope = github(seen)
      .post(`${R}/issues/8/comments`, { body: rolling })
      .reply(201, { id: 900 })
      .patch(`${R}/pulls/8`, { state: "closed" })
      .reply(200, pullJson(8, RELEASE, merged));
    const outcome = await act(deps(), observed(), { kind: "close", step: RELEASE, pr: 8, why: ROLLING_BACK });
    expect(outcome).toStrictEqual({
      step: "release-canary",
      record: { pr: 8, mergeSha: "m-8", mergedAt: Date.parse("2026-01-01T00:10:00Z") },
      interrupts: true,
    });
    expect(seen.matched).toEqual([`POST ${R}/issues/8/comments`, `PATCH ${R}/pulls/8`]);
    done(scope);
  });

  it.each([
    ["the head it was closed with, Handover's commit: deleted", "c-closed", "Handover", true],
    ["a person's commit pushed since: kept", "c-person", "dana", false],
    ["the head it was closed with, a person's commit: kept", "c-closed", "dana", false],
  ])("delete-branch of a step branch left behind: %s", async (_, head, committer, deleted) => {
    let scope = github(seen)
      .get(`${R}/git/ref/heads/handover/42/release-canary`)
      .reply(200, { object: { sha: head } });
    if (head === "c-closed")
      scope = scope.get(`${R}/git/commits/c-closed`).reply(200, {
        sha: "c-closed",
        tree: { sha: "t" },
        parents: [{ sha: "base0" }],
        committer: { name: committer },
        message: "m",
      });
    if (deleted) scope = scope.delete(`${R}/git/refs/heads/handover/42/release-canary`).reply(204);
    await act(deps(), observed(), { kind: "delete-branch", step: RELEASE, headSha: "c-closed" });
    expect(seen.matched).toEqual([
      `GET ${R}/git/ref/heads/handover/42/release-canary`,
      ...(head === "c-closed" ? [`GET ${R}/git/commits/c-closed`] : []),
      ...(deleted ? [`DELETE ${R}/git/refs/heads/handover/42/release-canary`] : []),
    ]);
    done(scope);
  });

  it("reopen PATCHes the state only", async () => {
    const scope = github(seen).patch(`${R}/pulls/8`, { state: "open" }).reply(200, {});
    expect(await act(deps(), observed(), { kind: "reopen", step: RELEASE, pr: 8 })).toBeUndefined();
    done(scope);
  });

  it("a reopen GitHub refuses because another PR is open for the branch (opened since the round looked) interrupts the round; any other refusal fails it", async () => {
    const refusal = (message: string) => ({
      message: "Validation Failed",
      errors: [{ resource: "PullRequest", code: "custom", message }],
      documentation_url: "https://docs.github.com/rest/pulls/pulls#update-a-pull-request",
    });
    const scope = github(seen)
      .patch(`${R}/pulls/8`, { state: "open" })
      .reply(422, refusal("A pull request already exists for acme:handover/42/release-canary."))
      .patch(`${R}/pulls/8`, { state: "open" })
      .reply(422, refusal("state cannot be changed. The handover/42/release-canary branch has been deleted."));
    expect(await act(deps(), observed(), { kind: "reopen", step: RELEASE, pr: 8 })).toEqual({
      step: RELEASE.id,
      record: {},
      interrupts: true,
    });
    await expect(act(deps(), observed(), { kind: "reopen", step: RELEASE, pr: 8 })).rejects.toMatchObject({
      status: 422,
    });
    done(scope);
  });
});

describe("act: automerge (GraphQL enablePullRequestAutoMerge)", () => {
  const MUTATION = `mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;
  const action = { kind: "automerge", step: RELEASE, pr: 8, nodeId: "PR_kwDO8", headSha: "c-new" } as const;
  const repo = (patch: Record<string, unknown>) => ({
    default_branch: "main",
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: true,
    ...patch,
  });
  const refusal = (message: string) => ({
    data: { enablePullRequestAutoMerge: null },
    errors: [{ type: "UNPROCESSABLE", path: ["enablePullRequestAutoMerge"], message }],
  });

  it("asks with the PR's node id and the first method the repo allows; the state remembers it", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, repo({ allow_merge_commit: false }))
      .post("/graphql", { query: MUTATION, variables: { pullRequestId: "PR_kwDO8", mergeMethod: "SQUASH" } })
      .reply(200, { data: { enablePullRequestAutoMerge: { pullRequest: { number: 8 } } } });
    expect(await act(deps(), observed(), action)).toStrictEqual({
      step: "release-canary",
      record: { autoMerge: { pr: 8, at: NOW, method: "squash" } },
    });
    expect(seen.matched).toEqual([`GET ${R}`, "POST /graphql"]);
    done(scope);
  });

  it("a repo answer without the allow_* fields (a token that cannot administer it): asked, with a merge commit", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, { default_branch: "main" })
      .post("/graphql", { query: MUTATION, variables: { pullRequestId: "PR_kwDO8", mergeMethod: "MERGE" } })
      .reply(200, refusal("Auto merge is not allowed for this repository"));
    expect(await act(deps(), observed(), action)).toStrictEqual({
      step: "release-canary",
      record: {
        autoMerge: { pr: 8, at: NOW, refused: "GitHub refused: Auto merge is not allowed for this repository" },
      },
    });
    done(scope);
  });

  it("a repo that does not allow auto-merge is not asked: the reason is kept for the dashboard", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, repo({ allow_auto_merge: false }));
    expect(await act(deps(), observed(), action)).toStrictEqual({
      step: "release-canary",
      record: {
        autoMerge: {
          pr: 8,
          at: NOW,
          refused: "the repository does not allow auto-merge (Settings → General → Pull Requests → Allow auto-merge)",
        },
      },
    });
    done(scope);
  });

  it("GitHub refuses: its message is kept, nothing is retried", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, repo({}))
      .post("/graphql")
      .reply(200, refusal("Pull request Pull request is in unstable status"));
    expect(await act(deps(), observed(), action)).toStrictEqual({
      step: "release-canary",
      record: {
        autoMerge: { pr: 8, at: NOW, refused: "GitHub refused: Pull request Pull request is in unstable status" },
      },
    });
    done(scope);
  });

  /** The repo's settings read, and GitHub refusing auto-merge on a clean PR: what comes before Handover merges it. */
  const refusedClean = () =>
    github(seen)
      .get(R)
      .reply(200, repo({}))
      .post("/graphql")
      .reply(200, refusal("Pull request Pull request is in clean status"));

  it("clean (nothing left to wait for, so GitHub refuses auto-merge): merged now, at the head decide saw", async () => {
    const scope = refusedClean()
      .put(`${R}/pulls/8/merge`, { sha: "c-new", merge_method: "merge" })
      .reply(200, { merged: true, sha: "m1" });
    expect(await act(deps(), observed(), action)).toStrictEqual({
      step: "release-canary",
      record: { autoMerge: { pr: 8, at: NOW, method: "merge", clean: true, merged: true } },
    });
    expect(seen.matched).toEqual([`GET ${R}`, "POST /graphql", `PUT ${R}/pulls/8/merge`]);
    done(scope);
  });

  it("clean, and the merge fails (5xx): GitHub's answer goes with the failure, so the reconcile keeps it", async () => {
    const scope = refusedClean()
      .put(`${R}/pulls/8/merge`, { sha: "c-new", merge_method: "merge" })
      .reply(502, { message: "Server Error" });
    const failed = await act(deps(), observed(), action).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(LearnedBeforeFailing);
    expect((failed as LearnedBeforeFailing).outcome).toStrictEqual({
      step: "release-canary",
      record: { autoMerge: { pr: 8, at: NOW, method: "merge", clean: true } },
    });
    expect((failed as LearnedBeforeFailing).cause).toMatchObject({ status: 502 });
    done(scope);
  });

  /** What the state keeps when GitHub refused auto-merge on the clean PR, then what Handover did instead. */
  const refusedAfterClean = (merge: string) => ({
    step: "release-canary",
    record: {
      autoMerge: {
        pr: 8,
        at: NOW,
        method: "merge",
        clean: true,
        refused: `GitHub refused auto-merge (Pull request Pull request is in clean status) and the merge: ${merge}`,
      },
    },
  });

  /** GitHub's REST refusal of a direct merge into a branch that requires a merge queue. */
  const THROUGH_QUEUE = { message: "Changes must be made through the merge queue" };
  const ENQUEUE = `mutation EnqueuePull($pullRequestId: ID!, $expectedHeadOid: GitObjectID!) {
  enqueuePullRequest(input: {pullRequestId: $pullRequestId, expectedHeadOid: $expectedHeadOid}) {
    mergeQueueEntry { position }
  }
}`;

  it("clean, and the default branch takes no direct merge: added to the merge queue at the head decide saw", async () => {
    const scope = refusedClean()
      .put(`${R}/pulls/8/merge`, { sha: "c-new", merge_method: "merge" })
      .reply(405, THROUGH_QUEUE)
      .post("/graphql", { query: ENQUEUE, variables: { pullRequestId: "PR_kwDO8", expectedHeadOid: "c-new" } })
      .reply(200, { data: { enqueuePullRequest: { mergeQueueEntry: { position: 1 } } } });
    expect(await act(deps(), observed(), action)).toStrictEqual({
      step: "release-canary",
      record: { autoMerge: { pr: 8, at: NOW, method: "merge", clean: true, queued: "c-new" } },
    });
    expect(seen.matched).toEqual([`GET ${R}`, "POST /graphql", `PUT ${R}/pulls/8/merge`, "POST /graphql"]);
    done(scope);
  });

  it("the queue refuses too: both refusals kept for the dashboard", async () => {
    const scope = refusedClean()
      .put(`${R}/pulls/8/merge`)
      .reply(405, THROUGH_QUEUE)
      .post("/graphql")
      .reply(200, {
        data: { enqueuePullRequest: null },
        errors: [{ type: "UNPROCESSABLE", path: ["enqueuePullRequest"], message: "Pull Request is not mergeable" }],
      });
    expect(await act(deps(), observed(), action)).toStrictEqual(
      refusedAfterClean(
        "Changes must be made through the merge queue; and adding it to the merge queue: Pull Request is not mergeable",
      ),
    );
    done(scope);
  });

  it("clean, but the head moved meanwhile (409): nothing merged, the reason kept", async () => {
    const scope = refusedClean()
      .put(`${R}/pulls/8/merge`)
      .reply(409, { message: "Head branch was modified. Review and try the merge again." });
    expect(await act(deps(), observed(), action)).toStrictEqual(
      refusedAfterClean("Head branch was modified. Review and try the merge again."),
    );
    done(scope);
  });
});

describe("act: merge a step PR GitHub called clean", () => {
  const merge: Action = { kind: "merge", step: RELEASE, pr: 8, headSha: "c-new", method: "squash" };
  const asked = (): Observed => {
    const o = observed();
    o.snapshot.hidden = {
      ...o.snapshot.hidden,
      steps: { "release-canary": { autoMerge: { pr: 8, at: NOW - 60_000, method: "squash", clean: true } } },
    };
    return o;
  };

  it("merges at the head decide saw with the method kept, and records it merged", async () => {
    const scope = github(seen)
      .put(`${R}/pulls/8/merge`, { sha: "c-new", merge_method: "squash" })
      .reply(200, { merged: true, sha: "m1" });
    expect(await act(deps(), asked(), merge)).toStrictEqual({
      step: "release-canary",
      record: { autoMerge: { pr: 8, at: NOW - 60_000, method: "squash", clean: true, merged: true } },
    });
    expect(seen.matched).toEqual([`PUT ${R}/pulls/8/merge`]);
    done(scope);
  });

  it("the head moved meanwhile (409): nothing merged, GitHub's reason kept for the dashboard", async () => {
    const scope = github(seen)
      .put(`${R}/pulls/8/merge`)
      .reply(409, { message: "Head branch was modified. Review and try the merge again." });
    expect(await act(deps(), asked(), merge)).toStrictEqual({
      step: "release-canary",
      record: {
        autoMerge: {
          pr: 8,
          at: NOW - 60_000,
          method: "squash",
          clean: true,
          refused:
            "GitHub refused auto-merge (nothing left to wait for) and the merge: Head branch was modified. Review and try the merge again.",
        },
      },
    });
    done(scope);
  });

  it("GitHub called it clean before being asked: the first method the repo allows, read from its settings", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, {
        default_branch: "main",
        allow_merge_commit: false,
        allow_squash_merge: true,
        allow_rebase_merge: true,
        allow_auto_merge: true,
      })
      .put(`${R}/pulls/8/merge`, { sha: "c-new", merge_method: "squash" })
      .reply(200, { merged: true, sha: "m1" });
    const { method: _, ...unasked } = merge as Extract<Action, { kind: "merge" }>;
    expect(await act(deps(), observed(), unasked)).toStrictEqual({
      step: "release-canary",
      record: { autoMerge: { pr: 8, at: NOW, method: "squash", clean: true, merged: true } },
    });
    expect(seen.matched).toEqual([`GET ${R}`, `PUT ${R}/pulls/8/merge`]);
    done(scope);
  });

  it("a 5xx is thrown: nothing is recorded; the next reconcile reads the PR clean and merges without asking GitHub", async () => {
    const scope = github(seen).put(`${R}/pulls/8/merge`).reply(502, { message: "Server Error" });
    await expect(act(deps(), asked(), merge)).rejects.toMatchObject({ status: 502 });
    done(scope);
  });
});

const issueJson = (labels: string[]) => ({
  number: 42,
  title: "Upgrade replicore-a",
  body: "",
  state: "open",
  labels: labels.map((name) => ({ name })),
  user: { login: "alice" },
});

describe("ensureLabel", () => {
  it("a change of status label is one PUT of the fresh set: stale handover:* labels go, a person's labels stay", async () => {
    const scope = github(seen)
      .get(`${R}/labels`)
      .query(true)
      .reply(
        200,
        LABEL_SPECS.map((l) => ({ name: l.name })),
      )
      // a person added `freeze` since the observation: the fresh read keeps it
      .get(`${R}/issues/42`)
      .reply(200, issueJson(["handover", "handover:running", "bug", "handover:failed", "freeze"]))
      .put(`${R}/issues/42/labels`, { labels: ["handover", "bug", "freeze", "handover:waiting"] })
      .reply(200, []);
    const o = observed(["handover", "handover:running", "bug", "handover:failed"]);
    await ensureLabel(deps(), o, "handover:waiting");
    expect(seen.matched).toEqual([
      `GET ${R}/labels?per_page=100&page=1`,
      `GET ${R}/issues/42`,
      `PUT ${R}/issues/42/labels`,
    ]);
    // the observation is not changed: the next reconcile reads the labels again
    expect(o.issue.labels).toEqual(["handover", "handover:running", "bug", "handover:failed"]);
    done(scope);
  });

  it("no write when the fresh read shows the labels already right (another replica set them)", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, issueJson(["handover", "handover:waiting"]));
    await ensureLabel(deps(), observed(["handover", "handover:running", "handover:waiting"]), "handover:waiting");
    expect(seen.matched).toEqual([`GET ${R}/issues/42`]);
    done(scope);
  });

  it("an issue taken by its form's shape gets the migration label too, in one POST; only the labels it needs are created", async () => {
    const created: unknown[] = [];
    const scope = github(seen)
      .get(`${R}/labels`)
      .query(true)
      .reply(200, [{ name: "bug" }])
      .post(`${R}/labels`, (body) => created.push(body) > 0)
      .times(2)
      .reply(201, {})
      .post(`${R}/issues/42/labels`, { labels: ["handover", "handover:running"] })
      .reply(200, []);
    const o = observed(["bug"]);
    await ensureLabel(deps(), o, "handover:running");
    expect(created).toEqual([
      { name: "handover", color: "1d76db", description: "A Replicante Core migration run by Handover" },
      { name: "handover:running", color: "0e8a16", description: "Handover migration state: running" },
    ]);
    expect(seen.matched).toEqual([
      `GET ${R}/labels?per_page=100&page=1`,
      `POST ${R}/labels`,
      `POST ${R}/labels`,
      `POST ${R}/issues/42/labels`,
    ]);
    done(scope);
  });

  it("label names compare case-insensitively: Handover and HANDOVER:RUNNING count, the stale one goes in a PUT", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, issueJson(["Handover", "HANDOVER:RUNNING", "Handover:Failed"]))
      .put(`${R}/issues/42/labels`, { labels: ["Handover", "HANDOVER:RUNNING"] })
      .reply(200, []);
    const o = observed(["Handover", "HANDOVER:RUNNING", "Handover:Failed"]);
    await ensureLabel(deps(), o, "handover:running");
    expect(seen.matched).toEqual([`GET ${R}/issues/42`, `PUT ${R}/issues/42/labels`]);
    done(scope);
  });

  it("makes no request when the label is already the only status label", async () => {
    await ensureLabel(deps(), observed(["handover", "handover:done"]), "handover:done");
    expect(seen.matched).toEqual([]);
    expect(seen.unmatched).toEqual([]);
  });
});

describe("ensureDashboard", () => {
  const decision: Decision = {
    hidden: emptyState(),
    actions: [],
    again: false,
    phase: {
      label: "handover:running",
      current: "release-canary",
      reason: { kind: "opening" },
    },
  };
  const bot = { author: "handover[bot]", authorIsBot: true, createdAt: NOW - 60_000, edited: false };
  /** The dashboard comment the engine writes: the rendered text, then its state block. */
  const dashboardOf = (o: Observed, hidden: HiddenState) =>
    withStateBlock(renderDashboard(o.snapshot, decision.phase, hidden), hidden, SIGN);

  it("makes no request when the body is unchanged", async () => {
    const o = observed();
    o.dashboard = { id: 500, body: dashboardOf(o, decision.hidden), ...bot };
    expect(await ensureDashboard(deps(), o, decision)).toBe(o.dashboard);
    expect(seen.matched).toEqual([]);
    expect(seen.unmatched).toEqual([]);
  });

  it("PATCHes the comment with the new body when it changed", async () => {
    const o = observed();
    const body = dashboardOf(o, decision.hidden);
    const scope = github(seen).patch(`${R}/issues/comments/500`, { body }).reply(200, {});
    o.dashboard = { id: 500, body: "<!-- handover:dashboard -->\nold", ...bot };
    expect(await ensureDashboard(deps(), o, decision)).toEqual({ id: 500, body, ...bot });
    expect(o.dashboard).toEqual({ id: 500, body: "<!-- handover:dashboard -->\nold", ...bot });
    done(scope);
  });

  it("keeps the commands a racing replica recorded since the dashboard was read (handled ids and audit merged)", async () => {
    const o = observed();
    const read = dashboardOf(o, emptyState());
    o.dashboard = { id: 500, body: read, ...bot };
    const ours = { at: NOW, user: "alice", command: "/handover pause", result: "applied" as const, note: "paused" };
    const theirs = {
      at: NOW - 1000,
      user: "bob",
      command: "/handover status",
      result: "applied" as const,
      note: "status shown",
    };
    const mine: Decision = {
      ...decision,
      hidden: { ...emptyState(), handled: [71], audit: [ours], paused: { by: "alice", at: NOW } },
    };
    const racing = dashboardOf(o, { ...emptyState(), handled: [70], audit: [theirs] });
    const merged = { ...mine.hidden, handled: [70, 71], audit: [theirs, ours] };
    const scope = github(seen)
      .get(`${R}/issues/42/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [
        {
          id: 500,
          body: racing,
          user: { login: "handover[bot]", type: "Bot" },
          created_at: "2026-05-04T11:00:00Z",
          updated_at: "2026-05-04T11:59:00Z",
        },
      ])
      .patch(`${R}/issues/comments/500`, { body: dashboardOf(o, merged) })
      .reply(200, {});
    await ensureDashboard(deps(), o, mine);
    done(scope);
  });

  it("creates the dashboard when there is none, and deletes the extra ones a racing replica wrote", async () => {
    const o = observed();
    const body = dashboardOf(o, decision.hidden);
    expect(body).toContain("<!-- handover:dashboard -->");
    o.extraDashboards = [
      { id: 601, body: "<!-- handover:dashboard -->", ...bot },
      { id: 602, body: "<!-- handover:dashboard -->", ...bot },
    ];
    const scope = github(seen)
      .post(`${R}/issues/42/comments`, { body })
      .reply(201, { id: 600 })
      .delete(`${R}/issues/comments/601`)
      .reply(204)
      .delete(`${R}/issues/comments/602`)
      .reply(404, { message: "Not Found" });
    expect(await ensureDashboard(deps(), o, decision)).toEqual({
      id: 600,
      body,
      author: "handover[bot]",
      authorIsBot: true,
      createdAt: NOW,
      edited: false,
    });
    expect([o.dashboard, o.extraDashboards.map((c) => c.id)]).toEqual([undefined, [601, 602]]);
    expect(seen.matched).toEqual([
      `POST ${R}/issues/42/comments`,
      `DELETE ${R}/issues/comments/601`,
      `DELETE ${R}/issues/comments/602`,
    ]);
    done(scope);
  });
});

describe("sendFeedback", () => {
  const REPLY = "<!-- handover:reply-to=72 -->\n@bob `/handover skip` needs maintain permission; you have write.";
  const botComment = (id: number, body: string) => ({
    id,
    body,
    user: { login: "handover[bot]", type: "Bot" },
    created_at: "2024-05-01T12:00:00Z",
    updated_at: "2024-05-01T12:00:00Z",
  });

  it("reacts to each command, and replies where there is a reply (after checking no reply to that command exists)", async () => {
    const scope = github(seen)
      .post(`${R}/issues/comments/71/reactions`, { content: "+1" })
      .reply(201, {})
      .post(`${R}/issues/comments/72/reactions`, { content: "-1" })
      .reply(201, {})
      .get(`${R}/issues/8/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [botComment(5, "<!-- handover:reply-to=60 -->\n@amy older reply")])
      .post(`${R}/issues/8/comments`, { body: REPLY })
      .reply(201, { id: 1 });
    await sendFeedback(deps(), [
      { commentId: 71, on: 42, reaction: "+1" },
      { commentId: 72, on: 8, reaction: "-1", reply: REPLY },
    ]);
    expect(seen.matched).toEqual([
      `POST ${R}/issues/comments/71/reactions`,
      `POST ${R}/issues/comments/72/reactions`,
      `GET ${R}/issues/8/comments?per_page=100&page=1`,
      `POST ${R}/issues/8/comments`,
    ]);
    done(scope);
  });

  it("does not reply twice when a racing replica already answered that command", async () => {
    const scope = github(seen)
      .post(`${R}/issues/comments/72/reactions`, { content: "-1" })
      .reply(200, {})
      .get(`${R}/issues/8/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [botComment(9, REPLY)]);
    await sendFeedback(deps(), [{ commentId: 72, on: 8, reaction: "-1", reply: REPLY }]);
    expect(seen.matched).toEqual([
      `POST ${R}/issues/comments/72/reactions`,
      `GET ${R}/issues/8/comments?per_page=100&page=1`,
    ]);
    done(scope);
  });
});
