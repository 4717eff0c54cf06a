// GitHub's auto-merge in the simulator: GraphQL enablePullRequestAutoMerge refused as GitHub refuses it, the REST
// `auto_merge` field, and GitHub merging the PR by itself once its requirements are met, with the webhooks that follow.
import { describe, expect, it } from "vitest";
import { featurePull, OWNER, REPO, useSim } from "./helpers.js";

const r = { owner: OWNER, repo: REPO };
const h = useSim();
const MUTATION =
  "mutation($id: ID!, $method: PullRequestMergeMethod!) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) { pullRequest { number autoMergeRequest { enabledAt mergeMethod } } } }";

async function openPull(): Promise<{ number: number; nodeId: string; head: string }> {
  const data = await featurePull(h);
  return { number: data.number, nodeId: data.node_id, head: data.head.sha };
}

const enable = async (nodeId: string, method = "MERGE") =>
  (await h.octokit.request("POST /graphql", { query: MUTATION, variables: { id: nodeId, method } })).data;
const refusal = (message: string) => ({
  data: { enablePullRequestAutoMerge: null },
  errors: [
    {
      type: "UNPROCESSABLE",
      path: ["enablePullRequestAutoMerge"],
      // where the refused field starts in the query, as GitHub points at it
      locations: [{ line: 1, column: MUTATION.indexOf("enablePullRequestAutoMerge") + 1 }],
      message,
    },
  ],
});
const autoMergeOf = async (n: number) =>
  (await h.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...r, pull_number: n })).data.auto_merge;

describe("enablePullRequestAutoMerge", () => {
  it("a repo without allow_auto_merge refuses it; GET /repos says so", async () => {
    const pr = await openPull();
    h.sim.repo.settings.requiredChecks = ["ci"];
    expect((await h.octokit.request("GET /repos/{owner}/{repo}", r)).data).toMatchObject({
      allow_auto_merge: false,
      allow_merge_commit: true,
    });
    expect(await enable(pr.nodeId)).toEqual(refusal("Auto merge is not allowed for this repository"));
    expect(await autoMergeOf(pr.number)).toBeNull();
  });

  it.each([
    ["no requirement and nothing pending", [], "clean"],
    ["no requirement, an optional check still running", [["lint", "pending"]], "unstable"],
  ] as const)("%s: GitHub refuses it (nothing to wait for)", async (_, statuses, status) => {
    const pr = await openPull();
    h.sim.repo.settings.autoMerge = true;
    for (const [context, state] of statuses) h.sim.setStatus(pr.head, context, state);
    expect(await enable(pr.nodeId)).toEqual(refusal(`Pull request Pull request is in ${status} status`));
  });

  it("on, then merged by GitHub as the App once the required check passes: closed (merged) and push follow", async () => {
    const pr = await openPull();
    Object.assign(h.sim.repo.settings, { autoMerge: true, requiredChecks: ["ci"] });
    expect(await enable(pr.nodeId, "SQUASH")).toEqual({
      data: {
        enablePullRequestAutoMerge: {
          pullRequest: {
            number: pr.number,
            autoMergeRequest: { enabledAt: "2025-01-01T00:00:00Z", mergeMethod: "SQUASH" },
          },
        },
      },
    });
    expect(await autoMergeOf(pr.number)).toMatchObject({
      enabled_by: { login: "handover[bot]" },
      merge_method: "squash",
    });
    h.sim.setStatus(pr.head, "ci", "pending");
    expect(h.sim.listPulls()[0]?.pull.merged).toBe(false);
    h.sim.discardEvents();
    h.sim.setStatus(pr.head, "ci", "success");
    const merged = h.sim.listPulls()[0]?.pull;
    expect([merged?.merged, merged?.mergedBy, h.sim.commitParents(merged?.mergeCommitSha ?? "").length]).toEqual([
      true,
      "handover[bot]",
      1,
    ]);
    expect(h.sim.pendingEventNames()).toEqual(["status", "push", "pull_request.closed"]);
  });

  it("waits for required reviews too; closing the PR turns it off", async () => {
    const pr = await openPull();
    Object.assign(h.sim.repo.settings, { autoMerge: true, requiredReviews: 1 });
    expect(await enable(pr.nodeId)).toMatchObject({
      data: { enablePullRequestAutoMerge: { pullRequest: { number: pr.number } } },
    });
    h.sim.closePull(pr.number, "alice");
    expect(await autoMergeOf(pr.number)).toBeNull();
    expect(h.sim.listPulls()[0]?.closedBy).toBe("alice");
    h.sim.repo.reopenIssue(h.sim.repo.pull(pr.number), { login: "alice", type: "User" });
    expect(h.sim.listPulls()[0]?.closedBy).toBeNull();
    await enable(pr.nodeId);
    h.sim.setPermission("bob", "write");
    h.sim.approvePull(pr.number, "bob");
    expect(h.sim.listPulls()[0]?.pull.mergedBy).toBe("handover[bot]");
  });
});
