import { describe, expect, it } from "vitest";
import { failure, OWNER, REPO, useSim } from "./helpers.js";

const r = { owner: OWNER, repo: REPO };
const h = useSim();

describe("issues, comments, labels, reactions", () => {
  it("creates an issue with labels, comments on it and edits the comment", async () => {
    const issue = await h.octokit.request("POST /repos/{owner}/{repo}/issues", {
      ...r,
      title: "Migrate a to b",
      body: "### Source cluster\n\na",
      labels: ["handover"],
    });
    expect(issue.status).toBe(201);
    expect(issue.data).toMatchObject({
      number: 1,
      state: "open",
      title: "Migrate a to b",
      user: { login: "handover[bot]" },
      labels: [{ name: "handover", color: "ededed" }],
    });
    expect(issue.data.pull_request).toBeUndefined();

    const comment = await h.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...r,
      issue_number: 1,
      body: "dashboard v1",
    });
    expect(comment.status).toBe(201);
    h.clock.advance(30);
    const edited = await h.octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      ...r,
      comment_id: comment.data.id,
      body: "dashboard v2",
    });
    expect(edited.data).toMatchObject({
      body: "dashboard v2",
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:30Z",
    });
    const human = h.sim.comment("alice", 1, "/handover pause");
    const list = await h.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...r,
      issue_number: 1,
    });
    expect(list.data.map((c) => [c.id, c.user?.login, c.body])).toEqual([
      [comment.data.id, "handover[bot]", "dashboard v2"],
      [human, "alice", "/handover pause"],
    ]);
    expect(h.sim.listComments(1).map((c) => c.body)).toEqual(["dashboard v2", "/handover pause"]);
    expect(list.data.map((c) => c.performed_via_github_app?.slug ?? null)).toEqual(["handover", null]);
  });

  it("adds, replaces and removes labels; removing an absent one is 404", async () => {
    const n = h.sim.createIssue("alice", "t", "b");
    const added = await h.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      ...r,
      issue_number: n,
      labels: ["handover:running", "x"],
    });
    expect(added.data.map((l) => l.name)).toEqual(["handover:running", "x"]);
    const set = await h.octokit.request("PUT /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      ...r,
      issue_number: n,
      labels: ["handover:waiting", "x"],
    });
    expect(set.data.map((l) => l.name)).toEqual(["x", "handover:waiting"]);
    const removed = await h.octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
      ...r,
      issue_number: n,
      name: "x",
    });
    expect(removed.data.map((l) => l.name)).toEqual(["handover:waiting"]);
    const absent = await failure(
      h.octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
        ...r,
        issue_number: n,
        name: "x",
      }),
    );
    expect(absent).toEqual({
      status: 404,
      data: { message: "Label does not exist", documentation_url: "https://docs.github.com/rest" },
      headers: absent.headers,
    });
    expect(h.sim.labels(n)).toEqual(["handover:waiting"]);

    const repoLabels = await h.octokit.request("GET /repos/{owner}/{repo}/labels", r);
    expect(repoLabels.data.map((l) => l.name)).toEqual(["handover:running", "x", "handover:waiting"]);
    const dupLabel = await failure(h.octokit.request("POST /repos/{owner}/{repo}/labels", { ...r, name: "X" }));
    expect(dupLabel.data).toEqual({
      message: "Validation Failed",
      errors: [{ resource: "Label", code: "already_exists", field: "name" }],
      documentation_url: "https://docs.github.com/rest",
    });
  });

  it("answers 201 for a new reaction and 200 when the same user reacts the same way again", async () => {
    const n = h.sim.createIssue("alice", "t", "b");
    const id = h.sim.comment("alice", n, "/handover status");
    const react = () =>
      h.octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
        ...r,
        comment_id: id,
        content: "+1",
      });
    const first = await react();
    const second = await react();
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.data.id).toBe(first.data.id);
    await h.octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      ...r,
      comment_id: id,
      content: "eyes",
    });
    expect(h.sim.reactions(id)).toEqual(["+1", "eyes"]);
    const listed = await h.octokit.request("GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      ...r,
      comment_id: id,
    });
    expect(listed.data.map((x) => [x.user?.login, x.content])).toEqual([
      ["handover[bot]", "+1"],
      ["handover[bot]", "eyes"],
    ]);
    const bad = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
        ...r,
        comment_id: id,
        content: "nope" as "+1",
      }),
    );
    expect(bad.status).toBe(422);
  });

  it("closes and reopens issues and filters the issue list by state and labels", async () => {
    h.sim.createLabel("handover");
    h.sim.createLabel("handover:done");
    const a = h.sim.createIssue("alice", "a", "", ["handover"]);
    const b = h.sim.createIssue("alice", "b", "", ["handover", "handover:done"]);
    h.sim.createIssue("alice", "c", "");
    await h.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...r,
      issue_number: b,
      state: "closed",
    });
    const open = await h.octokit.request("GET /repos/{owner}/{repo}/issues", { ...r, labels: "handover" });
    expect(open.data.map((i) => i.number)).toEqual([a]);
    const all = await h.octokit.request("GET /repos/{owner}/{repo}/issues", {
      ...r,
      state: "all",
      labels: "handover,handover:done",
    });
    expect(all.data.map((i) => [i.number, i.state, i.state_reason])).toEqual([[b, "closed", "completed"]]);
  });
});

