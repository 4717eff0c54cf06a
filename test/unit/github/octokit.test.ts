// OctokitPort against nock: the exact REST request of every port method (method, path, query, body), how the
// answer is mapped, and the conflict signals of GitHub (reference/probot.md section 5.2) turned into "found".
import { beforeEach, describe, expect, it, vi } from "vitest";
import type nock from "nock";
import { COMMITTER, issueNews, OctokitPort, PortMemory, pullNews, type PullInfo } from "../../../src/github/index.js";
import { github, octokit, useNock } from "./nock.js";
import { blobSha } from "../../../src/github/octokit.js";

const seen = useNock();
const R = "/repos/acme/config";

function port(repo = "config", memory = new PortMemory()): OctokitPort {
  return new OctokitPort(octokit(), "acme", repo, "handover[bot]", memory);
}

function b64(text: string | Buffer): string {
  return (typeof text === "string" ? Buffer.from(text, "utf8") : text).toString("base64");
}

/** A pull request as GitHub's REST API answers it (the fields the adapter reads, and some it does not). */
function pullJson(number: number, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: `https://api.github.com${R}/pulls/${number}`,
    id: 1000 + number,
    number,
    state: "open",
    locked: false,
    title: "[handover #1] Prepare replicore-b for Replicante Core 0.3.5",
    user: { login: "handover[bot]", type: "Bot" },
    body: "<!-- handover:step issue=1 step=prepare -->\nbody",
    created_at: "2026-05-01T10:00:00Z",
    updated_at: "2026-05-01T10:00:00Z",
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    draft: true,
    html_url: `https://github.com/acme/config/pull/${number}`,
    head: { label: "acme:handover/1/prepare", ref: "handover/1/prepare", sha: "head1" },
    base: { label: "acme:main", ref: "main", sha: "base1" },
    ...patch,
  };
}

/** A branch as GitHub's "get a branch" answers it: the head commit with its tree and parents. */
function branchJson(
  name: string,
  sha: string,
  tree = `tree-of-${sha}`,
  parents: string[] = [],
): Record<string, unknown> {
  return {
    name,
    commit: {
      sha,
      commit: { tree: { sha: tree }, committer: { name: "GitHub" }, message: "Merge pull request #3" },
      parents: parents.map((p) => ({ sha: p })),
    },
    protected: false,
  };
}

function done(scope: { isDone(): boolean; pendingMocks(): string[] }): void {
  expect(scope.pendingMocks()).toEqual([]);
  expect(scope.isDone()).toBe(true);
  expect(seen.unmatched).toEqual([]);
}

