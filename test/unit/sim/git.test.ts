import { describe, expect, it } from "vitest";
import { branchWithCommit, commitViaApi, failure, OWNER, REPO, useSim } from "./helpers.js";

const r = { owner: OWNER, repo: REPO };
const h = useSim();

describe("git objects", () => {
  it("hashes blobs, trees and commits exactly like git", async () => {
    const blob = await h.octokit.request("POST /repos/{owner}/{repo}/git/blobs", { ...r, content: "hello\n" });
    expect(blob.status).toBe(201);
    expect(blob.data.sha).toBe("ce013625030ba8dba906f756967f9e9ca394464a");

    const seed = await h.octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      ...r,
      commit_sha: h.seed,
    });
    // `git write-tree` of the same three files
    expect(seed.data.tree.sha).toBe("3424cdd2e550d4ce3cb21ca66bd0aa9030dddfc6");
    expect(seed.data.parents).toEqual([]);

    const commit = await h.octokit.request("POST /repos/{owner}/{repo}/git/commits", {
      ...r,
      message: "Initial commit\n",
      tree: seed.data.tree.sha,
      parents: [],
      author: { name: "acme", email: "a@b", date: "2025-01-01T00:00:00Z" },
    });
    // `git commit-tree` with the same author, committer and date
    expect(commit.data.sha).toBe("4d1fe6bbe44528ad1667483c542eefcc8f2a4289");
    expect(commit.data.committer).toEqual({ name: "acme", email: "a@b", date: "2025-01-01T00:00:00Z" });
  });

  it("reads blobs back as base64 and accepts base64 input", async () => {
    const posted = await h.octokit.request("POST /repos/{owner}/{repo}/git/blobs", {
      ...r,
      content: Buffer.from("hello\n").toString("base64"),
      encoding: "base64",
    });
    expect(posted.data.sha).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    const got = await h.octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      ...r,
      file_sha: posted.data.sha,
    });
    expect(got.data).toMatchObject({ sha: posted.data.sha, size: 6, encoding: "base64", content: "aGVsbG8K\n" });
  });

  it("builds trees on a base tree: add, replace, delete, and lists them recursively", async () => {
    const sha = await commitViaApi(
      h.octokit,
      h.seed,
      { "clusters/c/app.yaml": "name: c\n", "clusters/a/app.yaml": null, "README.md": "# changed\n" },
      "edit",
    );
    const commit = await h.octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      ...r,
      commit_sha: sha,
    });
    expect(commit.data.parents.map((p) => p.sha)).toEqual([h.seed]);
    const tree = await h.octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      ...r,
      tree_sha: commit.data.tree.sha,
      recursive: "1",
    });
    expect(tree.data.tree.map((e) => [e.path, e.type, e.mode])).toEqual([
      ["README.md", "blob", "100644"],
      ["clusters", "tree", "040000"],
      ["clusters/b", "tree", "040000"],
      ["clusters/b/app.yaml", "blob", "100644"],
      ["clusters/c", "tree", "040000"],
      ["clusters/c/app.yaml", "blob", "100644"],
    ]);
    expect(tree.data.tree[0]?.size).toBe(10);
    expect(h.sim.readTree(sha)).toEqual(
      new Map([
        ["README.md", "# changed\n"],
        ["clusters/b/app.yaml", "name: b\nreplicas: 1\n"],
        ["clusters/c/app.yaml", "name: c\n"],
      ]),
    );
  });
});

describe("refs", () => {
  it("creates, reads (with slashes in the name), lists and deletes a branch", async () => {
    const created = await h.octokit.request("POST /repos/{owner}/{repo}/git/refs", {
      ...r,
      ref: "refs/heads/handover/42/prepare",
      sha: h.seed,
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      ref: "refs/heads/handover/42/prepare",
      object: { sha: h.seed, type: "commit" },
    });

    const got = await h.octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
      ...r,
      ref: "heads/handover/42/prepare",
    });
    expect(got.data.object.sha).toBe(h.seed);

    const matching = await h.octokit.request("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", {
      ...r,
      ref: "heads/handover/",
    });
    expect(matching.data.map((m) => m.ref)).toEqual(["refs/heads/handover/42/prepare"]);

    const deleted = await h.octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", {
      ...r,
      ref: "heads/handover/42/prepare",
    });
    expect(deleted.status).toBe(204);
    expect(h.sim.branchSha("handover/42/prepare")).toBeUndefined();
    const again = await failure(
      h.octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ...r, ref: "heads/handover/42/prepare" }),
    );
    expect(again).toMatchObject({
      status: 422,
      data: { message: "Reference does not exist", documentation_url: "https://docs.github.com/rest" },
    });
    const missing = await failure(
      h.octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...r, ref: "heads/handover/42/prepare" }),
    );
    expect(missing).toMatchObject({
      status: 404,
      data: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
    });
  });

  it("answers 422 Reference already exists for a duplicate ref", async () => {
    await h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/x", sha: h.seed });
    const dup = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/x", sha: h.seed }),
    );
    expect(dup.status).toBe(422);
    expect(dup.data).toEqual({
      message: "Reference already exists",
      documentation_url: "https://docs.github.com/rest",
    });
  });

  it("refuses a non-fast-forward update unless forced", async () => {
    const ahead = await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    const sideways = await commitViaApi(h.octokit, h.seed, { "b.txt": "2\n" }, "other");
    const refused = await failure(
      h.octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
        ...r,
        ref: "heads/feature",
        sha: sideways,
        force: false,
      }),
    );
    expect(refused).toMatchObject({ status: 422, data: { message: "Update is not a fast forward" } });
    expect(h.sim.branchSha("feature")).toBe(ahead);

    const forced = await h.octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
      ...r,
      ref: "heads/feature",
      sha: sideways,
      force: true,
    });
    expect(forced.data.object.sha).toBe(sideways);
    const ff = await commitViaApi(h.octokit, sideways, { "c.txt": "3\n" }, "next");
    await h.octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...r, ref: "heads/feature", sha: ff });
    expect(h.sim.branchSha("feature")).toBe(ff);
  });
});

