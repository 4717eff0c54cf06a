// The simulator behaves like GitHub where the App depends on it; each behaviour is a RepoSettings switch, and each
// test runs it both ways.
import { describe, expect, it } from "vitest";
import { mergeText } from "../../../src/sim/merge3.js";
import { branchWithCommit, failure, OWNER, REPO, useSim } from "./helpers.js";

const r = { owner: OWNER, repo: REPO };
const h = useSim();

const openPull = (head: string, extra: Record<string, unknown> = {}) =>
  h.octokit.request("POST /repos/{owner}/{repo}/pulls", { ...r, title: `PR ${head}`, head, base: "main", ...extra });
const merge = (n: number, method?: "merge" | "squash" | "rebase") =>
  h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
    ...r,
    pull_number: n,
    ...(method ? { merge_method: method } : {}),
  });

describe("drafts", () => {
  it("a repo without drafts answers GitHub's 422 to a draft and opens a normal PR; with drafts it opens the draft", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    h.sim.repo.settings.drafts = false;
    const refused = await failure(openPull("feature", { draft: true }));
    expect(refused).toMatchObject({
      status: 422,
      data: {
        message: "Draft pull requests are not supported in this repository.",
        documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
      },
    });
    expect(h.sim.listPulls()).toEqual([]);
    expect((await openPull("feature", { draft: false })).data.draft).toBe(false);
    h.sim.repo.settings.drafts = true;
    await branchWithCommit(h, "other", { "b.txt": "1\n" });
    expect((await openPull("other", { draft: true })).data.draft).toBe(true);
  });

  it("a draft does not merge (405) until it is marked ready, which sends ready_for_review", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature", { draft: true });
    expect(await failure(merge(1))).toMatchObject({ status: 405, data: { message: "Pull Request is still a draft" } });
    h.sim.discardEvents();
    h.sim.markReady(1, "alice");
    expect(h.sim.pendingEventNames()).toEqual(["pull_request.ready_for_review"]);
    expect((await merge(1)).data.merged).toBe(true);
  });
});

describe("limits", () => {
  it("bodies over 65,536 and titles over 256 characters answer GitHub's 422; switched off, they pass", async () => {
    const issue = h.sim.createIssue("alice", "t", "b");
    const long = "x".repeat(65_537);
    const comment = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...r,
        issue_number: issue,
        body: long,
      }),
    );
    expect(comment).toMatchObject({
      status: 422,
      data: {
        message: "Validation Failed",
        errors: [
          {
            resource: "IssueComment",
            code: "custom",
            field: "body",
            message: "body is too long (maximum is 65536 characters)",
          },
        ],
      },
    });
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    const title = await failure(openPull("feature", { title: "t".repeat(257) }));
    expect(title.data).toMatchObject({
      errors: [
        {
          resource: "PullRequest",
          code: "custom",
          field: "title",
          message: "title is too long (maximum is 256 characters)",
        },
      ],
    });
    const edit = await failure(
      h.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...r, issue_number: issue, body: long }),
    );
    expect(edit.status).toBe(422);
    expect((await openPull("feature", { title: "t".repeat(256) })).status).toBe(201);
    h.sim.repo.settings.limits = false;
    const ok = await h.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...r,
      issue_number: issue,
      body: long,
    });
    expect(ok.status).toBe(201);
  });
});

describe("labels", () => {
  it("an issue form applies only the labels the repo has (any case); switched off, missing ones are created", async () => {
    h.sim.createLabel("Handover");
    const a = h.sim.createIssue("alice", "a", "", ["handover", "missing"]);
    expect(h.sim.labels(a)).toEqual(["Handover"]);
    expect(h.sim.labelNames()).toEqual(["Handover"]);
    h.sim.repo.settings.formLabelsMustExist = false;
    const b = h.sim.createIssue("alice", "b", "", ["missing"]);
    expect(h.sim.labels(b)).toEqual(["missing"]);
  });
});