describe("git objects", () => {
  it("createCommit reads the parent's tree, writes one tree on top of it (content, or sha null to delete) and one commit by Handover", async () => {
    const scope = github(seen)
      .get(`${R}/git/commits/base1`)
      .reply(200, {
        sha: "base1",
        tree: { sha: "tree0" },
        parents: [{ sha: "root" }],
        committer: { name: "GitHub" },
        message: "m",
      })
      .post(`${R}/git/trees`, {
        base_tree: "tree0",
        tree: [
          { path: "clusters/replicore-b/deployment.yaml", mode: "100644", type: "blob", content: "kind: Deployment\n" },
          { path: ".github/handover.yml", mode: "100644", type: "blob", content: "clusters: {}\n" },
          { path: "clusters/replicore-a/conf.d/mongo.yaml", mode: "100644", type: "blob", sha: null },
        ],
      })
      .reply(201, { sha: "tree1", tree: [] })
      .post(`${R}/git/commits`, {
        message: "Prepare\n\nStep prepare",
        tree: "tree1",
        parents: ["base1"],
        author: COMMITTER,
        committer: COMMITTER,
      })
      .reply(201, { sha: "commit1", tree: { sha: "tree1" }, parents: [{ sha: "base1" }] });
    const sha = await port().createCommit(
      "base1",
      [
        { path: "clusters/replicore-b/deployment.yaml", action: "create", content: "kind: Deployment\n" },
        { path: ".github/handover.yml", action: "update", content: "clusters: {}\n" },
        { path: "clusters/replicore-a/conf.d/mongo.yaml", action: "delete", content: null },
      ],
      "Prepare\n\nStep prepare",
    );
    expect(sha).toBe("commit1");
    expect(COMMITTER).toEqual({ name: "Handover", email: "handover@users.noreply.github.com" });
    expect(seen.matched).toEqual([`GET ${R}/git/commits/base1`, `POST ${R}/git/trees`, `POST ${R}/git/commits`]);
    done(scope);
  });

  it("createCommit writes a change set once per parent and message, in flight or done; a failed write is written again", async () => {
    const changes = [{ path: "a.yaml", action: "update" as const, content: "a: 2\n" }];
    const tree = { base_tree: "tree0", tree: [{ path: "a.yaml", mode: "100644", type: "blob", content: "a: 2\n" }] };
    // One tree and one commit on p1, with this message, answered as `sha`.
    const writes = (on: nock.Scope, message: string, sha: string): nock.Scope =>
      on
        .post(`${R}/git/trees`, tree)
        .reply(201, { sha: "t1", tree: [] })
        .post(`${R}/git/commits`, { message, tree: "t1", parents: ["p1"], author: COMMITTER, committer: COMMITTER })
        .reply(201, { sha, tree: { sha: "t1" }, parents: [{ sha: "p1" }] });
    let scope = github(seen)
      .get(`${R}/git/commits/p1`)
      .reply(200, { sha: "p1", tree: { sha: "tree0" }, parents: [], committer: { name: "GitHub" }, message: "m" });
    scope = writes(scope, "step a", "c1");
    scope = writes(scope, "step a", "c0"); // another process (its own memory): its own commit
    scope = writes(scope, "step b", "c2"); // another message: another commit
    scope = writes(scope, "step a", "c3"); // the same changes in another array (computed again): written again
    // A write that fails is not remembered: the next call writes it.
    scope = writes(scope.post(`${R}/git/trees`, tree).reply(500, { message: "boom" }), "step c", "c4");
    const memory = new PortMemory();
    const p = port("config", memory);
    // Two callers at once (the work ahead, then the opening while its write is on the wire): one tree, one commit.
    expect(
      await Promise.all([p.createCommit("p1", changes, "step a"), p.createCommit("p1", changes, "step a")]),
    ).toEqual(["c1", "c1"]);
    // Later, from another adapter of the same process (the next reconcile's).
    expect(await port("config", memory).createCommit("p1", changes, "step a")).toBe("c1");
    expect(await port().createCommit("p1", changes, "step a")).toBe("c0");
    expect(await p.createCommit("p1", changes, "step b")).toBe("c2");
    expect(await p.createCommit("p1", [...changes], "step a")).toBe("c3");
    const failing = [...changes];
    await expect(p.createCommit("p1", failing, "step c")).rejects.toThrow();
    expect(await p.createCommit("p1", failing, "step c")).toBe("c4");
    expect(seen.matched).toEqual([
      `GET ${R}/git/commits/p1`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
    ]);
    done(scope);
  });

  it("createCommit takes a commit written ahead for an hour at most (GitHub may prune one no branch points to)", async () => {
    const changes = [{ path: "a.yaml", action: "update" as const, content: "a: 2\n" }];
    const scope = github(seen)
      .get(`${R}/git/commits/p2`)
      .reply(200, { sha: "p2", tree: { sha: "tree0" }, parents: [], committer: { name: "GitHub" }, message: "m" })
      .post(`${R}/git/trees`)
      .reply(201, { sha: "t1", tree: [] })
      .post(`${R}/git/commits`)
      .reply(201, { sha: "ahead", tree: { sha: "t1" }, parents: [{ sha: "p2" }] })
      .post(`${R}/git/trees`)
      .reply(201, { sha: "t1", tree: [] })
      .post(`${R}/git/commits`)
      .reply(201, { sha: "fresh", tree: { sha: "t1" }, parents: [{ sha: "p2" }] });
    const start = Date.parse("2026-05-01T10:00:00Z");
    const clock = vi.spyOn(Date, "now").mockReturnValue(start);
    try {
      const p = port();
      expect(await p.createCommit("p2", changes, "step")).toBe("ahead");
      clock.mockReturnValue(start + 59 * 60_000);
      expect(await p.createCommit("p2", changes, "step")).toBe("ahead");
      clock.mockReturnValue(start + 61 * 60_000);
      expect(await p.createCommit("p2", changes, "step")).toBe("fresh");
      expect(await p.createCommit("p2", changes, "step")).toBe("fresh");
    } finally {
      clock.mockRestore();
    }
    done(scope);
  });

  it("getCommit maps sha, tree, parents, committer name and message", async () => {
    const scope = github(seen)
      .get(`${R}/git/commits/c9`)
      .reply(200, {
        sha: "c9",
        tree: { sha: "t9", url: "x" },
        parents: [{ sha: "p1", url: "x" }, { sha: "p2" }],
        committer: { name: "Alice", email: "a@x", date: "2026-05-01T10:00:00Z" },
        author: { name: "Bob" },
        message: "fix it",
      });
    expect(await port().getCommit("c9")).toEqual({
      sha: "c9",
      tree: "t9",
      parents: ["p1", "p2"],
      committer: "Alice",
      message: "fix it",
    });
    done(scope);
  });

  it("contains is true for identical and ahead, false for behind and diverged (compare base...head)", async () => {
    const scope = github(seen)
      .get(`${R}/compare/base1...head1`)
      .reply(200, { status: "identical" })
      .get(`${R}/compare/base1...head1`)
      .reply(200, { status: "ahead" })
      .get(`${R}/compare/base1...head1`)
      .reply(200, { status: "behind" })
      .get(`${R}/compare/base1...head1`)
      .reply(200, { status: "diverged" });
    expect([
      await port().contains("head1", "base1"),
      await port().contains("head1", "base1"),
      await port().contains("head1", "base1"),
      await port().contains("head1", "base1"),
    ]).toEqual([true, true, false, false]);
    done(scope);
  });

  it("contains is false for histories with no commit in common (GitHub's 404 on the compare); another 404 throws", async () => {
    const scope = github(seen)
      .get(`${R}/compare/base1...orphan1`)
      .reply(404, {
        message: "No common ancestor between base1 and orphan1.",
        documentation_url: "https://docs.github.com/rest/commits/commits#compare-two-commits",
      })
      .get(`${R}/compare/base1...gone1`)
      .reply(404, { message: "Not Found" });
    expect(await port().contains("orphan1", "base1")).toBe(false);
    await expect(port().contains("gone1", "base1")).rejects.toMatchObject({ status: 404, message: /Not Found/ });
    done(scope);
  });

  it("defaultBranch reads the repo once, then only the branch (the next reconcile's adapter)", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, { name: "config", default_branch: "trunk" })
      .get(`${R}/branches/trunk`)
      .reply(200, branchJson("trunk", "s1"))
      .get(`${R}/branches/trunk`)
      .reply(200, branchJson("trunk", "s2"));
    expect(await port().defaultBranch()).toEqual({ name: "trunk", sha: "s1" });
    expect(await port().defaultBranch()).toEqual({ name: "trunk", sha: "s2" });
    expect(seen.matched).toEqual([`GET ${R}`, `GET ${R}/branches/trunk`, `GET ${R}/branches/trunk`]);
    done(scope);
  });

  it("the next reconcile's port knows the name too; a branch gone, or answered under its new name (GitHub follows a rename), reads the repository again", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, { name: "config", default_branch: "trunk" })
      .get(`${R}/branches/trunk`)
      .reply(200, branchJson("trunk", "s1"))
      .get(`${R}/branches/trunk`)
      .reply(200, branchJson("trunk", "s1"))
      .get(`${R}/branches/trunk`)
      .reply(404, { message: "Branch not found" })
      .get(R)
      .reply(200, { name: "config", default_branch: "main" })
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "s2"))
      // Renamed again: the old name's read ends at the new branch (a 301 the client follows).
      .get(`${R}/branches/main`)
      .reply(200, branchJson("develop", "s3"))
      .get(R)
      .reply(200, { name: "config", default_branch: "develop" })
      .get(`${R}/branches/develop`)
      .reply(200, branchJson("develop", "s3"));
    expect(await port().defaultBranch()).toEqual({ name: "trunk", sha: "s1" });
    expect(await port().defaultBranch()).toEqual({ name: "trunk", sha: "s1" });
    expect(await port().defaultBranch()).toEqual({ name: "main", sha: "s2" });
    expect(await port().defaultBranch()).toEqual({ name: "develop", sha: "s3" });
    expect(seen.matched).toEqual([
      `GET ${R}`,
      `GET ${R}/branches/trunk`,
      `GET ${R}/branches/trunk`,
      `GET ${R}/branches/trunk`,
      `GET ${R}`,
      `GET ${R}/branches/main`,
      `GET ${R}/branches/main`,
      `GET ${R}`,
      `GET ${R}/branches/develop`,
    ]);
    done(scope);
  });

  it("the branch read carries its head commit: read again by sha, it costs no request", async () => {
    const scope = github(seen)
      .get(R)
      .reply(200, { name: "config", default_branch: "main" })
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "m7", "t7", ["p1", "p2"]));
    const p = port();
    expect(await p.defaultBranch()).toEqual({ name: "main", sha: "m7" });
    expect(await p.getCommit("m7")).toEqual({
      sha: "m7",
      tree: "t7",
      parents: ["p1", "p2"],
      committer: "GitHub",
      message: "Merge pull request #3",
    });
    expect(seen.matched).toEqual([`GET ${R}`, `GET ${R}/branches/main`]);
    done(scope);
  });

  it("a head whose tree is one Handover made (its step PR merged, squashed or not) is read from memory: same files, same map", async () => {
    const yaml = "a: 1\n";
    const scope = github(seen)
      .get(`${R}/git/trees/base9`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "tree0",
        truncated: false,
        tree: [{ path: "a.yaml", type: "blob", mode: "100644", sha: blobSha(yaml), size: 5 }],
      })
      .get(`/repos/acme/config/git/blobs/${blobSha(yaml)}`)
      .reply(200, { content: b64(yaml), encoding: "base64" })
      .post(`${R}/git/trees`)
      .reply(201, { sha: "tree1", tree: [] })
      .post(`${R}/git/commits`)
      .reply(201, { sha: "step9", tree: { sha: "tree1" }, parents: [{ sha: "base9" }] })
      .get(R)
      .reply(200, { name: "config", default_branch: "main" })
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "merge9", "tree1", ["base9", "step9"]))
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "other9", "tree2", ["merge9"]))
      .get(`${R}/git/trees/other9`)
      .query({ recursive: "1" })
      .reply(200, { sha: "tree2", truncated: false, tree: [] });
    const p = port();
    await p.readTree("base9");
    await p.createCommit("base9", [{ path: "b.yaml", action: "create", content: "b: 2\n" }], "Step");
    const step = await p.readTree("step9");
    expect(Object.fromEntries(step)).toEqual({ "a.yaml": yaml, "b.yaml": "b: 2\n" });
    await p.defaultBranch();
    expect(await p.readTree("merge9")).toBe(step);
    expect(await p.listTree("merge9")).toEqual(await p.listTree("step9"));
    // A head with another tree is read.
    await port().defaultBranch();
    expect(await port().listTree("other9")).toEqual([]);
    expect(seen.matched).toEqual([
      `GET ${R}/git/trees/base9?recursive=1`,
      `GET ${R}/git/blobs/${blobSha(yaml)}`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `GET ${R}`,
      `GET ${R}/branches/main`,
      `GET ${R}/branches/main`,
      `GET ${R}/git/trees/other9?recursive=1`,
    ]);
    done(scope);
  });

  it("a head whose tree is known waits for a tree listing on the wire: a PR head with that tree answers for it", async () => {
    const scope = github(seen)
      .get(`${R}/git/trees/pr5`)
      .query({ recursive: "1" })
      .delay(30)
      .reply(200, {
        sha: "tree5",
        truncated: false,
        tree: [{ path: "x.yaml", type: "blob", mode: "100644", sha: "bx", size: 3 }],
      })
      .get(R)
      .reply(200, { name: "config", default_branch: "main" })
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "merge5", "tree5", ["base5", "pr5"]));
    // A guard lists the PR's head while a reconcile reads the default branch, now its merge.
    const guard = port().listTree("pr5");
    const reconcile = port();
    await reconcile.defaultBranch();
    const [head, merged] = await Promise.all([guard, reconcile.listTree("merge5")]);
    expect(merged).toEqual([{ path: "x.yaml", sha: "bx", size: 3 }]);
    expect(merged).toBe(head);
    expect(seen.matched).toEqual([`GET ${R}/git/trees/pr5?recursive=1`, `GET ${R}`, `GET ${R}/branches/main`]);
    done(scope);
  });

  it("getBranch answers the head sha, or undefined on 404", async () => {
    const scope = github(seen)
      .get(`${R}/git/ref/heads/handover/1/prepare`)
      .reply(200, { ref: "refs/heads/handover/1/prepare", object: { sha: "h1", type: "commit" } })
      .get(`${R}/git/ref/heads/handover/1/gone`)
      .reply(404, { message: "Not Found" });
    expect(await port().getBranch("handover/1/prepare")).toBe("h1");
    expect(await port().getBranch("handover/1/gone")).toBeUndefined();
    done(scope);
  });
});

