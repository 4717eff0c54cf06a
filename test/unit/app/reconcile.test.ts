import { describe, expect, it } from "vitest";
import { reconcile, stateSigner } from "../../../src/engine/index.js";
import { OctokitPort } from "../../../src/github/index.js";
import { STATUS_LABELS } from "../../../src/spec/markers.js";
import { github, octokit, useNock } from "../github/nock.js";

const seen = useNock();
const R = "/repos/acme/config";
const deps = () => ({
  port: new OctokitPort(octokit(), "acme", "config", "handover[bot]"),
  probe: async () => ({ body: "{}" }),
  now: () => Date.parse("2026-05-04T12:00:00Z"),
  signer: (issue: number) => stateSigner("webhook-secret", `acme/config#${issue}`),
});

function issue(state: "open" | "closed", labels: string[]) {
  return {
    number: 42,
    title: "Upgrade",
    body: "### Source cluster\n\nreplicore-a",
    state,
    labels: labels.map((name) => ({ name })),
  };
}

describe("reconcile reads the issue first and stands still when there is nothing to steer", () => {
  it.each([
    [
      "a closed migration issue (a done migration stays done; reopening resumes)",
      issue("closed", ["handover", "handover:done"]),
    ],
    ["an issue without the handover label", issue("open", ["bug"])],
    ["a pull request", { ...issue("open", ["handover"]), pull_request: { url: "x" } }],
  ])("%s: one GET, no write, no decision", async (_name, answer) => {
    const scope = github(seen).get(`${R}/issues/42`).reply(200, answer);
    const result = await reconcile(deps(), 42);
    expect(result).toEqual({ issue: 42 });
    expect(seen.matched).toEqual([`GET ${R}/issues/42`]);
    expect(seen.unmatched).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});

describe("an error retrying cannot fix stops the migration with the error on the dashboard", () => {
  it("a bug (an error with no HTTP status) is classified bug, shown, labelled failed, and not thrown", async () => {
    const labels = ["handover", ...STATUS_LABELS].map((name) => ({ name }));
    const posted: { dashboard?: string; labels?: unknown } = {};
    // Each read once: the failure is shown from what the reconcile read (nothing was written in between).
    const scope = github(seen)
      .get(`${R}/issues/42`)
      .reply(200, issue("open", ["handover"]))
      .get(`${R}/issues/42/comments`)
      .query({ per_page: 100, page: 1 })
      .reply(200, [])
      // The state is rebuilt (no dashboard yet): one listing of the PRs since the issue answers every branch.
      .get(`${R}/pulls`)
      .query({ state: "all", sort: "created", direction: "desc", per_page: 100, page: 1 })
      .reply(200, [])
      .get(R)
      .reply(200, { default_branch: "main" })
      // A branch without its commit: reading its sha throws a TypeError, a bug in Handover's reading of it.
      .get(`${R}/branches/main`)
      .reply(200, { name: "main" })
      .post(`${R}/issues/42/comments`, (body: { body: string }) => {
        posted.dashboard = body.body;
        return true;
      })
      .reply(201, { id: 7 })
      .get(`${R}/labels`)
      .query({ per_page: 100, page: 1 })
      .reply(200, labels)
      .post(`${R}/issues/42/labels`, (body: unknown) => {
        posted.labels = body;
        return true;
      })
      .reply(200, []);
    const result = await reconcile(deps(), 42);
    expect(result.failure?.kind).toBe("bug");
    expect(result.decision?.phase).toEqual({
      label: "handover:failed",
      reason: { kind: "blocked", error: "bug", message: "Cannot read properties of undefined (reading 'sha')" },
    });
    expect(posted.dashboard?.split("\n").slice(1, 4)).toEqual([
      "## Handover: failed",
      "",
      "**Handover stopped on an error that is not GitHub's (a bug in Handover, please report it): Cannot read properties of undefined (reading 'sha')**",
    ]);
    expect(posted.labels).toEqual({ labels: ["handover:failed"] });
    expect(seen.unmatched).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});
