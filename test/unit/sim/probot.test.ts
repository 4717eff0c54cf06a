import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SECRET, startSim, type Harness } from "./helpers.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let h: Harness;
let appServer: Server;
beforeEach(async () => {
  h = await startSim();
  const probot = new Probot({
    appId: 1,
    privateKey,
    secret: SECRET,
    baseUrl: h.baseUrl,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((opts: Record<string, unknown>) => ({
      ...opts,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  // a tiny App: on a new issue, read a file, create a branch (422 = already there) and reply; react to human comments
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on("issues.opened", async (context) => {
        const file = await context.octokit.rest.repos.getContent(
          context.repo({ path: "README.md", mediaType: { format: "raw" } }),
        );
        const main = await context.octokit.rest.git.getRef(context.repo({ ref: "heads/main" }));
        try {
          await context.octokit.rest.git.createRef(
            context.repo({ ref: `refs/heads/handover/${context.payload.issue.number}`, sha: main.data.object.sha }),
          );
        } catch (err) {
          if ((err as { status?: number }).status !== 422) throw err;
        }
        await context.octokit.rest.issues.createComment(
          context.issue({ body: `read ${JSON.stringify(String(file.data))}` }),
        );
      });
      app.on("issue_comment.created", async (context) => {
        if (context.payload.sender.type === "Bot") return;
        await context.octokit.rest.reactions.createForIssueComment(
          context.repo({ comment_id: context.payload.comment.id, content: "+1" }),
        );
      });
    },
    { probot },
  );
  appServer = createServer((req, res) => void middleware(req, res));
  await new Promise<void>((resolve) => appServer.listen(0, "127.0.0.1", resolve));
  h.sim.setWebhookTarget(`http://127.0.0.1:${(appServer.address() as AddressInfo).port}/api/github/webhooks`);
});
afterEach(async () => {
  await h.sim.stop();
  await new Promise((resolve) => appServer.close(resolve));
});

describe("the real Probot against the sim", () => {
  it("verifies the sim's signatures, authenticates as the installation and acts through the API", async () => {
    const issue = h.sim.createIssue("alice", "Migrate", "body");
    await h.sim.deliverAll();
    expect(h.sim.deliveries.map((d) => [d.event, d.action, d.status])).toEqual([
      ["issues", "opened", 200],
      ["create", undefined, 200],
      ["push", undefined, 200],
      ["issue_comment", "created", 200],
    ]);
    expect(h.sim.branchSha(`handover/${issue}`)).toBe(h.seed);
    expect(h.sim.listComments(issue).map((c) => [c.user, c.body])).toEqual([["handover[bot]", 'read "# config\\n"']]);

    const human = h.sim.comment("alice", issue, "/handover status");
    await h.sim.deliverAll();
    expect(h.sim.reactions(human)).toEqual(["+1"]);
    expect(h.sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /app/installations/1/access_tokens 201",
      "GET /repos/acme/config/contents/README.md 200",
      "GET /repos/acme/config/git/ref/heads%2Fmain 200",
      "POST /repos/acme/config/git/refs 201",
      "POST /repos/acme/config/issues/1/comments 201",
      // the token is cached by @octokit/auth-app, so the second delivery asks for none
      `POST /repos/acme/config/issues/comments/${human}/reactions 201`,
    ]);
  });
});