describe("branches", () => {
  it("createBranch POSTs the full ref and answers true on 201", async () => {
    const scope = github(seen)
      .post(`${R}/git/refs`, { ref: "refs/heads/handover/1/prepare", sha: "c1" })
      .reply(201, { ref: "refs/heads/handover/1/prepare", object: { sha: "c1" } });
    expect(await port().createBranch("handover/1/prepare", "c1")).toBe(true);
    done(scope);
  });

  it('createBranch answers false on 422 "Reference already exists"', async () => {
    const scope = github(seen).post(`${R}/git/refs`, { ref: "refs/heads/handover/1/prepare", sha: "c1" }).reply(422, {
      message: "Reference already exists",
      documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference",
      status: "422",
    });
    expect(await port().createBranch("handover/1/prepare", "c1")).toBe(false);
    done(scope);
  });

  it.each([
    [422, { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' }],
    [403, { message: "Resource not accessible by integration" }],
    [500, { message: "Server Error" }],
  ])("createBranch throws any other error (%i)", async (status, data) => {
    const scope = github(seen).post(`${R}/git/refs`).reply(status, data);
    await expect(port().createBranch("handover/1/prepare", "c1")).rejects.toMatchObject({ status });
    done(scope);
  });

  it("moveBranch forces the ref to the new commit only while the head is the expected one", async () => {
    const ref = `${R}/git/ref/heads/handover/1/prepare`;
    const scope = github(seen)
      .get(ref)
      .reply(200, { object: { sha: "c1" } })
      .patch(`${R}/git/refs/heads/handover/1/prepare`, { sha: "c2", force: true })
      .reply(200, { object: { sha: "c2" } })
      .get(ref)
      .reply(200, { object: { sha: "c-person" } })
      .get(ref)
      .reply(404, { message: "Not Found" })
      .get(ref)
      .reply(200, { object: { sha: "c1" } })
      .patch(`${R}/git/refs/heads/handover/1/prepare`, { sha: "c4", force: true })
      .reply(500, { message: "Server Error" });
    expect(await port().moveBranch("handover/1/prepare", "c2", "c1")).toBe(true);
    expect(await port().moveBranch("handover/1/prepare", "c3", "c1")).toBe(false);
    expect(await port().moveBranch("handover/1/prepare", "c3", "c1")).toBe(false);
    await expect(port().moveBranch("handover/1/prepare", "c4", "c1")).rejects.toMatchObject({ status: 500 });
    expect(seen.matched.filter((r) => r.startsWith("PATCH"))).toHaveLength(2);
    done(scope);
  });

  it('deleteBranch DELETEs the ref and ignores 422 "Reference does not exist" and 404', async () => {
    const scope = github(seen)
      .delete(`${R}/git/refs/heads/handover/1/prepare`)
      .reply(204)
      .delete(`${R}/git/refs/heads/handover/1/prepare`)
      .reply(422, {
        message: "Reference does not exist",
        documentation_url: "https://docs.github.com/rest/git/refs#delete-a-reference",
      })
      .delete(`${R}/git/refs/heads/handover/1/prepare`)
      .reply(404, { message: "Not Found" });
    const p = port();
    await p.deleteBranch("handover/1/prepare");
    await p.deleteBranch("handover/1/prepare");
    await p.deleteBranch("handover/1/prepare");
    expect(seen.matched).toEqual(Array(3).fill(`DELETE ${R}/git/refs/heads/handover/1/prepare`));
    done(scope);
  });

  it("deleteBranch throws other errors", async () => {
    const scope = github(seen)
      .delete(`${R}/git/refs/heads/handover/1/prepare`)
      .reply(403, { message: "Resource not accessible by integration" });
    await expect(port().deleteBranch("handover/1/prepare")).rejects.toMatchObject({ status: 403 });
    done(scope);
  });
});

describe("pull requests", () => {
  const expectedPull: PullInfo = {
    number: 7,
    state: "open",
    merged: false,
    mergedAt: null,
    mergeCommitSha: null,
    headRef: "handover/1/prepare",
    headSha: "head1",
    baseRef: "main",
    author: "handover[bot]",
    body: "<!-- handover:step issue=1 step=prepare -->\nbody",
    draft: true,
    url: "https://github.com/acme/config/pull/7",
    mergeable: null,
    createdAt: Date.parse("2026-05-01T10:00:00Z"),
  };
  const newPull = {
    branch: "handover/1/prepare",
    title: "[handover #1] Prepare replicore-b for Replicante Core 0.3.5",
    body: "<!-- handover:step issue=1 step=prepare -->\nbody",
    draft: true,
  };
  const postBody = { title: newPull.title, head: "handover/1/prepare", base: "main", body: newPull.body, draft: true };

  /** A PR's base is the default branch's name: the repository is read for it (once per process), not the ref. */
  function repoAndMain(scope: ReturnType<typeof github>): ReturnType<typeof github> {
    return scope.get(R).reply(200, { default_branch: "main" });
  }

  it("createPull POSTs title, head, base (the default branch), body and draft, and maps the answer", async () => {
    const scope = repoAndMain(github(seen)).post(`${R}/pulls`, postBody).reply(201, pullJson(7));
    expect(await port().createPull(newPull)).toEqual(expectedPull);
    expect(seen.matched).toEqual([`GET ${R}`, `POST ${R}/pulls`]);
    done(scope);
  });

  it("the adapter that opened a PR knows it: findPull and its comments ask nothing; another adapter reads them", async () => {
    const scope = repoAndMain(github(seen))
      .post(`${R}/pulls`, postBody)
      .reply(201, pullJson(7))
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, [pullJson(7)])
      .get(`${R}/pulls/7`)
      .reply(200, pullJson(7, { mergeable: true }))
      .get(`${R}/issues/7/comments`)
      .query(true)
      .reply(200, []);
    const p = port();
    await p.createPull(newPull);
    expect(await p.findPull("handover/1/prepare")).toEqual(expectedPull);
    expect(await p.listComments(7)).toEqual([]);
    expect(seen.matched).toEqual([`GET ${R}`, `POST ${R}/pulls`]);
    const next = port();
    expect(await next.findPull("handover/1/prepare")).toEqual({ ...expectedPull, mergeable: true });
    expect(await next.listComments(7)).toEqual([]);
    expect(seen.matched.slice(2)).toEqual([
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fprepare&state=all&per_page=100`,
      `GET ${R}/pulls/7`,
      `GET ${R}/issues/7/comments?per_page=100&page=1`,
    ]);
    done(scope);
  });

  it("createPull on 422 drafts not supported opens a normal PR titled wipTitle, once", async () => {
    const wip = { ...newPull, wipTitle: "[handover #1] [WIP] Prepare replicore-b for Replicante Core 0.3.5" };
    const scope = repoAndMain(github(seen))
      .post(`${R}/pulls`, postBody)
      .reply(422, {
        message: "Draft pull requests are not supported in this repository.",
        documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
      })
      .post(`${R}/pulls`, { ...postBody, title: wip.wipTitle, draft: false })
      .reply(201, pullJson(7, { title: wip.wipTitle, draft: false }));
    expect(await port().createPull(wip)).toEqual({ ...expectedPull, draft: false });
    expect(seen.matched).toEqual([`GET ${R}`, `POST ${R}/pulls`, `POST ${R}/pulls`]);
    done(scope);
  });

  it("ensureLabels lists the repo's labels and creates only the missing ones (any case counts; a racing create is fine)", async () => {
    const scope = github(seen)
      .get(`${R}/labels`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ name: "Handover" }, { name: "bug" }])
      .post(`${R}/labels`, { name: "handover:running", color: "0e8a16", description: "running" })
      .reply(201, {})
      .post(`${R}/labels`, { name: "handover:done", color: "5319e7", description: "done" })
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "Label", code: "already_exists", field: "name" }],
      });
    const memory = new PortMemory();
    await port("config", memory).ensureLabels([
      { name: "handover", color: "1d76db", description: "migration" },
      { name: "handover:running", color: "0e8a16", description: "running" },
      { name: "handover:done", color: "5319e7", description: "done" },
    ]);
    expect(seen.matched).toEqual([`GET ${R}/labels?per_page=100&page=1`, `POST ${R}/labels`, `POST ${R}/labels`]);
    done(scope);
    // Listed once per App process (its memory): a label seen or made is there, another is made without listing.
    const later = github(seen)
      .post(`${R}/labels`, { name: "handover:paused", color: "fbca04", description: "paused" })
      .reply(201, {});
    await port("config", memory).ensureLabels([
      { name: "BUG", color: "000000", description: "seen in the listing" },
      { name: "handover:running", color: "0e8a16", description: "made" },
      { name: "handover:done", color: "5319e7", description: "made by another replica" },
    ]);
    await port("config", memory).ensureLabels([{ name: "handover:paused", color: "fbca04", description: "paused" }]);
    expect(seen.matched.slice(3)).toEqual([`POST ${R}/labels`]);
    done(later);
    // Another repository's labels are its own.
    const other = github(seen)
      .get("/repos/acme/other/labels")
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ name: "bug" }]);
    await port("other", memory).ensureLabels([{ name: "bug", color: "000000", description: "b" }]);
    done(other);
  });

  it('createPull on 422 "A pull request already exists" finds that PR by head and state=all, with no second POST', async () => {
    const scope = repoAndMain(github(seen))
      .post(`${R}/pulls`, postBody)
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: "A pull request already exists for acme:handover/1/prepare.",
          },
        ],
        documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
      })
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, [pullJson(7)])
      .get(`${R}/pulls/7`)
      .reply(200, pullJson(7, { mergeable: true, mergeable_state: "clean" }));
    expect(await port().createPull(newPull)).toEqual({ ...expectedPull, mergeable: true, mergeableState: "clean" });
    expect(seen.matched).toEqual([
      `GET ${R}`,
      `POST ${R}/pulls`,
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fprepare&state=all&per_page=100`,
      `GET ${R}/pulls/7`,
    ]);
    done(scope);
  });

  it("createPull rethrows the 422 when no PR for the branch can be found", async () => {
    const scope = repoAndMain(github(seen))
      .post(`${R}/pulls`, postBody)
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: "A pull request already exists for acme:handover/1/prepare.",
          },
        ],
      })
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, []);
    await expect(port().createPull(newPull)).rejects.toMatchObject({ status: 422 });
    done(scope);
  });

  it("createPull throws other 422s without looking for a PR", async () => {
    const scope = repoAndMain(github(seen))
      .post(`${R}/pulls`, postBody)
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
      });
    await expect(port().createPull(newPull)).rejects.toMatchObject({ status: 422 });
    expect(seen.matched).toEqual([`GET ${R}`, `POST ${R}/pulls`]);
    done(scope);
  });

  it("findPull asks for every state and picks the newest (highest number); merged comes from merged_at in a list", async () => {
    const scope = github(seen)
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, [
        pullJson(7, { state: "closed", closed_at: "2026-05-01T11:00:00Z" }),
        pullJson(12, {
          state: "closed",
          draft: false,
          merged_at: "2026-05-02T09:30:00Z",
          merge_commit_sha: "m12",
          head: { ref: "handover/1/prepare", sha: "head12" },
        }),
        pullJson(9, { state: "closed" }),
      ]);
    expect(await port().findPull("handover/1/prepare")).toEqual({
      number: 12,
      state: "closed",
      merged: true,
      mergedAt: Date.parse("2026-05-02T09:30:00Z"),
      mergeCommitSha: "m12",
      headRef: "handover/1/prepare",
      headSha: "head12",
      baseRef: "main",
      author: "handover[bot]",
      body: "<!-- handover:step issue=1 step=prepare -->\nbody",
      draft: false,
      url: "https://github.com/acme/config/pull/12",
      mergeable: null,
      createdAt: Date.parse("2026-05-01T10:00:00Z"),
    });
    expect(seen.matched).toEqual([`GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fprepare&state=all&per_page=100`]);
    done(scope);
  });

  it("findPull reads an open newest PR on its own, for mergeable (only the single-PR answer has it)", async () => {
    const scope = github(seen)
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, [pullJson(3, { state: "closed" }), pullJson(8)])
      .get(`${R}/pulls/8`)
      .reply(200, pullJson(8, { mergeable: false, mergeable_state: "dirty", draft: false }));
    expect(await port().findPull("handover/1/prepare")).toEqual({
      ...expectedPull,
      number: 8,
      draft: false,
      url: "https://github.com/acme/config/pull/8",
      mergeable: false,
      mergeableState: "dirty",
    });
    expect(seen.matched).toEqual([
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fprepare&state=all&per_page=100`,
      `GET ${R}/pulls/8`,
    ]);
    done(scope);
  });

  it("an open PR whose known head has the default branch's head as its one parent merges by construction: no single read", async () => {
    const head = { label: "acme:handover/1/prepare", ref: "handover/1/prepare", sha: "head1" };
    const listing = () => [pullJson(8, { head, draft: false })];
    const scope = github(seen)
      .get(`${R}/git/commits/head1`)
      .reply(200, { sha: "head1", tree: { sha: "t1" }, parents: [{ sha: "main1" }], committer: { name: "Handover" } })
      .get(R)
      .reply(200, { default_branch: "main" })
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "main1"))
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, listing());
    const p = port();
    await p.getCommit("head1");
    await p.defaultBranch();
    expect((await p.findPull("handover/1/prepare"))?.mergeable).toBe(true);
    expect(seen.matched).toEqual([
      `GET ${R}/git/commits/head1`,
      `GET ${R}`,
      `GET ${R}/branches/main`,
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fprepare&state=all&per_page=100`,
    ]);
    done(scope);
    // The default branch moved on: only GitHub can tell whether the head still merges.
    const moved = github(seen)
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "main2"))
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, listing())
      .get(`${R}/pulls/8`)
      .reply(200, pullJson(8, { head, draft: false, mergeable: false }));
    const next = port();
    await next.defaultBranch();
    expect((await next.findPull("handover/1/prepare"))?.mergeable).toBe(false);
    expect(seen.matched.slice(4)).toEqual([
      `GET ${R}/branches/main`,
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fprepare&state=all&per_page=100`,
      `GET ${R}/pulls/8`,
    ]);
    done(moved);
  });

  it("an open PR whose head commit is not known yet, or before the default branch was read, is read on its own", async () => {
    const head = { label: "acme:handover/1/prepare", ref: "handover/1/prepare", sha: "head1" };
    const scope = github(seen)
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, [pullJson(8, { head })])
      .get(`${R}/pulls/8`)
      .reply(200, pullJson(8, { head, mergeable: true }));
    expect((await port().findPull("handover/1/prepare"))?.mergeable).toBe(true);
    expect(seen.matched).toEqual([
      `GET ${R}/pulls?head=acme%3Ahandover%2F1%2Fprepare&state=all&per_page=100`,
      `GET ${R}/pulls/8`,
    ]);
    done(scope);
  });

  it("observed: the default branch's head, the issue and the newest PR of a branch as read, fingerprinted as webhooks carry them", async () => {
    const issue = { number: 1, title: "Upgrade", body: "b", state: "open", user: { login: "alice" }, labels: [] };
    const scope = github(seen)
      .get(R)
      .reply(200, { default_branch: "main" })
      .get(`${R}/branches/main`)
      .reply(200, branchJson("main", "main1"))
      .get(`${R}/issues/1`)
      .reply(200, issue)
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, [
        pullJson(3, { state: "closed" }),
        pullJson(8, { state: "closed", merged_at: "2026-05-02T09:30:00Z" }),
      ]);
    const p = port();
    expect(p.observed()).toEqual({ issues: new Map(), pulls: new Map() });
    await p.defaultBranch();
    await p.getIssue(1);
    await p.findPull("handover/1/prepare");
    expect(p.observed()).toEqual({
      head: "main1",
      issues: new Map([[1, issueNews(issue)]]),
      pulls: new Map([[8, pullNews(pullJson(8, { state: "closed", merged_at: "2026-05-02T09:30:00Z" }))]]),
    });
    done(scope);
  });

  it("migrationPulls lists newest first and stops at the first page reaching a PR older than the issue", async () => {
    const side = (owner: string, ref: string, sha: string) => ({ head: { label: `${owner}:${ref}`, ref, sha } });
    // Page 1: PRs 250..151, among them two of #100's steps, one of #10's, and a fork's PR on a look-alike branch.
    const page1 = Array.from({ length: 100 }, (_, i) => {
      const n = 250 - i;
      if (n === 240) return pullJson(n, side("acme", "handover/100/release-a", "h240"));
      if (n === 230) return pullJson(n, side("mallory", "handover/100/adopt-a", "h230"));
      if (n === 220) return pullJson(n, side("acme", "handover/10/adopt-a", "h220"));
      if (n === 200) return pullJson(n, { state: "closed", ...side("acme", "handover/100/release-a", "h200") });
      return pullJson(n, side("acme", `feature/${n}`, `h${n}`));
    });
    // Page 2 reaches #99, older than the issue: nothing after it can be the migration's, so page 3 is not asked.
    const page2 = [
      pullJson(150, {
        state: "closed",
        merged_at: "2026-05-02T09:30:00Z",
        ...side("acme", "handover/100/prepare", "h150"),
      }),
      pullJson(99, side("acme", "handover/100/prepare", "h99")),
      ...Array.from({ length: 98 }, (_, i) => pullJson(98 - i, side("acme", `feature/${98 - i}`, "x"))),
    ];
    const query = { state: "all", sort: "created", direction: "desc", per_page: "100" };
    const scope = github(seen)
      .get(`${R}/pulls`)
      .query({ ...query, page: "1" })
      .reply(200, page1)
      .get(`${R}/pulls`)
      .query({ ...query, page: "2" })
      .reply(200, page2);
    const p = port();
    const found = await p.migrationPulls(100);
    expect([...found.entries()].map(([branch, pr]) => [branch, pr.number, pr.headSha, pr.merged])).toEqual([
      ["handover/100/release-a", 240, "h240", false],
      ["handover/100/prepare", 150, "h150", true],
    ]);
    expect(seen.matched).toEqual([
      `GET ${R}/pulls?state=all&sort=created&direction=desc&per_page=100&page=1`,
      `GET ${R}/pulls?state=all&sort=created&direction=desc&per_page=100&page=2`,
    ]);
    done(scope);
    // The same adapter answers the migration's branches from the listing: only an open PR is read, for mergeable.
    const single = github(seen)
      .get(`${R}/pulls/240`)
      .reply(200, pullJson(240, { mergeable: true, ...side("acme", "handover/100/release-a", "h240") }));
    expect(await p.findPull("handover/100/adopt-a")).toBeUndefined();
    expect((await p.findPull("handover/100/prepare"))?.number).toBe(150);
    expect((await p.findPull("handover/100/release-a"))?.mergeable).toBe(true);
    expect(seen.matched.slice(2)).toEqual([`GET ${R}/pulls/240`]);
    done(single);
  });

  it("findPull answers undefined when there is none", async () => {
    const scope = github(seen)
      .get(`${R}/pulls`)
      .query({ head: "acme:handover/1/prepare", state: "all", per_page: "100" })
      .reply(200, []);
    expect(await port().findPull("handover/1/prepare")).toBeUndefined();
    done(scope);
  });

  it("updatePull PATCHes only the given fields and gives the PR as GitHub answers (a merged one stays merged)", async () => {
    const merged = { state: "closed", merged: true, merged_at: "2026-05-01T11:00:00Z", merge_commit_sha: "m7" };
    const scope = github(seen)
      .patch(`${R}/pulls/7`, { state: "closed" })
      .reply(200, pullJson(7, merged))
      .patch(`${R}/pulls/7`, { title: "t", body: "b" })
      .reply(200, pullJson(7));
    const closed = await port().updatePull(7, { state: "closed" });
    expect([closed.number, closed.state, closed.merged, closed.mergeCommitSha, closed.mergedAt]).toEqual([
      7,
      "closed",
      true,
      "m7",
      Date.parse("2026-05-01T11:00:00Z"),
    ]);
    expect((await port().updatePull(7, { title: "t", body: "b" })).merged).toBe(false);
    done(scope);
  });
  it.each([
    ["merged meanwhile: the merge is the answer", true],
    ["not merged: GitHub's refusal stands", false],
  ])("updatePull: a close GitHub refuses (422) re-reads the PR, %s", async (_name, merged) => {
    const state = merged
      ? { state: "closed", merged: true, merged_at: "2026-05-01T11:00:00Z", merge_commit_sha: "m7" }
      : { state: "open" };
    const scope = github(seen)
      .patch(`${R}/pulls/7`, { state: "closed" })
      .reply(422, { message: "Validation Failed" })
      .get(`${R}/pulls/7`)
      .reply(200, pullJson(7, state));
    const closing = port().updatePull(7, { state: "closed" });
    if (merged) expect((await closing).mergeCommitSha).toBe("m7");
    else await expect(closing).rejects.toMatchObject({ status: 422 });
    expect(seen.matched).toEqual([`PATCH ${R}/pulls/7`, `GET ${R}/pulls/7`]);
    done(scope);
  });
});

describe("issues, comments, labels, reactions", () => {
  it("getIssue maps labels (objects or names) and tells PRs apart", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, {
        number: 42,
        title: "Migrate",
        body: "### Source cluster",
        state: "open",
        user: { login: "alice", type: "User" },
        labels: [
          { id: 1, name: "handover" },
          { id: 2, name: "handover:running" },
        ],
      })
      .get(`${R}/issues/7`)
      .reply(200, {
        number: 7,
        title: "PR",
        body: null,
        state: "closed",
        labels: ["handover"],
        pull_request: { url: "x" },
      });
    expect(await port().getIssue(42)).toEqual({
      number: 42,
      title: "Migrate",
      body: "### Source cluster",
      state: "open",
      labels: ["handover", "handover:running"],
      isPullRequest: false,
      author: "alice",
    });
    expect(await port().getIssue(7)).toEqual({
      number: 7,
      title: "PR",
      body: "",
      state: "closed",
      labels: ["handover"],
      isPullRequest: true,
      author: "",
    });
    done(scope);
  });

  function comment(id: number, patch: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id,
      body: `c${id}`,
      user: { login: "alice", type: "User" },
      created_at: "2026-05-01T10:00:00Z",
      updated_at: "2026-05-01T10:00:00Z",
      ...patch,
    };
  }

  it("listComments reads 100 a page, asks for page 2 when page 1 is full, and maps author, bot and edited", async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => comment(i + 1));
    page1[0] = comment(1, { user: { login: "handover[bot]", type: "Bot" }, body: "<!-- handover:dashboard -->" });
    page1[1] = comment(2, { updated_at: "2026-05-01T10:05:00Z" });
    const scope = github(seen)
      .get(`${R}/issues/42/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, page1)
      .get(`${R}/issues/42/comments`)
      .query({ per_page: "100", page: "2" })
      .reply(200, [comment(101, { body: null, user: null })]);
    const comments = await port().listComments(42);
    expect(comments).toHaveLength(101);
    expect(comments.slice(0, 3)).toEqual([
      {
        id: 1,
        body: "<!-- handover:dashboard -->",
        author: "handover[bot]",
        authorIsBot: true,
        createdAt: Date.parse("2026-05-01T10:00:00Z"),
        edited: false,
      },
      {
        id: 2,
        body: "c2",
        author: "alice",
        authorIsBot: false,
        createdAt: Date.parse("2026-05-01T10:00:00Z"),
        edited: true,
      },
      {
        id: 3,
        body: "c3",
        author: "alice",
        authorIsBot: false,
        createdAt: Date.parse("2026-05-01T10:00:00Z"),
        edited: false,
      },
    ]);
    expect(comments[100]).toEqual({
      id: 101,
      body: "",
      author: "",
      authorIsBot: false,
      createdAt: Date.parse("2026-05-01T10:00:00Z"),
      edited: false,
    });
    expect(seen.matched).toEqual([
      `GET ${R}/issues/42/comments?per_page=100&page=1`,
      `GET ${R}/issues/42/comments?per_page=100&page=2`,
    ]);
    done(scope);
  });

  it("listComments keeps GitHub's reaction count; reactedBy lists who reacted", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [comment(7, { reactions: { total_count: 2, "+1": 1, rocket: 1 } })])
      .get(`${R}/issues/comments/7/reactions`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [
        { id: 1, content: "+1", user: { login: "bob" } },
        { id: 2, content: "rocket", user: { login: "handover[bot]" } },
      ]);
    const p = port();
    expect((await p.listComments(42)).map((c) => [c.id, c.reactions])).toEqual([[7, 2]]);
    expect(await p.reactedBy(7)).toEqual(["bob", "handover[bot]"]);
    expect(seen.matched).toEqual([
      `GET ${R}/issues/42/comments?per_page=100&page=1`,
      `GET ${R}/issues/comments/7/reactions?per_page=100&page=1`,
    ]);
    done(scope);
  });

  it("listComments stops after a page that is not full", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [comment(1)]);
    expect(await port().listComments(42)).toHaveLength(1);
    done(scope);
  });

  it("createComment, updateComment, deleteComment (404 ignored) and addReaction send exactly their bodies", async () => {
    const scope = github(seen)
      .post(`${R}/issues/42/comments`, { body: "hello" })
      .reply(201, { id: 555, body: "hello" })
      .patch(`${R}/issues/comments/555`, { body: "edited" })
      .reply(200, { id: 555 })
      .delete(`${R}/issues/comments/555`)
      .reply(204)
      .delete(`${R}/issues/comments/556`)
      .reply(404, { message: "Not Found" })
      .post(`${R}/issues/comments/9/reactions`, { content: "rocket" })
      .reply(201, { id: 1, content: "rocket" });
    const p = port();
    expect(await p.createComment(42, "hello")).toBe(555);
    await p.updateComment(555, "edited");
    await p.deleteComment(555);
    await p.deleteComment(556);
    await p.addReaction(9, "rocket");
    done(scope);
  });

  it("addLabels POSTs the names to add; setLabels PUTs the whole set", async () => {
    const scope = github(seen)
      .post(`${R}/issues/42/labels`, { labels: ["handover:waiting"] })
      .reply(200, [{ name: "handover:waiting" }])
      .put(`${R}/issues/42/labels`, { labels: ["handover", "bug", "handover:done"] })
      .reply(200, [{ name: "handover" }, { name: "bug" }, { name: "handover:done" }]);
    const p = port();
    await p.addLabels(42, ["handover:waiting"]);
    await p.setLabels(42, ["handover", "bug", "handover:done"]);
    expect(seen.matched).toEqual([`POST ${R}/issues/42/labels`, `PUT ${R}/issues/42/labels`]);
    done(scope);
  });

  it("setLabels throws GitHub's errors", async () => {
    const scope = github(seen)
      .put(`${R}/issues/42/labels`)
      .reply(403, { message: "Resource not accessible by integration" });
    await expect(port().setLabels(42, ["handover"])).rejects.toMatchObject({ status: 403 });
    done(scope);
  });

  it.each([
    [{ permission: "write", role_name: "maintain" }, "maintain"],
    [{ permission: "read", role_name: "triage" }, "triage"],
    [{ permission: "admin", role_name: "admin" }, "admin"],
    [{ permission: "write", role_name: "write" }, "write"],
    [{ permission: "write", role_name: "release-manager" }, "write"],
    [{ permission: "read", role_name: "read" }, "read"],
    [{ permission: "none", role_name: "none" }, "none"],
  ])("permission maps %j to %s", async (answer, expected) => {
    const scope = github(seen)
      .get(`${R}/collaborators/alice/permission`)
      .reply(200, { ...answer, user: { login: "alice" } });
    expect(await port().permission("alice")).toBe(expected);
    done(scope);
  });

  it("permission is none on 404 (not a collaborator), and the login is encoded", async () => {
    const scope = github(seen)
      .get(`${R}/collaborators/dependabot%5Bbot%5D/permission`)
      .reply(404, { message: "Not Found" });
    expect(await port().permission("dependabot[bot]")).toBe("none");
    done(scope);
  });

  it.each([
    [200, { state: "active", role: "member" }, { member: true }],
    [200, { state: "pending", role: "member" }, { member: false }],
    [404, { message: "Not Found" }, { member: false }],
    [
      403,
      { message: "Resource not accessible by integration" },
      {
        member: false,
        problem:
          "Handover cannot read the members of acme/db-leads (the App needs the organization permission members: read)",
      },
    ],
  ])("teamMember: %i %j -> %j", async (status, answer, expected) => {
    const scope = github(seen).get("/orgs/acme/teams/db-leads/memberships/erin").reply(status, answer);
    expect(await port().teamMember("acme/db-leads", "erin")).toStrictEqual(expected);
    done(scope);
  });

  it("openMigrationIssues lists open issues labelled handover and drops pull requests", async () => {
    const scope = github(seen)
      .get(`${R}/issues`)
      .query({ labels: "handover", state: "open", per_page: "100", page: "1" })
      .reply(200, [{ number: 42 }, { number: 43, pull_request: { url: "x", merged_at: null } }, { number: 44 }]);
    expect(await port().openMigrationIssues()).toEqual([42, 44]);
    done(scope);
  });
});

