// The table from webhook to what to reconcile (Kodiak's per-event triggers), read without a server or any HTTP.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { READ_EVENTS, triggersOf } from "../../../src/app/triggers.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook JSON, edited field by field below
type Payload = Record<string, any>;

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}.json`, import.meta.url), "utf8")) as Payload;
}

const BOT = "handover[bot]";
const REPO = { owner: "o", repo: "r" };
const GUARD_12 = {
  kind: "guard",
  pull: {
    number: 12,
    headSha: fixture("pull_request.closed").pull_request.head.sha,
    headRef: "handover/42/adopt-canary",
    author: BOT,
  },
};

function pr(action: string, edit: (p: Payload) => void = () => undefined): Payload {
  const payload = fixture("pull_request.closed");
  payload.action = action;
  edit(payload);
  return payload;
}

const SHA = fixture("status").sha as string;
const checkRun = { ...fixture("status"), action: "completed", check_run: { head_sha: SHA } };
const checkSuite = { ...fixture("status"), action: "completed", check_suite: { head_sha: SHA } };
const deploymentStatus = { ...fixture("status"), action: "created", deployment: { id: 7, environment: "replicore-a" } };

describe("triggersOf", () => {
  it.each([
    ["issues", { ...fixture("issues.opened"), action: "opened" }, [{ kind: "issue", issue: 42 }]],
    ["issues", { ...fixture("issues.opened"), action: "edited" }, [{ kind: "issue", issue: 42 }]],
    ["issues", { ...fixture("issues.opened"), action: "reopened" }, [{ kind: "issue", issue: 42 }]],
    ["issues", { ...fixture("issues.opened"), action: "labeled" }, [{ kind: "issue", issue: 42 }]],
    ["issues", { ...fixture("issues.opened"), action: "closed" }, [{ kind: "issue", issue: 42 }]],
    ["issue_comment", fixture("issue_comment.created.issue"), [{ kind: "issue", issue: 42 }]],
    // a comment on a step PR names the issue of the PR body's step marker
    ["issue_comment", fixture("issue_comment.created.pr"), [{ kind: "issue", issue: 42 }]],
    ["pull_request", pr("opened"), [GUARD_12]],
    ["pull_request", pr("synchronize"), [GUARD_12, { kind: "issue", issue: 42 }]],
    ["pull_request", pr("reopened"), [GUARD_12, { kind: "issue", issue: 42 }]],
    ["pull_request", pr("ready_for_review"), [GUARD_12, { kind: "issue", issue: 42 }]],
    ["pull_request", pr("closed"), [{ kind: "issue", issue: 42 }]],
    ["pull_request", pr("edited"), [{ kind: "issue", issue: 42 }]],
    ["status", fixture("status"), [{ kind: "repository" }], [{ kind: "statuses", id: SHA }]],
    ["check_run", checkRun, [{ kind: "repository" }], [{ kind: "check-runs", id: SHA }]],
    ["check_suite", checkSuite, [{ kind: "repository" }], [{ kind: "check-runs", id: SHA }]],
    [
      "deployment_status",
      deploymentStatus,
      [{ kind: "repository" }],
      [
        { kind: "deployments", id: "replicore-a" },
        { kind: "deployment-statuses", id: "7" },
      ],
    ],
    ["push", { ...fixture("status"), ref: "refs/heads/main", after: SHA } as Payload, [{ kind: "repository" }]],
    [
      "push",
      {
        ...fixture("status"),
        ref: `refs/heads/gh-readonly-queue/main/pr-12-${SHA}`,
        after: "group1",
        created: true,
      } as Payload,
      [
        {
          kind: "guard-group",
          group: { headSha: "group1", headRef: `refs/heads/gh-readonly-queue/main/pr-12-${SHA}`, pull: 12 },
        },
        { kind: "repository" },
      ],
    ],
    [
      "push",
      {
        ...fixture("status"),
        ref: `refs/heads/gh-readonly-queue/main/pr-12-${SHA}`,
        after: "0".repeat(40),
        deleted: true,
      } as Payload,
      [{ kind: "repository" }],
    ],
    [
      "push",
      { ...fixture("status"), ref: `refs/heads/gh-readonly-queue/release/pr-12-${SHA}`, after: "group1" } as Payload,
      [{ kind: "repository" }],
    ],
  ])("%s %#", (name, payload, triggers, reports = []) => {
    expect(triggersOf({ name, payload }, BOT)).toEqual({
      kind: "triggers",
      event: payload.action ? `${name}.${payload.action}` : name,
      repository: REPO,
      defaultBranch: "main",
      repositoryId: "R_kgDOAAHiQA",
      reports,
      triggers,
    });
  });

  it("names what GitHub's own example health payloads report on: the commit, the environment and the deployment", () => {
    const examples = JSON.parse(
      readFileSync("node_modules/@octokit/webhooks-examples/api.github.com/index.json", "utf8"),
    ) as { name: string; examples: Payload[] }[];
    const of = (name: string, action?: string) =>
      (examples.find((e) => e.name === name)?.examples ?? []).filter((p) => p.action === action);
    const cases = [
      ...of("status").map((p) => ({ name: "status", p, want: [{ kind: "statuses", id: p.sha }] })),
      ...of("check_run", "completed").map((p) => ({
        name: "check_run",
        p,
        want: [{ kind: "check-runs", id: p.check_run.head_sha }],
      })),
      ...of("check_suite", "completed").map((p) => ({
        name: "check_suite",
        p,
        want: [{ kind: "check-runs", id: p.check_suite.head_sha }],
      })),
      ...of("deployment_status", "created").map((p) => ({
        name: "deployment_status",
        p,
        want: [
          { kind: "deployments", id: p.deployment.environment },
          { kind: "deployment-statuses", id: String(p.deployment.id) },
        ],
      })),
    ];
    expect(cases.map((c) => c.name)).toEqual([
      ...Array(4).fill("status"),
      ...Array(3).fill("check_run"),
      ...Array(4).fill("check_suite"),
      ...Array(4).fill("deployment_status"),
    ]);
    for (const { name, p, want } of cases)
      expect(triggersOf({ name, payload: p }, BOT)).toMatchObject({ reports: want });
    expect(cases[0]?.want).toEqual([{ kind: "statuses", id: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" }]);
    expect(cases.at(-1)?.want).toEqual([
      { kind: "deployments", id: "production" },
      { kind: "deployment-statuses", id: "145988746" },
    ]);
  });

  it("GitHub's own merge_group example: the guard runs on the group's head, for the PR its branch names; only for the default branch", () => {
    const examples = JSON.parse(
      readFileSync("node_modules/@octokit/webhooks-examples/api.github.com/index.json", "utf8"),
    ) as { name: string; examples: Payload[] }[];
    const groups = examples.find((e) => e.name === "merge_group")?.examples ?? [];
    expect(groups.map((p) => p.action)).toEqual(["checks_requested", "checks_requested"]);
    const group = {
      headSha: "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d",
      baseSha: "380387fbc80638b734a49e1be1c4dfec1c01b33c",
      headRef: "refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64",
    };
    for (const payload of groups)
      expect(triggersOf({ name: "merge_group", payload }, BOT)).toMatchObject({
        event: "merge_group.checks_requested",
        repository: { owner: "octo-org", repo: "octo-repo" },
      });
    for (const payload of groups)
      expect((triggersOf({ name: "merge_group", payload }, BOT) as { triggers: unknown }).triggers).toEqual([
        { kind: "guard-group", group: { ...group, pull: 104 } },
      ]);
    const edited = (edit: (p: Payload) => void) => {
      const payload = structuredClone(groups[0] as Payload);
      edit(payload);
      const reading = triggersOf({ name: "merge_group", payload }, BOT);
      return reading.kind === "triggers" ? reading.triggers : reading;
    };
    // A queue for another branch is not the guard's; a branch name GitHub does not make leaves the PR unknown.
    expect(edited((p) => (p.merge_group.base_ref = "refs/heads/release"))).toEqual([]);
    expect(edited((p) => (p.merge_group.head_ref = "refs/heads/queue-104"))).toEqual([
      { kind: "guard-group", group: { ...group, headRef: "refs/heads/queue-104" } },
    ]);
    // Sent by anyone (GitHub's queue acts for the person who queued it): the guard runs all the same.
    expect(edited((p) => (p.sender = { login: BOT, type: "Bot" }))).toEqual([
      { kind: "guard-group", group: { ...group, pull: 104 } },
    ]);
  });

  it("takes the default branch's name and the repository's node id from the payload, and goes without them when it lacks them", () => {
    const renamed = fixture("issues.opened");
    renamed.repository.default_branch = "trunk";
    renamed.repository.node_id = "R_other";
    expect(triggersOf({ name: "issues", payload: renamed }, BOT)).toMatchObject({
      defaultBranch: "trunk",
      repositoryId: "R_other",
    });
    const without = fixture("issues.opened");
    delete without.repository.default_branch;
    delete without.repository.node_id;
    const reading = triggersOf({ name: "issues", payload: without }, BOT);
    expect(reading.kind).toBe("triggers");
    expect("defaultBranch" in reading).toBe(false);
    expect("repositoryId" in reading).toBe(false);
  });

  it("reads exactly the events of the table", () => {
    expect(READ_EVENTS).toEqual([
      "issues.opened",
      "issues.edited",
      "issues.reopened",
      "issues.labeled",
      "issues.closed",
      "issue_comment.created",
      "pull_request.opened",
      "pull_request.synchronize",
      "pull_request.reopened",
      "pull_request.ready_for_review",
      "pull_request.closed",
      "pull_request.edited",
      "merge_group.checks_requested",
      "status",
      "check_run.completed",
      "check_suite.completed",
      "deployment_status.created",
      "push",
    ]);
  });

  it.each([
    ["issues", { ...fixture("issues.opened"), action: "assigned" }],
    ["issue_comment", { ...fixture("issue_comment.created.issue"), action: "edited" }],
    ["pull_request", pr("labeled")],
    ["check_run", { ...fixture("status"), action: "created" }],
    ["installation", { action: "created" }],
  ])("%s %# is not read", (name, payload) => {
    expect(triggersOf({ name, payload }, BOT)).toEqual({ kind: "unread" });
  });

  it("what Handover sent itself triggers only the guard on its own PRs", () => {
    const self = { login: BOT, type: "Bot" };
    const of = (name: string, payload: Payload) => triggersOf({ name, payload: { ...payload, sender: self } }, BOT);
    expect(of("issues", fixture("issues.opened"))).toMatchObject({ triggers: [] });
    expect(of("issue_comment", fixture("issue_comment.created.issue"))).toMatchObject({ triggers: [] });
    expect(of("pull_request", pr("synchronize"))).toMatchObject({ triggers: [GUARD_12] });
    expect(of("pull_request", pr("closed"))).toMatchObject({ triggers: [] });
    expect(of("status", fixture("status"))).toMatchObject({ triggers: [] });
  });

  it("a comment on a step PR whose description a person rewrote names the issue by the PR's title", () => {
    const rewritten = fixture("issue_comment.created.pr");
    rewritten.issue.body = "dana: checked against the runbook";
    expect(triggersOf({ name: "issue_comment", payload: rewritten }, BOT)).toMatchObject({
      triggers: [{ kind: "issue", issue: 42 }],
    });
  });

  it("a comment by any bot, and a comment on a PR with neither a step marker nor a step title, trigger nothing", () => {
    const byBot = fixture("issue_comment.created.issue");
    byBot.comment.user = { login: "renovate[bot]", type: "Bot" };
    const onPlainPr = fixture("issue_comment.created.pr");
    onPlainPr.issue.body = "Bump mongo to 6.0.14";
    onPlainPr.issue.title = "Bump mongo to 6.0.14 [handover #42]";
    onPlainPr.comment.body = "Looks fine, merging after lunch";
    const triggers = (payload: Payload) =>
      (triggersOf({ name: "issue_comment", payload }, BOT) as { triggers: unknown }).triggers;
    expect(triggers(byBot)).toEqual([]);
    expect(triggers(onPlainPr)).toEqual([]);
    // A command there: the PR's branch may name a migration (a step PR whose title and description were rewritten).
    expect(triggers({ ...onPlainPr, comment: { ...onPlainPr.comment, body: "/handover pause" } })).toEqual([
      { kind: "pull-comment", pull: 8 },
    ]);
    // ...but not one in a quote or a code block, which is no command.
    expect(triggers({ ...onPlainPr, comment: { ...onPlainPr.comment, body: "> /handover pause" } })).toEqual([]);
  });

  it("an issues event on a PR triggers nothing; a PR names its issue by branch, else by body marker", () => {
    const onPr = fixture("issues.opened");
    onPr.issue.pull_request = { url: "x" };
    expect(triggersOf({ name: "issues", payload: onPr }, BOT)).toMatchObject({ triggers: [] });
    const byMarker = pr("closed", (p) => (p.pull_request.head.ref = "people/fix"));
    expect(triggersOf({ name: "pull_request", payload: byMarker }, BOT)).toMatchObject({
      triggers: [{ kind: "issue", issue: 42 }],
    });
    const neither = pr("closed", (p) => {
      p.pull_request.head.ref = "renovate/mongo-6.x";
      p.pull_request.body = "Bump mongo";
    });
    expect(triggersOf({ name: "pull_request", payload: neither }, BOT)).toMatchObject({ triggers: [] });
  });

  it("the guard runs only on PRs to the default branch (or when the payload does not say which it is)", () => {
    const toRelease = pr("opened", (p) => (p.pull_request.base.ref = "release"));
    expect(triggersOf({ name: "pull_request", payload: toRelease }, BOT)).toMatchObject({ triggers: [] });
    const unknownDefault = pr("opened", (p) => {
      p.pull_request.base.ref = "release";
      delete p.repository.default_branch;
    });
    expect(triggersOf({ name: "pull_request", payload: unknownDefault }, BOT)).toMatchObject({
      triggers: [{ ...GUARD_12 }],
    });
  });

  it("a payload without the fields Handover reads is malformed, with the paths that are missing", () => {
    expect(triggersOf({ name: "issues", payload: fixture("issues.opened.no-repository") }, BOT)).toMatchObject({
      kind: "malformed",
      event: "issues.opened",
      problems: [{ path: ["repository"] }],
    });
  });
});
