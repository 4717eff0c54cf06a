import { describe, expect, it } from "vitest";
import { branchWithCommit, failure, OWNER, REPO, useSim } from "./helpers.js";

const r = { owner: OWNER, repo: REPO };
const h = useSim();

/** GET /pulls/{n} until GitHub has computed mergeability: the first read after a push answers null. */
async function readPull(number: number) {
  const get = () => h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...r, pull_number: number });
  const first = await get();
  expect(first.data).toMatchObject({ mergeable: null, mergeable_state: "unknown" });
  return get();
}

const openPull = (head: string, title = `PR ${head}`) =>
  h.octokit.request("POST /repos/{owner}/{repo}/pulls", { ...r, title, head, base: "main", body: "body text" });

describe("opening pull requests", () => {
  it("opens a PR in GitHub's shape and lists it by head", async () => {
    const tip = await branchWithCommit(h, "handover/42/prepare", { "clusters/a/app.yaml": "name: a\nreplicas: 2\n" });
    const pr = await openPull("handover/42/prepare");
    expect(pr.status).toBe(201);
    expect(pr.data).toMatchObject({
      number: 1,
      state: "open",
      title: "PR handover/42/prepare",
      body: "body text",
      draft: false,
      merged: false,
      merged_at: null,
      merge_commit_sha: null,
      mergeable: null,
      head: { ref: "handover/42/prepare", sha: tip, label: "acme:handover/42/prepare" },
      base: { ref: "main", sha: h.seed },
      user: { login: "handover[bot]", type: "Bot" },
      html_url: "https://github.com/acme/config/pull/1",
      labels: [],
    });
    const listed = await h.octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...r,
      state: "all",
      head: "acme:handover/42/prepare",
    });
    expect(listed.data.map((p) => p.number)).toEqual([1]);
    const none = await h.octokit.request("GET /repos/{owner}/{repo}/pulls", { ...r, head: "acme:other" });
    expect(none.data).toEqual([]);

    const files = await h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      ...r,
      pull_number: 1,
    });
    expect(files.data.map((f) => [f.filename, f.status, f.additions, f.deletions, f.patch])).toEqual([
      ["clusters/a/app.yaml", "modified", 1, 1, "@@ -1,2 +1,2 @@\n name: a\n-replicas: 1\n+replicas: 2"],
    ]);
    const commits = await h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      ...r,
      pull_number: 1,
    });
    expect(commits.data.map((c) => c.sha)).toEqual([tip]);
    // a PR is an issue too, and shares the number sequence
    const asIssue = await h.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
      ...r,
      issue_number: 1,
    });
    expect(asIssue.data.pull_request?.url).toBe(`${h.baseUrl}/repos/acme/config/pulls/1`);
    expect(h.sim.createIssue("alice", "next", "")).toBe(2);
  });

  it("answers GitHub's exact 422 for a second open PR on the same head", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    const dup = await failure(openPull("feature"));
    expect(dup.status).toBe(422);
    expect(dup.data).toEqual({
      message: "Validation Failed",
      errors: [{ resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:feature." }],
      documentation_url: "https://docs.github.com/rest",
    });
  });

  it("answers 422 when the head has no commits ahead of the base", async () => {
    await h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/empty", sha: h.seed });
    const empty = await failure(openPull("empty"));
    expect(empty.status).toBe(422);
    expect(empty.data).toEqual({
      message: "Validation Failed",
      errors: [{ resource: "PullRequest", code: "custom", message: "No commits between main and empty" }],
      documentation_url: "https://docs.github.com/rest",
    });
  });
});

