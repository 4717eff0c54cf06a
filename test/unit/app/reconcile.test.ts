import { describe, expect, it } from "vitest";
import { reconcile, stateSigner } from "../../../src/engine/index.js";
import { OctokitPort } from "../../../src/github/index.js";
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