describe("merge methods", () => {
  it("a method the repo does not allow answers 405 in GitHub's words", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    h.sim.repo.settings.mergeMethods = ["rebase"];
    expect(await failure(merge(1))).toMatchObject({
      status: 405,
      data: { message: "Merge commits are not allowed on this repository." },
    });
    expect(await failure(merge(1, "squash"))).toMatchObject({
      status: 405,
      data: { message: "Squash merges are not allowed on this repository." },
    });
    h.sim.repo.settings.mergeMethods = ["merge"];
    expect(await failure(merge(1, "rebase"))).toMatchObject({
      status: 405,
      data: { message: "Rebase merges are not allowed on this repository." },
    });
  });

  it("rebase replays every commit of the head onto the base, one by one, keeping authors and messages", async () => {
    const first = await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    h.sim.pushFiles("bob", "feature", [{ path: "b.txt", content: "2\n" }], "second");
    const moved = h.sim.pushFiles("carol", "main", [{ path: "c.txt", content: "3\n" }], "elsewhere");
    await openPull("feature");
    const merged = await merge(1, "rebase");
    const history = h.sim.defaultBranchHistory();
    expect(history.slice(-3, -2)).toEqual([moved]);
    const [one, two] = history.slice(-2) as [string, string];
    expect(merged.data.sha).toBe(two);
    expect(h.sim.commitParents(one)).toEqual([moved]);
    expect(h.sim.commitParents(two)).toEqual([one]);
    expect(one).not.toBe(first);
    const commits = [one, two].map((sha) => h.sim.repo.objects.getCommit(sha));
    expect(commits.map((c) => [c?.message, c?.author.name, c?.committer.name])).toEqual([
      ["change on feature", "handover[bot]", "GitHub"],
      ["second", "bob", "GitHub"],
    ]);
    expect([...h.sim.readTree("main").keys()]).toEqual(expect.arrayContaining(["a.txt", "b.txt", "c.txt"]));
  });

  it("rebase refuses a head with a merge commit (405, rebaseable false); a merge commit merges it", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    h.sim.pushFiles("carol", "main", [{ path: "c.txt", content: "3\n" }], "elsewhere");
    await openPull("feature");
    h.sim.updateBranch(1, "bob");
    const pr = () => h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...r, pull_number: 1 });
    expect((await pr()).data).toMatchObject({ mergeable: null });
    expect((await pr()).data).toMatchObject({ mergeable: true, rebaseable: false });
    expect(await failure(merge(1, "rebase"))).toMatchObject({
      status: 405,
      data: { message: "This branch can't be rebased" },
    });
    expect((await merge(1, "merge")).data.merged).toBe(true);
  });

  it("squash makes one commit with the merged tree and one parent, listing the head's commits", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    h.sim.pushFiles("bob", "feature", [{ path: "b.txt", content: "2\n" }], "second");
    const base = h.sim.branchSha("main");
    await openPull("feature");
    const sha = (await merge(1, "squash")).data.sha;
    expect(h.sim.commitParents(sha)).toEqual([base]);
    expect(h.sim.repo.objects.getCommit(sha)?.message).toBe("PR feature (#1)\n\n* change on feature\n\n* second");
    expect(h.sim.readTree(sha).get("b.txt")).toBe("2\n");
  });
});

describe("line-level three-way merges", () => {
  const base = "name: a\nreplicas: 1\nimage: v1\nport: 80\n";

  it("changes to different lines of one file merge; switched to file level, they conflict", async () => {
    await branchWithCommit(h, "feature", { "app.yaml": base });
    await openPull("feature");
    await merge(1);
    await branchWithCommit(h, "left", { "app.yaml": base.replace("replicas: 1", "replicas: 2") });
    h.sim.pushFiles("bob", "main", [{ path: "app.yaml", content: base.replace("port: 80", "port: 81") }], "port");
    h.sim.repo.settings.mergeableNullReads = 0;
    await openPull("left");
    h.sim.repo.settings.lineMerge = false;
    const get = () => h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...r, pull_number: 2 });
    expect((await get()).data.mergeable).toBe(false);
    h.sim.repo.settings.lineMerge = true;
    expect((await get()).data.mergeable).toBe(true);
    const sha = (await merge(2)).data.sha;
    expect(h.sim.readTree(sha).get("app.yaml")).toBe("name: a\nreplicas: 2\nimage: v1\nport: 81\n");
  });

  it("mergeText: separate changes apply, touching or overlapping ones conflict, identical ones agree", () => {
    expect(mergeText(base, base.replace("v1", "v2"), base.replace("a\n", "b\n"))).toBe(
      "name: b\nreplicas: 1\nimage: v2\nport: 80\n",
    );
    expect(mergeText(base, base.replace("replicas: 1", "replicas: 2"), base.replace("v1", "v2"))).toBeUndefined();
    expect(mergeText(base, base.replace("v1", "v2"), base.replace("v1", "v3"))).toBeUndefined();
    expect(mergeText(base, base.replace("v1", "v2"), base.replace("v1", "v2"))).toBe(base.replace("v1", "v2"));
    expect(mergeText("", "a\n", "b\n")).toBeUndefined();
    expect(mergeText(base, `${base}x: 1\n`, `top: 0\n${base}`)).toBe(`top: 0\n${base}x: 1\n`);
  });
});

