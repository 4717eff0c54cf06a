// GitHub's merge queue in the simulator: a direct merge refused, "Merge when ready" making the PR's merge group (its
// branch, commit and merge_group webhook), the group landing once the required checks pass on it, and a PR leaving the
// queue when a check fails on its group or its branch is pushed to.
import { describe, expect, it } from "vitest";
import { actorFor } from "../../../src/sim/core.js";
import { featurePull, OWNER, REPO, useSim } from "./helpers.js";

const r = { owner: OWNER, repo: REPO };
const h = useSim();

async function queued(): Promise<{ number: number; head: string; base: string; nodeId: string }> {
  Object.assign(h.sim.repo.settings, { mergeQueue: true, requiredChecks: ["guard"] });
  const data = await featurePull(h);
  h.sim.setStatus(data.head.sha, "guard", "success");
  return { number: data.number, head: data.head.sha, base: h.sim.branchSha("main") ?? "", nodeId: data.node_id };
}

const ENQUEUE =
  "mutation($id: ID!, $head: GitObjectID!) { enqueuePullRequest(input: {pullRequestId: $id, expectedHeadOid: $head}) { mergeQueueEntry { position pullRequest { number } } } }";
const enqueue = async (id: string, head: string) =>
  (await h.octokit.request("POST /graphql", { query: ENQUEUE, variables: { id, head } })).data;

describe("the merge queue", () => {
  it("refuses a direct merge; queuing makes the group on the base's tip and asks for its checks", async () => {
    const pr = await queued();
    const refused = await h.octokit
      .request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { ...r, pull_number: pr.number })
      .catch((err: { status: number; response: { data: unknown } }) => [err.status, err.response.data]);
    expect(refused).toEqual([
      405,
      expect.objectContaining({ message: "Changes must be made through the merge queue" }),
    ]);
    h.sim.discardEvents();
    h.sim.enqueuePull(pr.number, "alice");
    const group = h.sim.repo.pull(pr.number).pull.queued;
    const branch = `gh-readonly-queue/main/pr-${pr.number}-${pr.base}`;
    expect(group).toEqual({ by: "alice", sha: h.sim.branchSha(branch), branch, baseSha: pr.base, at: h.clock.now() });
    expect(h.sim.commitParents(group?.sha ?? "")).toEqual([pr.base, pr.head]);
    expect(h.sim.pendingEventNames()).toEqual([
      "pull_request.enqueued",
      "create",
      "push",
      "merge_group.checks_requested",
    ]);
    expect(h.sim.listPulls()[0]?.pull.merged).toBe(false);
  });

  it("lands the group once its required checks pass: the base moves to the group's commit, merged by who queued it", async () => {
    const pr = await queued();
    h.sim.enqueuePull(pr.number, "alice");
    const sha = h.sim.repo.pull(pr.number).pull.queued?.sha ?? "";
    h.sim.setStatus(sha, "guard", "pending");
    expect(h.sim.listPulls()[0]?.pull.merged).toBe(false);
    h.sim.discardEvents();
    h.sim.setStatus(sha, "guard", "success");
    const merged = h.sim.listPulls()[0]?.pull;
    expect([merged?.merged, merged?.mergedBy, merged?.mergeCommitSha, merged?.queued]).toEqual([
      true,
      "alice",
      sha,
      null,
    ]);
    expect(h.sim.branchSha("main")).toBe(sha);
    expect([...h.sim.repo.refs.keys()].filter((ref) => ref.includes("gh-readonly-queue"))).toEqual([]);
    expect(h.sim.pendingEventNames()).toEqual([
      "status",
      "push",
      "push",
      "delete",
      "merge_group.destroyed",
      "pull_request.closed",
    ]);
  });

  it("a group whose required check never reports leaves the queue after GitHub's 60-minute timeout", async () => {
    const pr = await queued();
    h.sim.enqueuePull(pr.number, "alice");
    h.clock.advance(59 * 60);
    h.sim.tick();
    expect(h.sim.repo.pull(pr.number).pull.queued).not.toBeNull();
    h.clock.advance(60);
    h.sim.discardEvents();
    h.sim.tick();
    expect(h.sim.repo.pull(pr.number).pull.queued).toBeNull();
    expect(h.sim.pendingEventNames()).toEqual(["push", "delete", "merge_group.destroyed", "pull_request.dequeued"]);
  });

  it("a failing check on the group, or a push to the PR's branch, takes the PR out of the queue", async () => {
    const pr = await queued();
    h.sim.enqueuePull(pr.number, "alice");
    h.sim.setStatus(h.sim.repo.pull(pr.number).pull.queued?.sha ?? "", "guard", "failure");
    expect(h.sim.repo.pull(pr.number).pull.queued).toBeNull();
    h.sim.enqueuePull(pr.number, "alice");
    h.sim.pushFiles("dana", "feature", [{ path: "b.txt", content: "2\n" }], "more");
    expect(h.sim.repo.pull(pr.number).pull.queued).toBeNull();
    expect(h.sim.listPulls()[0]?.pull.merged).toBe(false);
    expect([...h.sim.repo.refs.keys()].filter((ref) => ref.includes("gh-readonly-queue"))).toEqual([]);
  });

  it("GraphQL enqueuePullRequest is Merge when ready, at the head named; another head is refused and queues nothing", async () => {
    const pr = await queued();
    expect(await enqueue(pr.nodeId, "0".repeat(40))).toEqual({
      data: { enqueuePullRequest: null },
      errors: [
        expect.objectContaining({
          type: "UNPROCESSABLE",
          path: ["enqueuePullRequest"],
          message: "Head branch was modified. Review and try the merge again.",
        }),
      ],
    });
    expect(h.sim.repo.pull(pr.number).pull.queued ?? null).toBeNull();
    expect(await enqueue(pr.nodeId, pr.head)).toEqual({
      data: { enqueuePullRequest: { mergeQueueEntry: { position: 1, pullRequest: { number: pr.number } } } },
    });
    expect(h.sim.repo.pull(pr.number).pull.queued).toMatchObject({ by: "handover[bot]", baseSha: pr.base });
  });

  it("auto-merge adds the PR to the queue once its requirements are met, not again at a head whose group failed", async () => {
    Object.assign(h.sim.repo.settings, { mergeQueue: true, requiredChecks: ["guard"], autoMerge: true });
    const data = await featurePull(h);
    h.sim.repo.enableAutoMerge(h.sim.repo.pull(data.number), actorFor("bot"), "merge");
    expect(h.sim.repo.pull(data.number).pull.queued ?? null).toBeNull();
    h.sim.setStatus(data.head.sha, "guard", "success");
    const group = h.sim.repo.pull(data.number).pull.queued;
    expect(group).toMatchObject({ by: "bot" });
    h.sim.setStatus(group?.sha ?? "", "guard", "failure");
    expect(h.sim.repo.pull(data.number).pull.queued).toBeNull();
    h.sim.discardEvents();
    h.sim.setStatus(data.head.sha, "guard", "success");
    expect(h.sim.pendingEventNames()).toEqual(["status"]);
    // A push is a new head: queued again once its checks pass.
    h.sim.pushFiles("dana", "feature", [{ path: "b.txt", content: "2\n" }], "fix");
    h.sim.setStatus(h.sim.repo.pull(data.number).pull.headSha, "guard", "success");
    expect(h.sim.repo.pull(data.number).pull.queued).toMatchObject({ by: "bot" });
    expect(h.sim.listPulls()[0]?.pull.merged).toBe(false);
  });
});