describe("search and pagination", () => {
  it("searches issues by repo, type, state, label and body text", async () => {
    h.sim.createLabel("handover");
    h.sim.createIssue("alice", "Migrate replicore-a", "Source cluster: replicore-a", ["handover"]);
    h.sim.createIssue("alice", "Other", "nothing to see", ["handover"]);
    const closed = h.sim.createIssue("alice", "Old", "Source cluster: replicore-a", ["handover"]);
    await h.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...r,
      issue_number: closed,
      state: "closed",
    });
    const search = (q: string) => h.octokit.request("GET /search/issues", { q });
    const hit = await search('repo:acme/config is:issue is:open label:handover "replicore-a" in:body');
    expect(hit.data).toMatchObject({ total_count: 1, incomplete_results: false });
    expect(hit.data.items.map((i) => i.number)).toEqual([1]);
    expect((await search("repo:acme/config is:issue replicore-a")).data.items.map((i) => i.number)).toEqual([3, 1]);
    expect((await search("repo:acme/config is:pr")).data.total_count).toBe(0);
    expect((await search("repo:acme/other is:issue")).data.total_count).toBe(0);
  });

  it("honours per_page and page and sends GitHub's link header", async () => {
    for (let i = 0; i < 5; i++) h.sim.createIssue("alice", `issue ${i}`, "");
    const first = await h.octokit.request("GET /repos/{owner}/{repo}/issues", { ...r, per_page: 2 });
    expect(first.data.map((i) => i.number)).toEqual([5, 4]);
    const url = (page: number) => `<${h.baseUrl}/repos/acme/config/issues?per_page=2&page=${page}>`;
    expect(first.headers.link).toBe(`${url(2)}; rel="next", ${url(3)}; rel="last"`);
    const last = await h.octokit.request("GET /repos/{owner}/{repo}/issues", { ...r, per_page: 2, page: 3 });
    expect(last.data.map((i) => i.number)).toEqual([1]);
    expect(last.headers.link).toBe(`${url(2)}; rel="prev", ${url(1)}; rel="first"`);
    const single = await h.octokit.request("GET /repos/{owner}/{repo}/issues", { ...r, per_page: 10 });
    expect(single.headers.link).toBeUndefined();
  });
});

describe("permissions", () => {
  it("reports the legacy permission and the exact role; bots are not users", async () => {
    h.sim.setPermission("maria", "maintain");
    const perm = (username: string) =>
      h.octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...r, username });
    expect((await perm("maria")).data).toMatchObject({
      permission: "write",
      role_name: "maintain",
      user: { login: "maria" },
    });
    expect((await perm("acme")).data).toMatchObject({ permission: "admin", role_name: "admin" });
    expect((await perm("stranger")).data).toMatchObject({ permission: "none", role_name: "none" });
    const bot = await failure(perm("renovate[bot]"));
    expect(bot.status).toBe(404);
  });
});

describe("statuses, check runs, deployments", () => {
  it("combines statuses: pending when none, latest per context, failure wins", async () => {
    const combined = () => h.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/status", { ...r, ref: "main" });
    expect((await combined()).data).toMatchObject({ state: "pending", total_count: 0, statuses: [], sha: h.seed });
    h.sim.setStatus(h.seed, "ci/test", "pending");
    h.sim.setStatus(h.seed, "ci/test", "success");
    await h.octokit.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
      ...r,
      sha: h.seed,
      state: "success",
      context: "deploy/a",
    });
    expect((await combined()).data).toMatchObject({ state: "success", total_count: 2 });
    h.sim.setStatus(h.seed, "deploy/a", "failure");
    const after = (await combined()).data;
    expect(after.state).toBe("failure");
    expect(after.statuses.map((s) => [s.context, s.state])).toEqual([
      ["deploy/a", "failure"],
      ["ci/test", "success"],
    ]);
    const all = await h.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/statuses", { ...r, ref: h.seed });
    expect(all.data.map((s) => `${s.context}=${s.state}`)).toEqual([
      "deploy/a=failure",
      "deploy/a=success",
      "ci/test=success",
      "ci/test=pending",
    ]);
  });

  it("creates, completes and lists check runs", async () => {
    const created = await h.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...r,
      name: "handover/guard",
      head_sha: h.seed,
      status: "in_progress",
    });
    expect(created.data).toMatchObject({
      name: "handover/guard",
      status: "in_progress",
      conclusion: null,
      app: { slug: "handover" },
    });
    await h.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...r,
      check_run_id: created.data.id,
      conclusion: "failure",
      output: {
        title: "1 violation",
        summary: "s",
        annotations: [{ path: "a.yaml", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" }],
      },
    });
    h.sim.createCheckRun(h.seed, "ci/build", "completed", "success");
    const runs = await h.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { ...r, ref: h.seed });
    expect(runs.data.total_count).toBe(2);
    expect(runs.data.check_runs.map((c) => [c.name, c.status, c.conclusion, c.output.annotations_count])).toEqual([
      ["ci/build", "completed", "success", 0],
      ["handover/guard", "completed", "failure", 1],
    ]);
  });

  it("lists deployments and their statuses newest first", async () => {
    const first = h.sim.createDeployment(h.seed, "replicore-a");
    h.clock.advance(10);
    const second = h.sim.createDeployment(h.seed, "replicore-a");
    h.sim.createDeployment(h.seed, "replicore-b");
    h.sim.createDeploymentStatus(second, "in_progress");
    h.sim.createDeploymentStatus(second, "success");
    const list = await h.octokit.request("GET /repos/{owner}/{repo}/deployments", {
      ...r,
      sha: h.seed,
      environment: "replicore-a",
    });
    expect(list.data.map((d) => d.id)).toEqual([second, first]);
    const statuses = await h.octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      ...r,
      deployment_id: second,
    });
    expect(statuses.data.map((s) => s.state)).toEqual(["success", "in_progress"]);
  });
});