describe("mergeable: null after a push", () => {
  it("the first REST read after the head or base moved answers null (unknown), the next the answer; switched off, at once", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    const get = () => h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...r, pull_number: 1 });
    expect((await get()).data).toMatchObject({ mergeable: null, mergeable_state: "unknown", rebaseable: null });
    expect((await get()).data).toMatchObject({ mergeable: true, mergeable_state: "clean" });
    h.sim.pushFiles("bob", "main", [{ path: "c.txt", content: "3\n" }], "base moves");
    expect((await get()).data.mergeable).toBeNull();
    expect((await get()).data.mergeable).toBe(true);
    h.sim.repo.settings.mergeableNullReads = 0;
    h.sim.pushFiles("bob", "feature", [{ path: "d.txt", content: "4\n" }], "head moves");
    expect((await get()).data.mergeable).toBe(true);
  });
});

describe("branch protection", () => {
  it("required approving reviews: 405 until enough people with write access approve; the author cannot", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    h.sim.repo.settings.requiredReviews = 2;
    h.sim.setPermission("alice", "write");
    h.sim.setPermission("eve", "read");
    expect(await failure(merge(1))).toMatchObject({
      status: 405,
      data: { message: "At least 2 approving reviews are required by reviewers with write access." },
    });
    h.sim.approvePull(1, "alice");
    h.sim.approvePull(1, "eve");
    expect((await failure(merge(1))).status).toBe(405);
    const own = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
        ...r,
        pull_number: 1,
        event: "APPROVE",
      }),
    );
    expect(own).toMatchObject({ status: 422, data: { message: "Review Can not approve your own pull request" } });
    h.sim.approvePull(1, OWNER);
    const reviews = await h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
      ...r,
      pull_number: 1,
    });
    expect(reviews.data.map((v) => [v.user?.login, v.state])).toEqual([
      ["alice", "APPROVED"],
      ["eve", "APPROVED"],
      [OWNER, "APPROVED"],
    ]);
    expect((await merge(1)).data.merged).toBe(true);
  });

  it("up to date: 405 while the head lacks the base tip; update-branch merges the base in, then it merges", async () => {
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    await openPull("feature");
    h.sim.pushFiles("bob", "main", [{ path: "c.txt", content: "3\n" }], "base moves");
    h.sim.repo.settings.upToDate = true;
    expect(await failure(merge(1))).toMatchObject({
      status: 405,
      data: { message: "Head branch is not up to date with the base branch." },
    });
    const update = await h.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch", {
      ...r,
      pull_number: 1,
    });
    expect(update.status).toBe(202);
    expect((await merge(1)).data.merged).toBe(true);
    h.sim.repo.settings.upToDate = false;
  });
});

describe("comment deletion", () => {
  it("a person deletes a comment: it is gone from the list and issue_comment.deleted is sent", async () => {
    const issue = h.sim.createIssue("alice", "t", "b");
    const id = h.sim.comment("alice", issue, "/handover status");
    h.sim.discardEvents();
    h.sim.deleteComment("alice", id);
    expect(h.sim.listComments(issue)).toEqual([]);
    expect(h.sim.pendingEventNames()).toEqual(["issue_comment.deleted"]);
    const gone = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
        ...r,
        comment_id: id,
        content: "eyes",
      }),
    );
    expect(gone.status).toBe(404);
  });
});
