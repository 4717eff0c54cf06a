// Which webhooks bring nothing the last finished reconcile of a migration did not read (so they start no reconcile):
// fingerprints of the payload's issue, PR or pushed head against what that reconcile read through the REST API.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { News } from "../../../src/app/news.js";
import { issueNews, pullNews, type Seen } from "../../../src/github/index.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook JSON, edited field by field below
type Payload = Record<string, any>;

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}.json`, import.meta.url), "utf8")) as Payload;
}

const ID = "o/r#42";
const closed = fixture("pull_request.closed");
const opened = fixture("issues.opened");
const push = (ref: string, after: string): Payload => ({
  ref,
  before: "0".repeat(40),
  after,
  repository: closed.repository,
  sender: { login: "alice" },
});

/** What a reconcile read: the issue and PR of the fixtures as the REST API answers them, and the default head. */
function seen(head = "m1"): Seen {
  return {
    head,
    issues: new Map([[42, issueNews(opened.issue)]]),
    pulls: new Map([[12, pullNews(closed.pull_request)]]),
  };
}

describe("News", () => {
  it("a PR, an issue or a default-branch head exactly as the last finished reconcile read them is known", () => {
    const news = new News();
    news.record(ID, seen());
    expect(news.known(ID, { name: "pull_request", payload: closed })).toBe(true);
    expect(news.known(ID, { name: "issues", payload: { ...opened, action: "labeled" } })).toBe(true);
    expect(news.known(ID, { name: "push", payload: push("refs/heads/main", "m1") })).toBe(true);
  });

  it("any field the engine reads that differs is news", () => {
    const news = new News();
    news.record(ID, seen());
    const pr = (patch: Payload) => ({ ...closed, pull_request: { ...closed.pull_request, ...patch } });
    for (const patch of [
      { state: "open", merged_at: null },
      { merge_commit_sha: "other" },
      { head: { ...closed.pull_request.head, sha: "h2" } },
      { base: { ...closed.pull_request.base, ref: "develop" } },
      { body: "edited" },
      { draft: true },
      { auto_merge: { merge_method: "merge", enabled_by: { login: "alice" } } },
    ])
      expect(news.known(ID, { name: "pull_request", payload: pr(patch) }), JSON.stringify(patch)).toBe(false);
    const issue = (patch: Payload) => ({ ...opened, issue: { ...opened.issue, ...patch } });
    for (const patch of [{ body: "edited" }, { title: "t" }, { state: "closed" }, { labels: [] }])
      expect(news.known(ID, { name: "issues", payload: issue(patch) }), JSON.stringify(patch)).toBe(false);
    // label order does not matter; label objects and names compare alike
    const two = [{ name: "b" }, { name: "a" }];
    news.record(ID, { ...seen(), issues: new Map([[42, issueNews({ ...opened.issue, labels: ["a", "b"] })]]) });
    expect(news.known(ID, { name: "issues", payload: issue({ labels: two }) })).toBe(true);
  });

  it("a push to another branch, a head not read, a health report, another migration or a forgotten one is news", () => {
    const news = new News();
    news.record(ID, seen());
    expect(news.known(ID, { name: "push", payload: push("refs/heads/handover/42/prepare", "m1") })).toBe(false);
    expect(news.known(ID, { name: "push", payload: push("refs/heads/main", "m2") })).toBe(false);
    expect(news.known(ID, { name: "status", payload: fixture("status") })).toBe(false);
    expect(news.known("o/r#7", { name: "pull_request", payload: closed })).toBe(false);
    news.forget(ID);
    expect(news.known(ID, { name: "pull_request", payload: closed })).toBe(false);
    expect(news.known(ID, { name: "push", payload: push("refs/heads/main", "m1") })).toBe(false);
  });
});
