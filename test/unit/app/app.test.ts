// The App through a real Probot (signed JWT, installation token, native fetch) and nock: every webhook only names the
// migration issue(s) to reconcile (DESIGN.md section 6); the fixtures are shaped like GitHub's payloads and each one
// is parsed by the zod subsets the App reads (STYLE.md: a test runs every recorded fixture through them).
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { Probot, ProbotOctokit } from "probot";
import { beforeEach, describe, expect, it } from "vitest";
import { handover, warmParsers, type HandoverControls, type HandoverOptions } from "../../../src/app/index.js";
import { commentEvent, issueEvent, pullRequestEvent, repositoryEvent } from "../../../src/spec/events.js";
import { issueOfBranch, readStepMarker } from "../../../src/spec/markers.js";
import { github, useNock } from "../github/nock.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

// biome-ignore lint/suspicious/noExplicitAny: webhook JSON, edited field by field below
type Payload = Record<string, any>;

function fixture(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}.json`, import.meta.url), "utf8")) as Payload;
}

const seen = useNock();
const TOKEN = "POST /app/installations/2/access_tokens";
const R = "/repos/o/r";

let probot: Probot;
let controls: HandoverControls;
/** A new Probot (installation tokens are cached per instance) running Handover with `options`. */
async function app(options: Partial<HandoverOptions> = {}): Promise<{ probot: Probot; controls: HandoverControls }> {
  const loaded = new Probot({
    appId: 123,
    privateKey,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  const built = handover({
    botLogin: "handover[bot]",
    webhookSecret: "webhook-secret",
    now: () => Date.parse("2026-05-04T12:00:00Z"),
    ...options,
  });
  await loaded.load(built.app);
  return { probot: loaded, controls: built.controls };
}

beforeEach(async () => {
  ({ probot, controls } = await app());
});

async function receive(name: string, payload: Payload): Promise<void> {
  await probot.receive({ id: "1", name, payload } as Parameters<Probot["receive"]>[0]);
  await controls.idle();
}

function token(scope: ReturnType<typeof github>): ReturnType<typeof github> {
  return scope
    .post("/app/installations/2/access_tokens")
    .reply(200, { token: "t", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

/** GET /issues/N of an issue that is not (or no longer) a migration issue: the reconcile stops right there. */
function plainIssue(scope: ReturnType<typeof github>, number: number): ReturnType<typeof github> {
  return scope
    .get(`${R}/issues/${number}`)
    .reply(200, { number, title: "Something else", body: "", state: "open", labels: [{ name: "bug" }] });
}

function done(scope?: ReturnType<typeof github>): void {
  expect(seen.unmatched).toEqual([]);
  if (scope) {
    expect(scope.pendingMocks()).toEqual([]);
    expect(scope.isDone()).toBe(true);
  }
}

/**
 * What the guard reads and writes for PR 7 (head h1 on main at b1), its head's tree answered after `delayMs`. The
 * default branch's name comes from the payload: the repository is not read for it.
 */
function guardOfPr7(
  scope: ReturnType<typeof github>,
  delayMs: number,
  checkRuns: { head_sha?: string; name?: string }[] = [],
): ReturnType<typeof github> {
  return scope
    .get(`${R}/branches/main`)
    .reply(200, { name: "main", commit: { sha: "b1" } })
    .get(`${R}/git/trees/h1`)
    .query({ recursive: "1" })
    .delay(delayMs)
    .reply(200, { sha: "t1", truncated: false, tree: [] })
    .get(`${R}/git/trees/b1`)
    .query({ recursive: "1" })
    .reply(200, { sha: "t0", truncated: false, tree: [] })
    .get(`${R}/issues`)
    .query(true)
    .reply(200, [])
    .get(`${R}/pulls/7/files`)
    .query(true)
    .reply(200, [])
    .get(`${R}/commits/h1/check-runs`)
    .query(true)
    .reply(200, { check_runs: [] })
    .post(`${R}/check-runs`, (body) => checkRuns.push(body) > 0)
    .reply(201, {});
}

/** The guard's requests for PR 7 after its head's tree, in order. */
const GUARD_OF_PR7_AFTER_HEAD = [
  `GET ${R}/git/trees/b1?recursive=1`,
  `GET ${R}/issues?labels=handover&state=open&per_page=100&page=1`,
  `GET ${R}/pulls/7/files?per_page=100&page=1`,
  `GET ${R}/commits/h1/check-runs?check_name=handover%2Fguard&per_page=100`,
  `POST ${R}/check-runs`,
];

/** A person's push to PR 7 (a feature branch, not a step), then a migration issue's event: a guard and a reconcile. */
async function pushThenIssue(app: Probot): Promise<void> {
  const pull = fixture("pull_request.closed");
  pull.action = "synchronize";
  pull.number = 7;
  Object.assign(pull.pull_request, { number: 7, state: "open", merged: false, body: "", user: { login: "alice" } });
  Object.assign(pull.pull_request.head, { ref: "feature", sha: "h1" });
  pull.pull_request.base.ref = "main";
  pull.repository.default_branch = "main";
  await app.receive({ id: "1", name: "pull_request", payload: pull } as Parameters<Probot["receive"]>[0]);
  await app.receive({ id: "2", name: "issues", payload: fixture("issues.opened") } as Parameters<Probot["receive"]>[0]);
}

describe("fixtures parse through the payload subsets", () => {
  it("issues.opened: an issue, not a PR, labelled handover", () => {
    const parsed = issueEvent.parse(fixture("issues.opened"));
    expect(parsed.issue.pull_request).toBeUndefined();
    expect(parsed).toMatchObject({
      repository: { name: "r", owner: { login: "o" } },
      installation: { id: 2 },
      sender: { login: "alice", type: "User" },
      issue: { number: 42, body: fixture("issues.opened").issue.body },
    });
  });

  it("issue_comment.created on the issue and on a step PR (whose body carries the step marker)", () => {
    const onIssue = commentEvent.parse(fixture("issue_comment.created.issue"));
    expect([onIssue.issue.number, onIssue.issue.pull_request, onIssue.comment]).toEqual([
      42,
      undefined,
      { id: 9101, user: { login: "alice", type: "User" }, body: "/handover status" },
    ]);
    const onPr = commentEvent.parse(fixture("issue_comment.created.pr"));
    expect(onPr.issue.number).toBe(8);
    expect(onPr.issue.pull_request).toBeDefined();
    expect(readStepMarker(onPr.issue.body)).toEqual({ issue: 42, step: "release-canary" });
  });

  it("pull_request.closed (merged) of a step branch", () => {
    const parsed = pullRequestEvent.parse(fixture("pull_request.closed"));
    expect(parsed.pull_request).toMatchObject({
      number: 12,
      body: fixture("pull_request.closed").pull_request.body,
      head: { ref: "handover/42/adopt-canary" },
      base: { ref: "main" },
    });
    expect(issueOfBranch(parsed.pull_request.head.ref)).toBe(42);
  });

  it("status: the repository, installation and sender", () => {
    expect(repositoryEvent.parse(fixture("status"))).toMatchObject({
      repository: { name: "r", owner: { login: "o" } },
      installation: { id: 2 },
      sender: { login: "alice", type: "User" },
    });
  });

  it("a payload without repository does not parse, and says so", () => {
    const parsed = issueEvent.safeParse(fixture("issues.opened.no-repository"));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path)).toEqual([["repository"]]);
  });

  it("issueOfBranch reads only step branches", () => {
    expect([
      issueOfBranch("handover/42/adopt-canary"),
      issueOfBranch("handover/x/adopt"),
      issueOfBranch("renovate/mongo-6.x"),
      issueOfBranch("handover/42/Adopt"),
    ]).toEqual([42, undefined, undefined, undefined]);
  });
});

describe("loading the App", () => {
  it("warms up at load (parsers, a JWT, the fetch client) without a request; loads where the key cannot sign", async () => {
    // The beforeEach load above signed one: nothing reached GitHub.
    expect(seen.matched).toEqual([]);
    expect(seen.unmatched).toEqual([]);
    // Its handover.yml for the parser and the schema is one they read through to the end.
    expect(warmParsers()).toBe(true);
    const broken = new Probot({ appId: 123, privateKey: "not a key", logLevel: "fatal" });
    await expect(broken.load(handover({ webhookSecret: "s" }).app)).resolves.toBeUndefined();
    expect(seen.unmatched).toEqual([]);
  });
});

describe("webhooks name the issue to reconcile", () => {
  it("issues.opened on an issue without the handover label: one GET of the issue, no write", async () => {
    const scope = token(github(seen))
      .get(`${R}/issues/42`)
      .reply(200, { number: 42, title: "Upgrade", body: "", state: "open", labels: [{ name: "question" }] });
    const payload = fixture("issues.opened");
    payload.issue.labels = [{ name: "question" }];
    await receive("issues", payload);
    expect(seen.matched).toEqual([TOKEN, `GET ${R}/issues/42`]);
    done(scope);
  });

  it("a delivery is acknowledged before its reconcile ends: the handler enqueues and returns", async () => {
    let answered = false;
    const scope = token(github(seen))
      .get(`${R}/issues/42`)
      .delay(300)
      .reply(200, () => {
        answered = true;
        return { number: 42, title: "Upgrade", body: "", state: "open", labels: [{ name: "question" }] };
      });
    const payload = fixture("issues.opened");
    payload.issue.labels = [{ name: "question" }];
    await probot.receive({ id: "1", name: "issues", payload } as Parameters<Probot["receive"]>[0]);
    expect(answered).toBe(false);
    await controls.idle();
    expect(answered).toBe(true);
    expect(seen.matched).toEqual([TOKEN, `GET ${R}/issues/42`]);
    done(scope);
  });

  it("an event whose sender is the App itself makes no request at all", async () => {
    const payload = fixture("issues.opened");
    payload.sender = { login: "handover[bot]", id: 41898282, type: "Bot" };
    await receive("issues", payload);
    const comment = fixture("issue_comment.created.pr");
    comment.sender = payload.sender;
    await receive("issue_comment", comment);
    expect(seen.matched).toEqual([]);
    done();
  });

  it("a comment written by any bot is ignored", async () => {
    const payload = fixture("issue_comment.created.issue");
    payload.comment.user = { login: "renovate[bot]", id: 29139614, type: "Bot" };
    payload.sender = payload.comment.user;
    await receive("issue_comment", payload);
    expect(seen.matched).toEqual([]);
    done();
  });

  it("a malformed payload (no repository): no request and no throw", async () => {
    await expect(receive("issues", fixture("issues.opened.no-repository"))).resolves.toBeUndefined();
    expect(seen.matched).toEqual([]);
    done();
  });

  it("a comment on the issue reconciles that issue", async () => {
    const scope = plainIssue(token(github(seen)), 42);
    await receive("issue_comment", fixture("issue_comment.created.issue"));
    expect(seen.matched).toEqual([TOKEN, `GET ${R}/issues/42`]);
    done(scope);
  });

  it("a comment on a step PR reconciles the issue its marker names, not the PR", async () => {
    const scope = plainIssue(token(github(seen)), 42);
    await receive("issue_comment", fixture("issue_comment.created.pr"));
    expect(seen.matched).toEqual([TOKEN, `GET ${R}/issues/42`]);
    done(scope);
  });

  it("a comment on a PR with neither the marker nor a step title: a command there is looked up by the PR's branch (one read); anything else is not Handover's business", async () => {
    const payload = fixture("issue_comment.created.pr");
    payload.issue.body = "Bump mongo to 6.0.14";
    payload.issue.title = "Bump mongo to 6.0.14";
    const pull = (ref: string) => ({ number: 8, state: "open", head: { ref, sha: "h8" }, base: { ref: "main" } });
    // Not a step branch: nothing more.
    const plain = token(github(seen)).get(`${R}/pulls/8`).reply(200, pull("renovate/mongo-6.x"));
    await receive("issue_comment", payload);
    expect(seen.matched).toEqual([TOKEN, `GET ${R}/pulls/8`]);
    done(plain);
    // A step PR whose title and description a person rewrote: its branch names issue 42, which is reconciled.
    seen.matched.length = 0;
    const step = plainIssue(github(seen).get(`${R}/pulls/8`).reply(200, pull("handover/42/release-canary")), 42);
    await receive("issue_comment", { ...payload, comment: { ...payload.comment, id: 9001 } });
    expect(seen.matched).toEqual([`GET ${R}/pulls/8`, `GET ${R}/issues/42`]);
    done(step);
    // Not a command: no request at all.
    seen.matched.length = 0;
    await receive("issue_comment", { ...payload, comment: { ...payload.comment, id: 9002, body: "LGTM" } });
    expect(seen.matched).toEqual([]);
    done();
  });

  it("pull_request.closed (merged) on handover/42/adopt-canary reconciles issue 42", async () => {
    const scope = plainIssue(token(github(seen)), 42);
    await receive("pull_request", fixture("pull_request.closed"));
    expect(seen.matched).toEqual([TOKEN, `GET ${R}/issues/42`]);
    done(scope);
  });

  it("pull_request.closed on a branch that is not a step branch, without a marker: no request", async () => {
    const payload = fixture("pull_request.closed");
    payload.pull_request.head.ref = "renovate/mongo-6.x";
    payload.pull_request.body = "Bump mongo to 6.0.14";
    await receive("pull_request", payload);
    expect(seen.matched).toEqual([]);
    done();
  });

  it("status: lists the open migration issues (PRs dropped) and reconciles each", async () => {
    const scope = token(github(seen))
      .get(`${R}/issues`)
      .query({ labels: "handover", state: "open", per_page: "100", page: "1" })
      .reply(200, [
        { number: 42, labels: [{ name: "handover" }] },
        { number: 12, pull_request: { url: "x" }, labels: [{ name: "handover" }] },
      ]);
    plainIssue(scope, 42);
    await receive("status", fixture("status"));
    expect(seen.matched).toEqual([
      TOKEN,
      `GET ${R}/issues?labels=handover&state=open&per_page=100&page=1`,
      `GET ${R}/issues/42`,
    ]);
    done(scope);
  });

  it("a failing reconcile is logged and counted, never thrown out of the webhook", async () => {
    const scope = token(github(seen)).get(`${R}/issues/42`).reply(502, { message: "Server Error" });
    await expect(receive("issues", fixture("issues.opened"))).resolves.toBeUndefined();
    expect(await controls.metrics.getSingleMetricAsString("handover_reconciles_total")).toContain(
      'handover_reconciles_total{outcome="error:transient"} 1',
    );
    done(scope);
  });

  it("a PR head being guarded is guarded once: opened and ready_for_review at once make one check run", async () => {
    const checkRuns: { head_sha?: string; name?: string }[] = [];
    const scope = guardOfPr7(token(github(seen)), 50, checkRuns);
    const pull = (action: string): Payload => {
      const payload = fixture("pull_request.closed");
      payload.action = action;
      payload.number = 7;
      Object.assign(payload.pull_request, {
        number: 7,
        state: "open",
        merged: false,
        body: "A feature",
        user: { login: "alice" },
      });
      Object.assign(payload.pull_request.head, { ref: "feature", sha: "h1" });
      payload.pull_request.base.ref = "main";
      payload.repository.default_branch = "main";
      return payload;
    };
    await Promise.all(
      ["opened", "ready_for_review"].map((action, n) =>
        probot.receive({ id: String(n), name: "pull_request", payload: pull(action) } as Parameters<
          Probot["receive"]
        >[0]),
      ),
    );
    await controls.idle();
    expect(seen.matched.filter((r) => r.startsWith("POST /repos"))).toEqual([`POST ${R}/check-runs`]);
    expect(checkRuns.map((run) => [run.name, run.head_sha])).toEqual([["handover/guard", "h1"]]);
    done(scope);
  });

  it("a reconcile starts once the guard already running on a PR of its repo is done: the two never interleave", async () => {
    const scope = guardOfPr7(token(github(seen)), 50); // slow, so the issue's event arrives while the guard runs
    plainIssue(scope, 42);
    await pushThenIssue(probot);
    await controls.idle();
    expect(seen.matched).toEqual([
      TOKEN,
      `GET ${R}/branches/main`,
      `GET ${R}/git/trees/h1?recursive=1`,
      ...GUARD_OF_PR7_AFTER_HEAD,
      `GET ${R}/issues/42`,
    ]);
    done(scope);
  });

  it("a reconcile waits for a running guard only so long (guardWaitMs): a stalled guard does not hold it back", async () => {
    const impatient = await app({ guardWaitMs: 20 });
    const scope = guardOfPr7(token(github(seen)), 400); // the guard stalls far longer than the reconcile waits
    plainIssue(scope, 42);
    await pushThenIssue(impatient.probot);
    await impatient.controls.idle();
    // The reconcile's read goes out while the guard waits for its head's tree (when within those 20 ms the guard got
    // to ask for it depends on the machine's load), never after the guard's next request.
    const issue = `GET ${R}/issues/42`;
    expect(seen.matched.filter((r) => r !== issue)).toEqual([
      TOKEN,
      `GET ${R}/branches/main`,
      `GET ${R}/git/trees/h1?recursive=1`,
      ...GUARD_OF_PR7_AFTER_HEAD,
    ]);
    expect(seen.matched.filter((r) => r === issue)).toHaveLength(1);
    expect(seen.matched.indexOf(issue)).toBeLessThan(seen.matched.indexOf(GUARD_OF_PR7_AFTER_HEAD[0] ?? ""));
    done(scope);
  });

  it("a burst of events for one issue coalesces into one running reconcile plus one queued", async () => {
    const scope = token(github(seen));
    // the first answer is slow, so the other three deliveries arrive while it runs
    scope
      .get(`${R}/issues/42`)
      .delay(50)
      .reply(200, { number: 42, title: "Something else", body: "", state: "open", labels: [] });
    plainIssue(scope, 42);
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        probot.receive({ id: String(n), name: "issues", payload: fixture("issues.opened") } as Parameters<
          Probot["receive"]
        >[0]),
      ),
    );
    await controls.idle();
    expect(seen.matched).toEqual([TOKEN, `GET ${R}/issues/42`, `GET ${R}/issues/42`]);
    done(scope);
  });
});