describe("readTree", () => {
  it("reads the recursive tree and every blob, skips binaries, trees and submodules, and caches by sha", async () => {
    const scope = github(seen)
      .get(`${R}/git/trees/rt1`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "rt1",
        truncated: false,
        tree: [
          { path: "clusters", mode: "040000", type: "tree", sha: "t-dir" },
          { path: "clusters/a.yaml", mode: "100644", type: "blob", sha: "blob-a", size: 9 },
          { path: "logo.png", mode: "100644", type: "blob", sha: "blob-png", size: 8 },
          { path: "vendor/lib", mode: "160000", type: "commit", sha: "sub1" },
          { path: "README.md", mode: "100644", type: "blob", sha: "blob-readme", size: 9 },
        ],
      })
      .get(`${R}/git/blobs/blob-a`)
      .reply(200, { sha: "blob-a", encoding: "base64", content: b64("kind: a\n") })
      .get(`${R}/git/blobs/blob-png`)
      .reply(200, {
        sha: "blob-png",
        encoding: "base64",
        content: b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00])),
      })
      .get(`${R}/git/blobs/blob-readme`)
      .reply(200, { sha: "blob-readme", encoding: "utf-8", content: "# config\n" });
    const p = port();
    const tree = await p.readTree("rt1");
    expect([...tree.entries()]).toEqual([
      ["clusters/a.yaml", "kind: a\n"],
      ["README.md", "# config\n"],
    ]);
    expect(seen.matched).toEqual([
      `GET ${R}/git/trees/rt1?recursive=1`,
      `GET ${R}/git/blobs/blob-a`,
      `GET ${R}/git/blobs/blob-png`,
      `GET ${R}/git/blobs/blob-readme`,
    ]);
    done(scope);

    // the same sha again, even from another adapter: no request at all, and the same read-only map (what was
    // computed from it is found again by identity)
    const again = await port().readTree("rt1");
    expect(again).toBe(tree);
    expect([...again.keys()]).toEqual(["clusters/a.yaml", "README.md"]);
    expect(seen.matched).toHaveLength(4);
    expect(seen.unmatched).toEqual([]);
  });

  it("a blob already read is not fetched again for another tree", async () => {
    const scope = github(seen)
      .get(`${R}/git/trees/rt2`)
      .query({ recursive: "1" })
      .reply(200, { sha: "rt2", truncated: false, tree: [{ path: "b.yaml", type: "blob", sha: "blob-b" }] })
      .get(`${R}/git/blobs/blob-b`)
      .reply(200, { encoding: "base64", content: b64("b: 1\n") })
      .get(`${R}/git/trees/rt3`)
      .query({ recursive: "1" })
      .reply(200, { sha: "rt3", truncated: false, tree: [{ path: "moved/b.yaml", type: "blob", sha: "blob-b" }] });
    const p = port();
    expect([...(await p.readTree("rt2")).entries()]).toEqual([["b.yaml", "b: 1\n"]]);
    expect([...(await p.readTree("rt3")).entries()]).toEqual([["moved/b.yaml", "b: 1\n"]]);
    done(scope);
  });

  it("what Handover commits is known without reading it back: the commit, its files on a parent read before, its blobs", async () => {
    const mongo = "- cluster_id: mongo\n";
    const scope = github(seen)
      .get(`${R}/git/trees/base1`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "tree0",
        truncated: false,
        tree: [
          { path: "a.yaml", type: "blob", sha: "blob-a" },
          { path: "gone.yaml", type: "blob", sha: "blob-gone" },
        ],
      })
      .get(`${R}/git/blobs/blob-a`)
      .reply(200, { encoding: "utf-8", content: "a: 1\n" })
      .get(`${R}/git/blobs/blob-gone`)
      .reply(200, { encoding: "utf-8", content: "gone: 1\n" })
      // the base tree comes from the listing: no read of the parent commit
      .post(`${R}/git/trees`, (body) => body.base_tree === "tree0")
      .reply(201, { sha: "tree1" })
      .post(`${R}/git/commits`)
      .reply(201, { sha: "c1", tree: { sha: "tree1" }, committer: { name: "Handover" }, message: "step" })
      // a merge commit holding the same files: its listing is read, none of its blobs (named by their content)
      .get(`${R}/git/trees/merge1`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "tree1",
        truncated: false,
        tree: [
          { path: "a.yaml", type: "blob", sha: "blob-a" },
          { path: "conf.d/mongo.yaml", type: "blob", sha: blobSha(mongo) },
        ],
      });
    const p = port();
    await p.readTree("base1");
    const sha = await p.createCommit(
      "base1",
      [
        { path: "conf.d/mongo.yaml", action: "create", content: mongo },
        { path: "gone.yaml", action: "delete", content: null },
      ],
      "step",
    );
    const after = [
      ["a.yaml", "a: 1\n"],
      ["conf.d/mongo.yaml", mongo],
    ];
    expect([...(await p.readTree(sha)).entries()]).toEqual(after);
    expect(await p.getCommit(sha)).toEqual({
      sha: "c1",
      tree: "tree1",
      parents: ["base1"],
      committer: "Handover",
      message: "step",
    });
    expect([...(await p.readTree("merge1")).entries()]).toEqual(after);
    // the guard on its PR: the paths the commit changed, no read of the PR's files, and the commit's listing (blob
    // names are content-addressed), no read of its tree
    expect(await p.changedFiles(9, sha)).toEqual(["conf.d/mongo.yaml", "gone.yaml"]);
    expect(await p.listTree(sha)).toEqual([
      { path: "a.yaml", sha: "blob-a", size: 0 },
      { path: "conf.d/mongo.yaml", sha: blobSha(mongo), size: Buffer.byteLength(mongo) },
    ]);
    expect(seen.matched).toEqual([
      `GET ${R}/git/trees/base1?recursive=1`,
      `GET ${R}/git/blobs/blob-a`,
      `GET ${R}/git/blobs/blob-gone`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `GET ${R}/git/trees/merge1?recursive=1`,
    ]);
    done(scope);
  });

  it("two readers of one new tree at once share one read", async () => {
    const scope = github(seen)
      .get(`${R}/git/trees/rt5`)
      .query({ recursive: "1" })
      .reply(200, { sha: "rt5", truncated: false, tree: [{ path: "c.yaml", type: "blob", sha: "blob-c" }] })
      .get(`${R}/git/blobs/blob-c`)
      .reply(200, { encoding: "utf-8", content: "c: 1\n" });
    const [one, two] = await Promise.all([port().readTree("rt5"), port().readTree("rt5")]);
    expect([...one.entries()]).toEqual([["c.yaml", "c: 1\n"]]);
    expect([...two.entries()]).toEqual([["c.yaml", "c: 1\n"]]);
    expect(seen.matched).toEqual([`GET ${R}/git/trees/rt5?recursive=1`, `GET ${R}/git/blobs/blob-c`]);
    done(scope);
  });

  it("two new trees read at once that hold one new file read it once", async () => {
    // A guard reads a PR's head while a reconcile reads the default branch, both with the PR's new file.
    const scope = github(seen)
      .get(`${R}/git/trees/rt6`)
      .query({ recursive: "1" })
      .reply(200, { sha: "rt6", truncated: false, tree: [{ path: "d.yaml", type: "blob", sha: "blob-d" }] })
      .get(`${R}/git/trees/rt7`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: "rt7",
        truncated: false,
        tree: [
          { path: "d.yaml", type: "blob", sha: "blob-d" },
          { path: "e.yaml", type: "blob", sha: "blob-e" },
        ],
      })
      .get(`${R}/git/blobs/blob-d`)
      .reply(200, { encoding: "utf-8", content: "d: 1\n" })
      .get(`${R}/git/blobs/blob-e`)
      .reply(200, { encoding: "utf-8", content: "e: 1\n" });
    const [one, two] = await Promise.all([port().readTree("rt6"), port().readTree("rt7")]);
    expect([...one.entries()]).toEqual([["d.yaml", "d: 1\n"]]);
    expect([...two.entries()]).toEqual([
      ["d.yaml", "d: 1\n"],
      ["e.yaml", "e: 1\n"],
    ]);
    expect(seen.matched.filter((r) => r.includes("/git/blobs/"))).toEqual([
      `GET ${R}/git/blobs/blob-d`,
      `GET ${R}/git/blobs/blob-e`,
    ]);
    done(scope);
  });

  it("a truncated listing is an error, not a partial tree", async () => {
    const scope = github(seen)
      .get(`${R}/git/trees/rt4`)
      .query({ recursive: "1" })
      .reply(200, { sha: "rt4", truncated: true, tree: [] });
    await expect(port().readTree("rt4")).rejects.toThrow("the tree of rt4 is too large for GitHub to list at once");
    done(scope);
  });
});