describe("contents, branches, commits, compare", () => {
  it("serves a file as base64 or raw, a directory as a list, and 404 otherwise", async () => {
    const file = await h.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...r,
      path: "clusters/a/app.yaml",
    });
    expect(file.data).toMatchObject({
      type: "file",
      encoding: "base64",
      path: "clusters/a/app.yaml",
      name: "app.yaml",
      size: 20,
    });
    const data = file.data as { content: string };
    expect(Buffer.from(data.content, "base64").toString()).toBe("name: a\nreplicas: 1\n");

    const raw = await h.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...r,
      path: "README.md",
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe("# config\n");

    const dir = await h.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...r, path: "clusters" });
    expect((dir.data as { type: string; path: string }[]).map((e) => [e.type, e.path])).toEqual([
      ["dir", "clusters/a"],
      ["dir", "clusters/b"],
    ]);

    const missing = await failure(
      h.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...r, path: "nope.yaml", ref: "main" }),
    );
    expect(missing.status).toBe(404);
  });

  it("reports branches, history and compare status", async () => {
    const feature = await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    const branch = await h.octokit.request("GET /repos/{owner}/{repo}/branches/{branch}", { ...r, branch: "feature" });
    expect(branch.data).toMatchObject({ name: "feature", commit: { sha: feature } });

    const history = await h.octokit.request("GET /repos/{owner}/{repo}/commits", { ...r, sha: "feature" });
    expect(history.data.map((c) => c.sha)).toEqual([feature, h.seed]);
    const single = await h.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...r, ref: feature });
    expect(single.data.files?.map((f) => [f.filename, f.status, f.additions, f.deletions])).toEqual([
      ["a.txt", "added", 1, 0],
    ]);

    const compare = (basehead: string) =>
      h.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { ...r, basehead });
    expect((await compare("main...feature")).data).toMatchObject({
      status: "ahead",
      ahead_by: 1,
      behind_by: 0,
      merge_base_commit: { sha: h.seed },
    });
    expect((await compare("feature...main")).data).toMatchObject({ status: "behind", ahead_by: 0, behind_by: 1 });
    expect((await compare("main...main")).data).toMatchObject({ status: "identical", ahead_by: 0, behind_by: 0 });
    h.sim.pushFiles("alice", "main", [{ path: "m.txt", content: "m\n" }], "on main");
    expect((await compare("main...feature")).data).toMatchObject({
      status: "diverged",
      ahead_by: 1,
      behind_by: 1,
      merge_base_commit: { sha: h.seed },
    });
  });

  it("answers GitHub's error shapes for unknown routes, bad JSON and missing fields", async () => {
    const unknown = await failure(h.octokit.request("GET /repos/{owner}/{repo}/nothing-here", r));
    expect(unknown.status).toBe(404);
    expect(unknown.data).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest" });

    const otherRepo = await failure(h.octokit.request("GET /repos/{owner}/{repo}", { owner: OWNER, repo: "other" }));
    expect(otherRepo.status).toBe(404);

    const badJson = await fetch(`${h.baseUrl}/repos/${OWNER}/${REPO}/git/refs`, {
      method: "POST",
      body: "{not json",
      headers: { authorization: "token x" },
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({
      message: "Problems parsing JSON",
      documentation_url: "https://docs.github.com/rest",
    });

    const noSha = await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/y" } as never),
    );
    expect(noSha.status).toBe(422);
    expect(noSha.data).toEqual({
      message: 'Invalid request.\n\n"sha" wasn\'t supplied.',
      documentation_url: "https://docs.github.com/rest",
    });
  });

  it("logs every request with its query, status, simulated time and write flag", async () => {
    h.clock.advance(60);
    await h.octokit.request("GET /repos/{owner}/{repo}", r);
    await h.octokit.request("GET /repos/{owner}/{repo}/pulls", { ...r, head: "acme:feature", state: "all" });
    await failure(
      h.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...r, ref: "refs/heads/main", sha: h.seed }),
    );
    const at = Date.UTC(2025, 0, 1, 0, 1);
    expect(h.sim.requests).toEqual([
      { method: "GET", path: "/repos/acme/config", query: "", write: false, status: 200, at },
      {
        method: "GET",
        path: "/repos/acme/config/pulls",
        query: "?head=acme%3Afeature&state=all",
        write: false,
        status: 200,
        at,
      },
      { method: "POST", path: "/repos/acme/config/git/refs", query: "", write: true, status: 422, at },
    ]);
  });

  it("serves the installation endpoints the App's auth uses", async () => {
    const token = await h.octokit.request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: 1,
    });
    expect(token.status).toBe(201);
    expect(token.data).toMatchObject({ token: "ghs_sim1", expires_at: "2025-01-01T01:00:00Z" });
    const installations = await h.octokit.request("GET /app/installations");
    expect(installations.data.map((i) => i.id)).toEqual([1]);
    const repos = await h.octokit.request("GET /installation/repositories");
    expect(repos.data.total_count).toBe(1);
    expect(repos.data.repositories[0]).toMatchObject({
      full_name: "acme/config",
      name: "config",
      default_branch: "main",
      owner: { login: "acme" },
    });
    const inst = await h.octokit.request("GET /repos/{owner}/{repo}/installation", r);
    expect(inst.data.id).toBe(1);
  });
});
