import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../../src/sim/index.js";
import { uuidFrom } from "../../../src/sim/webhooks.js";
import { branchWithCommit, OWNER, REPO, SECRET, startSim, type Harness } from "./helpers.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: webhook JSON, read field by field
  payload: Record<string, any>;
}

/** A stand-in for the App's webhook endpoint on 127.0.0.1. */
async function receiver(status = 200): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body, payload: JSON.parse(body) });
      res.writeHead(status).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, received, server };
}

function signatureValid(r: Received): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(r.body).digest("hex")}`);
  const got = Buffer.from(String(r.headers["x-hub-signature-256"]));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const name = (r: Received) =>
  r.payload.action ? `${r.headers["x-github-event"]}.${r.payload.action}` : String(r.headers["x-github-event"]);

let h: Harness;
let app: Awaited<ReturnType<typeof receiver>>;
beforeEach(async () => {
  h = await startSim();
  app = await receiver();
});
afterEach(async () => {
  await h.sim.stop();
  await new Promise((resolve) => app.server.close(resolve));
});

describe("delivery ids", () => {
  it("are version-4 UUIDs drawn from the seed: the same seed gives the same ids, as earlier releases gave", () => {
    const rng = seededRandom(1);
    const ids = [uuidFrom(rng), uuidFrom(rng)];
    expect(ids).toEqual(["a00087fb-f747-4cb8-adfe-747d23673f27", "7d1165c4-4930-4a6d-97cc-4b34a88bc231"]);
    const again = seededRandom(2);
    for (let i = 0; i < 200; i++)
      expect(uuidFrom(again)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("webhook delivery", () => {
  it("delivers signed events in order with GitHub's headers and payload fields", async () => {
    h.sim.setWebhookTarget(app.url);
    h.sim.createLabel("handover");
    const issue = h.sim.createIssue("alice", "Migrate", "body", ["handover"]);
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    const pr = await h.octokit.request("POST /repos/{owner}/{repo}/pulls", {
      owner: OWNER,
      repo: REPO,
      title: "step",
      head: "feature",
      base: "main",
    });
    h.sim.comment("alice", pr.data.number, "/handover status");
    h.sim.pushFiles("bob", "feature", [{ path: "a.txt", content: "2\n" }], "fixup");
    const merge = h.sim.mergePull(pr.data.number, "alice");
    h.sim.setStatus(merge, "deploy/a", "success");
    const deployment = h.sim.createDeployment(merge, "replicore-a");
    h.sim.createDeploymentStatus(deployment, "success");

    const expected = [
      "issues.opened",
      "issues.labeled",
      "create",
      "push",
      "pull_request.opened",
      "issue_comment.created",
      "push",
      "pull_request.synchronize",
      "push",
      "pull_request.closed",
      "status",
      "deployment.created",
      "deployment_status.created",
    ];
    expect(h.sim.pendingEventNames()).toEqual(expected);
    expect(await h.sim.deliverAll()).toBe(13);
    expect(h.sim.pendingEvents()).toBe(0);

    expect(app.received.map(name)).toEqual(expected);
    for (const r of app.received) {
      expect(signatureValid(r)).toBe(true);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-github-delivery"]).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(r.payload.repository).toMatchObject({
        name: "config",
        full_name: "acme/config",
        owner: { login: "acme" },
        default_branch: "main",
      });
      expect(r.payload.installation).toMatchObject({ id: 1 });
    }
    expect(new Set(app.received.map((r) => r.headers["x-github-delivery"])).size).toBe(13);

    const [opened, labeled, , , prOpened, comment, , sync, , closed, status, , deploymentStatus] =
      app.received as Received[] & { length: 13 };
    expect(opened?.payload).toMatchObject({
      issue: { number: issue, title: "Migrate" },
      sender: { login: "alice", type: "User" },
    });
    expect(labeled?.payload.label).toMatchObject({ name: "handover" });
    expect(prOpened?.payload).toMatchObject({
      number: 2,
      pull_request: { head: { ref: "feature" } },
      sender: { login: "handover[bot]", type: "Bot" },
    });
    expect(comment?.payload).toMatchObject({
      comment: { body: "/handover status", user: { login: "alice" } },
      issue: { number: 2 },
    });
    expect(comment?.payload.issue.pull_request).toBeDefined();
    expect(sync?.payload).toMatchObject({
      before: pr.data.head.sha,
      after: h.sim.getIssue(2).pull?.headSha,
      sender: { login: "bob" },
    });
    expect(closed?.payload).toMatchObject({
      pull_request: { merged: true, merge_commit_sha: merge },
      sender: { login: "alice" },
    });
    expect(status?.payload).toMatchObject({
      sha: merge,
      context: "deploy/a",
      state: "success",
      branches: [{ name: "main", commit: { sha: merge } }],
    });
    expect(deploymentStatus?.payload).toMatchObject({
      deployment_status: { state: "success" },
      deployment: { id: deployment, sha: merge, environment: "replicore-a" },
    });
    expect(h.sim.deliveries.every((d) => d.status === 200 && !d.redelivery)).toBe(true);
  });

  it("names the webhook each API change causes, as GitHub would", async () => {
    const r = { owner: OWNER, repo: REPO };
    const issue = h.sim.createIssue("alice", "t", "b");
    await branchWithCommit(h, "feature", { "a.txt": "1\n" });
    const pr = await h.octokit.request("POST /repos/{owner}/{repo}/pulls", {
      ...r,
      title: "step",
      head: "feature",
      base: "main",
    });
    h.sim.discardEvents();
    await h.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...r,
      issue_number: issue,
      body: "b2",
      labels: ["handover:running"],
    });
    await h.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      ...r,
      issue_number: pr.data.number,
      labels: ["handover"],
    });
    await h.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...r,
      pull_number: pr.data.number,
      title: "step 2",
    });
    await h.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...r,
      pull_number: pr.data.number,
      title: "step 2",
    });
    const comment = await h.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...r,
      issue_number: issue,
      body: "x",
    });
    h.sim.editComment("alice", Number(comment.data.id), "y");
    const run = await h.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...r,
      name: "handover/guard",
      head_sha: pr.data.head.sha,
    });
    await h.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...r,
      check_run_id: run.data.id,
      conclusion: "success",
    });
    await h.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...r,
      issue_number: issue,
      state: "closed",
    });
    await h.octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ...r, ref: "heads/feature" });
    expect(h.sim.pendingEventNames()).toEqual([
      "issues.edited",
      "issues.labeled",
      "pull_request.labeled",
      "pull_request.edited",
      "issue_comment.created",
      "issue_comment.edited",
      "check_run.created",
      "check_run.completed",
      "issues.closed",
      "push",
      "delete",
      "pull_request.closed",
    ]);
  });

  it("records a failed delivery and does not redeliver it; refuses to deliver without a target", async () => {
    h.sim.createIssue("alice", "a", "");
    await expect(h.sim.deliverNext()).rejects.toThrow("no webhook target");
    const failing = await receiver(500);
    h.sim.setWebhookTarget(failing.url);
    expect(await h.sim.deliverNext()).toBe(true);
    expect(await h.sim.deliverNext()).toBe(false);
    expect(h.sim.deliveries.map((d) => [d.event, d.action, d.status])).toEqual([["issues", "opened", 500]]);
    await new Promise((resolve) => failing.server.close(resolve));
  });
});

describe("chaos", () => {
  async function chaoticRun(seed: number): Promise<{ order: [number, string][]; dropped: number }> {
    const run = await startSim();
    const target = await receiver();
    try {
      run.sim.setWebhookTarget(target.url);
      for (let i = 0; i < 20; i++) run.sim.createIssue("alice", `issue ${i}`, "");
      run.sim.chaos = { rng: seededRandom(seed), duplicate: 0.3, reorder: 0.3, drop: 0.2 };
      await run.sim.deliverAll();
      return {
        order: target.received.map((r) => [r.payload.issue.number as number, String(r.headers["x-github-delivery"])]),
        dropped: run.sim.deliveries.filter((d) => d.status === "dropped").length,
      };
    } finally {
      await run.sim.stop();
      await new Promise((resolve) => target.server.close(resolve));
    }
  }

  it("duplicates, reorders and drops deliveries, identically for the same seed", async () => {
    const a = await chaoticRun(7);
    const b = await chaoticRun(7);
    expect(b).toEqual(a);

    const numbers = a.order.map(([n]) => n);
    const ids = a.order.map(([, id]) => id);
    // a duplicate is a redelivery: same number, same delivery id
    expect(new Set(ids).size).toBeLessThan(ids.length);
    expect(new Set(numbers).size).toBe(new Set(ids).size);
    expect(a.dropped).toBeGreaterThan(0);
    const firstSeen = [...new Set(numbers)];
    expect(firstSeen).not.toEqual([...firstSeen].sort((x, y) => x - y));
    expect(new Set(numbers).size + a.dropped).toBeGreaterThanOrEqual(20);

    const c = await chaoticRun(8);
    expect(c.order).not.toEqual(a.order);
  });
});