describe("the guard's check run on a commit this App made", () => {
  it("moments after the commit nothing is read; the run it wrote is answered from memory; another App reads", async () => {
    const scope = github(seen)
      .get(`${R}/git/commits/base1`)
      .reply(200, { sha: "base1", tree: { sha: "tree0" }, committer: { name: "x" }, message: "", parents: [] })
      .post(`${R}/git/trees`)
      .reply(201, { sha: "tree1" })
      .post(`${R}/git/commits`)
      .reply(201, { sha: "c1", tree: { sha: "tree1" }, committer: { name: "Handover" }, message: "step" })
      .post(`${R}/check-runs`)
      .reply(201, {})
      .get(`${R}/commits/c1/check-runs`)
      .query({ check_name: "handover/guard", per_page: "100" })
      .reply(200, { total_count: 1, check_runs: [{ id: 3, conclusion: "success", output: { title: "ok" } }] });
    const memory = new PortMemory();
    const mine = () => new OctokitPort(octokit(), "acme", "config", "handover[bot]", memory);
    const sha = await mine().createCommit("base1", [{ path: "a.yaml", action: "create", content: "a: 1\n" }], "step");
    expect(await mine().findCheckRun(sha, "handover/guard")).toBeUndefined();
    await mine().createCheckRun(sha, "handover/guard", {
      conclusion: "success",
      output: { title: "ok", summary: "s", annotations: [] },
    });
    expect(await mine().findCheckRun(sha, "handover/guard")).toEqual({ conclusion: "success", title: "ok" });
    expect(await port().findCheckRun(sha, "handover/guard")).toEqual({ conclusion: "success", title: "ok" });
    expect(seen.matched).toEqual([
      `GET ${R}/git/commits/base1`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/check-runs`,
      `GET ${R}/commits/c1/check-runs?check_name=handover%2Fguard&per_page=100`,
    ]);
    done(scope);
  });
});

describe("health reads", () => {
  it("statuses and check runs are paginated (check runs from the check_runs key); deployments by environment", async () => {
    const scope = github(seen)
      .get(`${R}/commits/m1/statuses`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ context: "ci", state: "success", created_at: "2026-05-01T10:00:00Z" }])
      .get(`${R}/commits/m1/check-runs`)
      .query({ per_page: "100", page: "1" })
      .reply(200, { total_count: 1, check_runs: [{ name: "build", status: "completed", conclusion: "success" }] })
      .get(`${R}/deployments`)
      .query({ environment: "replicore-b", per_page: "30" })
      .reply(200, [{ id: 5, environment: "replicore-b", created_at: "2026-05-01T10:00:00Z" }])
      .get(`${R}/deployments/5/statuses`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ id: 1, state: "success", created_at: "2026-05-01T10:01:00Z" }]);
    const p = port();
    expect(await p.statuses("m1")).toEqual([{ context: "ci", state: "success", created_at: "2026-05-01T10:00:00Z" }]);
    expect(await p.checkRuns("m1")).toEqual([{ name: "build", status: "completed", conclusion: "success" }]);
    expect(await p.deployments("replicore-b")).toEqual([
      { id: 5, environment: "replicore-b", created_at: "2026-05-01T10:00:00Z" },
    ]);
    expect(await p.deploymentStatuses(5)).toEqual([{ id: 1, state: "success", created_at: "2026-05-01T10:01:00Z" }]);
    done(scope);
  });
});

describe("health reads of a gate that cannot pass yet (quiet)", () => {
  const status = { context: "ci", state: "success", created_at: "2026-05-01T10:00:00Z" };
  let memory = new PortMemory(true);
  beforeEach(() => {
    memory = new PortMemory(true);
  });
  const statuses = (scope: nock.Scope, sha: string, answer: unknown[]) =>
    scope.get(`${R}/commits/${sha}/statuses`).query({ per_page: "100", page: "1" }).reply(200, answer);

  it("asks nothing about what was neither read nor reported on: nothing is reported yet", async () => {
    const p = port("config", new PortMemory(true));
    expect(await p.statuses("m1", { since: 0 })).toEqual([]);
    expect(await p.checkRuns("m1", { since: 0 })).toEqual([]);
    expect(await p.deployments("replicore-b", { since: 0 })).toEqual([]);
    expect(await p.deploymentStatuses(5, { since: 0 })).toEqual([]);
    expect(seen.matched).toEqual([]);
    expect(seen.unmatched).toEqual([]);
  });

  it("answers what it read last until a webhook reports on that very thing, then asks again", async () => {
    const first = statuses(github(seen), "m1", []);
    const p = port("config", memory);
    expect(await p.statuses("m1")).toEqual([]);
    done(first);
    // Reports on another commit and another kind of read do not make this one stale.
    memory.noteHealth("acme", "config", [{ kind: "statuses", id: "m2" }], 1_000);
    memory.noteHealth("acme", "config", [{ kind: "check-runs", id: "m1" }], 1_000);
    memory.noteHealth("acme", "other", [{ kind: "statuses", id: "m1" }], 1_000);
    expect(await port("config", memory).statuses("m1", { since: 0 })).toEqual([]);
    expect(seen.matched).toEqual([`GET ${R}/commits/m1/statuses?per_page=100&page=1`]);
    memory.noteHealth("acme", "config", [{ kind: "statuses", id: "m1" }], 2_000);
    const second = statuses(github(seen), "m1", [status]);
    expect(await port("config", memory).statuses("m1", { since: 0 })).toEqual([status]);
    done(second);
    // Read since the report: the answer stands again.
    expect(await port("config", memory).statuses("m1", { since: 0 })).toEqual([status]);
    expect(seen.matched).toHaveLength(2);
  });

  it("a report heard before `since` cannot change the verdict (a deployment made before the gate): not read", async () => {
    memory.noteHealth("acme", "config", [{ kind: "deployments", id: "replicore-b" }], 1_000);
    expect(await port("config", memory).deployments("replicore-b", { since: 5_000 })).toEqual([]);
    expect(seen.matched).toEqual([]);
    const scope = github(seen)
      .get(`${R}/deployments`)
      .query({ environment: "replicore-b", per_page: "30" })
      .reply(200, [{ id: 5, environment: "replicore-b", created_at: "2026-05-01T10:00:00Z" }]);
    memory.noteHealth("acme", "config", [{ kind: "deployments", id: "replicore-b" }], 6_000);
    expect(await port("config", memory).deployments("replicore-b", { since: 5_000 })).toEqual([
      { id: 5, environment: "replicore-b", created_at: "2026-05-01T10:00:00Z" },
    ]);
    done(scope);
  });

  it("a process that hears no webhooks (a CLI) reads every check, quiet or not", async () => {
    const scope = statuses(statuses(github(seen), "m1", [status]), "m1", [status]);
    const cli = new PortMemory();
    expect(await port("config", cli).statuses("m1", { since: 0 })).toEqual([status]);
    expect(await port("config", cli).statuses("m1", { since: 0 })).toEqual([status]);
    done(scope);
  });

  it("a read that is not quiet always asks (answered 304 from memory while nothing changed)", async () => {
    const scope = github(seen)
      .get(`${R}/commits/m1/statuses`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [status], { etag: 'W/"s1"' })
      .get(`${R}/commits/m1/statuses`)
      .query({ per_page: "100", page: "1" })
      .matchHeader("if-none-match", 'W/"s1"')
      .reply(304);
    expect(await port("config", memory).statuses("m1")).toEqual([status]);
    expect(await port("config", memory).statuses("m1")).toEqual([status]);
    done(scope);
  });
});

describe("reading ahead (prefetch)", () => {
  const issue = { number: 42, title: "Migrate", body: "b", state: "open", user: { login: "alice" }, labels: [] };

  it("starts every read at once, answers each first ask from it, and remembers the reads of things that change", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .delay(30)
      .reply(200, issue)
      .get(`${R}/git/ref/heads/main`)
      .delay(30)
      .reply(200, { object: { sha: "main1" } });
    const p = port();
    p.prefetch([
      { path: "/issues/42", params: {} },
      { path: "/git/ref/heads/main", params: {} },
    ]);
    // Both requests are out before anybody asks (nock takes an interceptor when the request is sent, not answered).
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(scope.pendingMocks()).toEqual([]);
    expect((await p.getIssue(42)).title).toBe("Migrate");
    expect(await p.getBranch("main")).toBe("main1");
    expect(seen.matched).toEqual([`GET ${R}/issues/42`, `GET ${R}/git/ref/heads/main`]);
    done(scope);
    // A second ask before any write is the first answer; a commit (named by its sha, never changing) is not
    // remembered for the next reconcile.
    const again = github(seen)
      .get(`${R}/git/commits/c1`)
      .reply(200, { sha: "c1", tree: { sha: "t1" }, parents: [], committer: { name: "a" }, message: "m" });
    expect((await p.getIssue(42)).title).toBe("Migrate");
    await p.getCommit("c1");
    expect(seen.matched).toEqual([`GET ${R}/issues/42`, `GET ${R}/git/ref/heads/main`, `GET ${R}/git/commits/c1`]);
    done(again);
    expect(p.readsMade()).toEqual([
      { path: "/issues/42", params: {} },
      { path: "/git/ref/heads/main", params: {} },
    ]);
  });

  it("an adapter asks once per read until it writes (a later round of its reconcile); after a write it asks again", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, issue)
      .put(`${R}/issues/42/labels`, { labels: ["handover:running"] })
      .reply(200, [])
      .get(`${R}/issues/42`)
      .reply(200, { ...issue, labels: [{ name: "handover:running" }] });
    const p = port();
    expect((await p.getIssue(42)).labels).toEqual([]);
    expect((await p.getIssue(42)).labels).toEqual([]);
    await p.setLabels(42, ["handover:running"]);
    expect((await p.getIssue(42)).labels).toEqual(["handover:running"]);
    expect(seen.matched).toEqual([`GET ${R}/issues/42`, `PUT ${R}/issues/42/labels`, `GET ${R}/issues/42`]);
    done(scope);
  });

  it("reading a tree or a blob (named by its sha, never changing) is no write: the reads before it still answer", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, issue)
      .get(`${R}/git/trees/c42`)
      .query({ recursive: "1" })
      .reply(200, { sha: "t42", truncated: false, tree: [{ path: "a.yaml", type: "blob", sha: "b42", size: 5 }] })
      .get(`${R}/git/blobs/b42`)
      .reply(200, { content: b64("a: 1\n"), encoding: "base64" });
    const p = port();
    await p.getIssue(42);
    expect(Object.fromEntries(await p.readTree("c42"))).toEqual({ "a.yaml": "a: 1\n" });
    expect((await p.getIssue(42)).title).toBe("Migrate");
    expect(seen.matched).toEqual([
      `GET ${R}/issues/42`,
      `GET ${R}/git/trees/c42?recursive=1`,
      `GET ${R}/git/blobs/b42`,
    ]);
    done(scope);
  });

  it("a write is decided on a fresh read: the issue before a label write, the comments before a state write, the branch head before a forced move", async () => {
    const comment = (id: number) => ({
      id,
      body: "b",
      user: { login: "bob", type: "User" },
      created_at: "x",
      updated_at: "x",
    });
    const scope = github(seen)
      .get(`${R}/issues/42/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [comment(1)])
      .get(`${R}/issues/42/comments`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [comment(1), comment(2)])
      .get(`${R}/issues/42`)
      .reply(200, issue)
      .get(`${R}/issues/42`)
      .reply(200, { ...issue, labels: [{ name: "freeze" }] })
      .get(`${R}/git/ref/heads/handover/42/prepare`)
      .reply(200, { object: { sha: "mine" } })
      .get(`${R}/git/ref/heads/handover/42/prepare`)
      .reply(200, { object: { sha: "pushed" } });
    const p = port();
    expect((await p.listComments(42)).map((c) => c.id)).toEqual([1]);
    expect((await p.listComments(42)).map((c) => c.id)).toEqual([1]);
    expect((await p.listComments(42, true)).map((c) => c.id)).toEqual([1, 2]);
    expect((await p.getIssue(42)).labels).toEqual([]);
    expect((await p.getIssue(42, true)).labels).toEqual(["freeze"]);
    expect(await p.getBranch("handover/42/prepare")).toBe("mine");
    // a person pushed meanwhile: the move is not made
    expect(await p.moveBranch("handover/42/prepare", "new", "mine")).toBe(false);
    done(scope);
  });

  it("a write drops what was read ahead and not asked for yet: the read after it sees the write", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, { ...issue, labels: [] })
      .post(`${R}/issues/42/labels`, { labels: ["handover:running"] })
      .reply(200, [])
      .get(`${R}/issues/42`)
      .reply(200, { ...issue, labels: [{ name: "handover:running" }] });
    const p = port();
    p.prefetch([{ path: "/issues/42", params: {} }]);
    await p.addLabels(42, ["handover:running"]);
    expect((await p.getIssue(42)).labels).toEqual(["handover:running"]);
    await p.quiet(); // the dropped read has its answer: nothing is left in flight after the reconcile
    expect(seen.matched).toEqual([`GET ${R}/issues/42`, `POST ${R}/issues/42/labels`, `GET ${R}/issues/42`]);
    done(scope);
  });

  it("one-off reads (the repo's labels, the listing that rebuilds a lost state) are not read ahead next time", async () => {
    const scope = github(seen)
      .get(`${R}/labels`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [{ name: "handover" }])
      .get(`${R}/pulls`)
      .query({ state: "all", sort: "created", direction: "desc", per_page: "100", page: "1" })
      .reply(200, [])
      .get(`${R}/issues/42`)
      .reply(200, issue);
    const p = port();
    await p.ensureLabels([{ name: "handover", color: "1d76db", description: "migration" }]);
    await p.migrationPulls(42);
    await p.getIssue(42);
    expect(p.readsMade()).toEqual([{ path: "/issues/42", params: {} }]);
    done(scope);
  });

  it("a gate's reads are left out of the next reconcile's reads ahead once the gate stopped running", async () => {
    const scope = github(seen)
      .get(`${R}/commits/m1/statuses`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [])
      .get(`${R}/commits/m1/check-runs`)
      .query({ per_page: "100", page: "1" })
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${R}/deployments`)
      .query({ environment: "production", per_page: "30" })
      .reply(200, [{ id: 5, sha: "m1", environment: "production", created_at: "2026-01-01T00:00:00Z" }])
      .get(`${R}/deployments/5/statuses`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [])
      .get(`${R}/commits/h1/check-runs`)
      .query({ check_name: "handover/guard", per_page: "100" })
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${R}/issues/42`)
      .reply(200, issue);
    const p = port();
    await p.statuses("m1");
    await p.checkRuns("m1");
    await p.deployments("production");
    await p.deploymentStatuses(5);
    await p.findCheckRun("h1", "handover/guard");
    await p.getIssue(42);
    const guard = { path: "/commits/h1/check-runs", params: { check_name: "handover/guard", per_page: 100 } };
    const issueRead = { path: "/issues/42", params: {} };
    expect(p.readsMade()).toEqual([
      { path: "/commits/m1/statuses", params: { per_page: 100, page: 1 } },
      { path: "/commits/m1/check-runs", params: { per_page: 100, page: 1 } },
      { path: "/deployments", params: { environment: "production", per_page: 30 } },
      { path: "/deployments/5/statuses", params: { per_page: 100, page: 1 } },
      guard,
      issueRead,
    ]);
    // The guard's own check run on a head is not one of a gate's reads.
    expect(p.readsMade(false)).toEqual([guard, issueRead]);
    done(scope);
  });

  it("a read that failed (a branch not made yet: 404) is not read ahead by the next reconcile", async () => {
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, issue)
      .get(`${R}/git/ref/heads/handover/42/prepare`)
      .reply(404, { message: "Not Found" })
      .get(`${R}/git/ref/heads/main`)
      .reply(200, { object: { sha: "main1" } });
    const p = port();
    await p.getIssue(42);
    expect(await p.getBranch("handover/42/prepare")).toBeUndefined();
    expect(await p.getBranch("main")).toBe("main1");
    expect(p.readsMade()).toEqual([
      { path: "/issues/42", params: {} },
      { path: "/git/ref/heads/main", params: {} },
    ]);
    done(scope);
  });

  it("a read ahead that fails fails the ask that takes it up, as the read itself would", async () => {
    const scope = github(seen).get(`${R}/git/ref/heads/handover/42/prepare`).reply(404, { message: "Not Found" });
    const p = port();
    p.prefetch([{ path: "/git/ref/heads/handover/42/prepare", params: {} }]);
    expect(await p.getBranch("handover/42/prepare")).toBeUndefined();
    expect(seen.matched).toEqual([`GET ${R}/git/ref/heads/handover/42/prepare`]);
    done(scope);
  });
});