describe("merging", () => {
  it("makes a real merge commit with two parents on the base branch", async () => {
    const tip = await branchWithCommit(h, "feature", { "clusters/a/app.yaml": "name: a\nreplicas: 3\n" });
    await openPull("feature");
    const merged = await h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
      ...r,
      pull_number: 1,
      sha: tip,
    });
    expect(merged.data).toEqual({ sha: merged.data.sha, merged: true, message: "Pull Request successfully merged" });
    expect(h.sim.branchSha("main")).toBe(merged.data.sha);
    expect(h.sim.commitParents(merged.data.sha)).toEqual([h.seed, tip]);
    expect(h.sim.readTree(merged.data.sha)).toEqual(h.sim.readTree(tip));
    expect(h.sim.defaultBranchHistory()).toEqual([h.seed, merged.data.sha]);

    const pr = await h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...r, pull_number: 1 });
    expect(pr.data).toMatchObject({
      state: "closed",
      merged: true,
      merge_commit_sha: merged.data.sha,
      merged_at: "2025-01-01T00:00:00Z",
      mergeable: null,
      base: { sha: h.seed },
    });
    const commit = await h.octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      ...r,
      commit_sha: merged.data.sha,
    });
    expect(commit.data.message).toBe("Merge pull request #1 from acme/feature\n\nPR feature");
    const again = await failure(
      h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { ...r, pull_number: 1 }),
    );
    expect(again).toMatchObject({ status: 405, data: { message: "Pull Request is not mergeable" } });
  });

  it("merges when the base moved since the branch point (other files)", async () => {
    const tip = await branchWithCommit(h, "feature", { "clusters/a/app.yaml": "name: a\nreplicas: 2\n" });
    await openPull("feature");
    const moved = h.sim.pushFiles(
      "alice",
      "main",
      [
        { path: "clusters/b/app.yaml", content: "name: b\nreplicas: 5\n" },
        { path: "README.md", content: null },
      ],
      "elsewhere",
    );
    const pr = await readPull(1);
    expect(pr.data).toMatchObject({ mergeable: true, mergeable_state: "clean", base: { sha: moved } });

    const merged = await h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
      ...r,
      pull_number: 1,
    });
    expect(h.sim.commitParents(merged.data.sha)).toEqual([moved, tip]);
    expect(h.sim.readTree(merged.data.sha)).toEqual(
      new Map([
        ["clusters/a/app.yaml", "name: a\nreplicas: 2\n"],
        ["clusters/b/app.yaml", "name: b\nreplicas: 5\n"],
      ]),
    );
  });

  it("answers 405 when both sides changed the same file differently", async () => {
    await branchWithCommit(h, "feature", { "clusters/a/app.yaml": "name: a\nreplicas: 2\n" });
    await openPull("feature");
    h.sim.pushFiles(
      "alice",
      "main",
      [{ path: "clusters/a/app.yaml", content: "name: a\nreplicas: 9\n" }],
      "conflicting",
    );
    const pr = await readPull(1);
    expect(pr.data).toMatchObject({ mergeable: false, mergeable_state: "dirty" });
    const refused = await failure(
      h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { ...r, pull_number: 1 }),
    );
    expect(refused.status).toBe(405);
    expect(refused.data).toEqual({
      message: "Pull Request is not mergeable",
      documentation_url: "https://docs.github.com/rest",
    });
    expect(() => h.sim.mergePull(1, "alice")).toThrow("405 Pull Request is not mergeable");
  });

  it("answers 409 when the expected head sha is stale", async () => {
    const first = await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    const second = h.sim.pushFiles("alice", "feature", [{ path: "a.txt", content: "2\n" }], "more");
    const stale = await failure(
      h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { ...r, pull_number: 1, sha: first }),
    );
    expect(stale.status).toBe(409);
    expect(stale.data).toEqual({
      message: "Head branch was modified. Review and try the merge again.",
      documentation_url: "https://docs.github.com/rest",
    });
    const ok = await h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
      ...r,
      pull_number: 1,
      sha: second,
    });
    expect(ok.status).toBe(200);
  });

  it("closes, reopens and auto-closes a PR whose head branch is deleted", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    const closed = await h.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...r,
      pull_number: 1,
      state: "closed",
    });
    expect(closed.data).toMatchObject({ state: "closed", merged: false });
    const reopened = await h.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...r,
      pull_number: 1,
      state: "open",
      title: "renamed",
    });
    expect(reopened.data).toMatchObject({ state: "open", title: "renamed" });
    await h.octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ...r, ref: "heads/feature" });
    expect(h.sim.listPulls().map((p) => [p.number, p.state])).toEqual([[1, "closed"]]);
  });
});

describe("reopening a pull request GitHub refuses", () => {
  it("a PR whose head the base already contains (no new commits): 422 on the state field, the PR stays closed", async () => {
    const tip = await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    await h.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...r,
      pull_number: 1,
      state: "closed",
    });
    // main fast-forwarded to the branch by hand: the branch has nothing main lacks.
    await h.octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...r, ref: "heads/main", sha: tip });
    const refused = await failure(
      h.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...r, pull_number: 1, state: "open" }),
    );
    expect(refused).toMatchObject({
      status: 422,
      data: {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            field: "state",
            message: "state cannot be changed. There are no new commits on the feature branch.",
          },
        ],
      },
    });
    expect(h.sim.listPulls().map((p) => [p.number, p.state])).toEqual([[1, "closed"]]);
  });
});

describe("fault injection", () => {
  it("502-after-write performs the write, so the retry meets 422 Reference already exists", async () => {
    h.sim.faultHook = (req) => (req.write && req.path.endsWith("/git/refs") ? "502-after-write" : undefined);
    const first = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/x", sha: h.seed }),
    );
    expect(first).toMatchObject({ status: 502, data: { message: "Server Error" } });
    expect(h.sim.branchSha("x")).toBe(h.seed);
    h.sim.faultHook = undefined;
    const retry = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/x", sha: h.seed }),
    );
    expect(retry).toMatchObject({ status: 422, data: { message: "Reference already exists" } });
    expect(h.sim.requests.map((q) => q.status)).toEqual([502, 422]);
  });

  it("500 changes nothing; a secondary rate limit answers 403 with retry-after", async () => {
    h.sim.faultHook = (req) => (req.method === "POST" ? "500" : undefined);
    const five = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/x", sha: h.seed }),
    );
    expect(five.status).toBe(500);
    expect(h.sim.branchSha("x")).toBeUndefined();

    h.sim.faultHook = () => "secondary-rate-limit";
    const limited = await failure(h.octokit.request("GET /repos/{owner}/{repo}", r));
    expect(limited.status).toBe(403);
    expect(limited.headers["retry-after"]).toBe("1");
    expect((limited.data as { message: string }).message).toMatch(/^You have exceeded a secondary rate limit/);
  });
});
