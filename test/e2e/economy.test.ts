// The App's GitHub traffic, request by request: the writes each moment of a migration costs (DESIGN section 8,
// issue 14). Totals go in `npm run bench`; here the exact writes, so a redundant one fails a test.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resetCaches } from "../../src/github/index.js";
import { OPEN_STEP_CHECKED } from "../../src/github/octokit.js";
import { REHEARSAL_START, type StepReport } from "../../src/rehearse/run.js";
import type { SimulatedClock, World } from "../../src/rehearse/world.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, exampleWorld, run } from "./helpers.js";

const ISSUE = readFileSync("examples/issue.md", "utf8");
const R = "/repos/acme/replicante-config";

async function world(seed: number, clock?: (c: SimulatedClock) => void): Promise<World> {
  const { world: w, clock: c } = await exampleWorld(seed);
  clock?.(c);
  w.sim.setPermission("operator", "admin");
  w.sim.createLabel("handover");
  return w;
}

/** Deliver every webhook, and those the App's work sends in turn, until GitHub and the App are quiet. */
async function settle(w: World): Promise<void> {
  do {
    await w.sim.deliverAll();
    await w.replicas[0]?.idle();
  } while (w.sim.pendingEvents() > 0);
}

/** `METHOD path` of every write the App made since `from` (its position in the simulator's request log). */
const writesSince = (w: World, from: number): string[] =>
  w.sim.requests
    .slice(from)
    .filter((r) => r.write && !r.path.startsWith("/app/"))
    .map((r) => `${r.method} ${r.path}`);

describe("the writes a migration costs", { timeout: 120_000 }, () => {
  it("a new migration issue: the prepare step opened and shown in one reconcile, one dashboard write, one label write", async () => {
    const w = await world(11);
    try {
      const issue = w.sim.createIssue("operator", "Upgrade", ISSUE, ["handover"]);
      await settle(w);
      const opened = w.sim.listPulls()[0];
      if (!opened?.pull) throw new Error("no step PR opened");
      const pr = opened.number;
      expect(writesSince(w, 0)).toEqual([
        `POST ${R}/git/trees`,
        `POST ${R}/git/commits`,
        "POST /graphql", // the branch, the draft PR and the guard's check run
        `POST ${R}/issues/${pr}/labels`,
        `POST ${R}/issues/${issue}/comments`,
        `POST ${R}/labels`,
        `POST ${R}/issues/${issue}/labels`,
      ]);
      const head = opened.pull.headSha;
      const run = [...w.sim.repo.checkRuns.values()].find((r) => r.headSha === head);
      // the prepare scaffold still carries REPLACE-ME: the guard's verdict, made with the PR, holds it
      expect(run).toMatchObject({ name: "handover/guard", status: "completed", conclusion: "failure" });
      expect(w.sim.graphqlRequests).toEqual([
        {
          query: OPEN_STEP_CHECKED,
          variables: {
            repositoryId: `R_${w.sim.repo.id}`,
            ref: "refs/heads/handover/1/prepare",
            oid: head,
            base: "main",
            head: "handover/1/prepare",
            title: opened.title,
            body: opened.body,
            draft: true,
            check: {
              repositoryId: `R_${w.sim.repo.id}`,
              headSha: head,
              name: "handover/guard",
              status: "COMPLETED",
              conclusion: "FAILURE",
              output: {
                title: run?.output.title,
                summary: run?.output.summary,
                annotations: run?.annotations.map((a: Record<string, unknown>) => ({
                  path: a.path,
                  location: { startLine: a.start_line, endLine: a.end_line },
                  annotationLevel: "FAILURE",
                  message: a.message,
                })),
              },
            },
          },
        },
      ]);
      // the guard on the PR's opened event reads nothing: the verdict went with the PR
      const guardReads = w.sim.requests.filter((r) => r.path.endsWith("/check-runs") || r.path.endsWith("/files"));
      expect(guardReads).toEqual([]);
    } finally {
      await w.stop();
    }
  });

  it("a step costs no write of the status label: running through review and gate; waiting only when held", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE);
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    // running from the start, waiting for /handover decommission, running again, done
    expect(sim.requests.filter((r) => r.write && r.path === `${R}/issues/1/labels`).map((r) => r.method)).toEqual([
      "POST",
      "PUT",
      "PUT",
      "PUT",
    ]);
    expect(report.final_label).toBe("handover:done");
  });

  it("the decommission: its branch is not read while it waits for the command; its commit is written ahead, its PR only on the command", async () => {
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE);
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    const log = sim.requests.map((r) => `${r.method} ${r.path}${r.status === 404 ? " 404" : ""}`);
    const labelled = log.flatMap((line, i) => (line === `PUT ${R}/issues/1/labels` ? [i] : []));
    // PUT 1: waiting (for /handover decommission); PUT 2: running (its PR opened); PUT 3: done.
    const [waiting, running] = labelled as [number, number];
    const branchReads = log.flatMap((line, i) =>
      line.startsWith(`GET ${R}/git/ref/heads/handover/1/decommission`) ? [i] : [],
    );
    expect(branchReads.length).toBe(1);
    expect(branchReads[0]).toBeGreaterThan(waiting);
    const dashboard = sim.listComments(1).find((c) => c.user === "handover[bot]")?.id;
    const command = sim.listComments(1).find((c) => c.body.startsWith("/handover decommission"))?.id;
    const pr = report.steps.find((st) => st.id === "decommission")?.pr;
    expect(
      sim.requests
        .slice(waiting + 1, running + 2)
        .filter((r) => r.write)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([
      "POST /graphql", // its branch, on the commit written ahead, and its PR
      `POST ${R}/issues/${pr}/labels`,
      // the command's record and the opened step in one edit, the label, then the command's reaction
      `PATCH ${R}/issues/comments/${dashboard}`,
      `PUT ${R}/issues/1/labels`,
      `POST ${R}/issues/comments/${command}/reactions`,
    ]);
    // The PR's commit was written while adopt-rest's gate ran: before the migration waited for the command, and
    // with no branch or PR pointing to it until the command came.
    const opened = sim.listPulls().find((p) => p.number === pr);
    const written = sim.repo.objects.getCommit(opened?.pull.headSha ?? "");
    expect(written?.message).toBe(
      `${opened?.title}\n\nStep decommission of Handover migration #1.\nCommitter: Handover`,
    );
    const commitWrites = log.flatMap((line, i) => (line === `POST ${R}/git/commits` ? [i] : []));
    expect(commitWrites.filter((i) => i > waiting)).toEqual([]);
    expect(Date.parse(written?.committer.date ?? "")).toBeLessThan(sim.requests[waiting]?.at ?? 0);
  });
});

/** The bundled rehearsal, and the simulated times (epoch ms) from release-canary's merge to adopt-canary's opening. */
async function canaryToNext(): Promise<{
  sim: GitHubSim;
  canary: StepReport;
  next: StepReport;
  from: number;
  to: number;
}> {
  const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE);
  const [, canary, next] = report.steps;
  if (!canary?.merged_at || !next?.opened_at)
    throw new Error("release-canary never merged, or adopt-canary never opened");
  // The report's times are seconds since the rehearsal started; the simulator's are epoch ms.
  const [from, to] = [canary.merged_at, next.opened_at].map((s) => REHEARSAL_START + s * 1000) as [number, number];
  return { sim: sims[0] as GitHubSim, canary, next, from, to };
}

describe("the writes of one step", { timeout: 120_000 }, () => {
  it("from its merge to the next step's PR: one dashboard edit at the merge, none while its checks report, one when it passes", async () => {
    const { sim, next, from, to } = await canaryToNext();
    const writes = sim.requests
      .filter((r) => r.write && r.at >= from && r.at <= to && !r.path.startsWith("/app/"))
      .map((r) => `${new Date(r.at).toISOString().slice(11, 19)} ${r.method} ${r.path}`);
    const dashboard = sim.requests.find(
      (r) => r.method === "PATCH" && r.path.startsWith(`${R}/issues/comments/`),
    )?.path;
    expect(writes).toEqual([
      `00:31:00 PATCH ${dashboard}`, // merged: the gate runs
      // adopt-canary's tree and commit, written ahead while the gate runs (no branch points to them yet)
      `00:31:00 POST ${R}/git/trees`,
      `00:31:00 POST ${R}/git/commits`,
      // 00:32 and 00:33 the deployments and flux report green, 00:48 the soak ends: no write
      "00:51:00 POST /graphql", // adopt-canary's branch (on the commit written ahead), PR and guard check run
      `00:51:00 POST ${R}/issues/${next.pr}/labels`,
      `00:51:00 PATCH ${dashboard}`, // gate passed, adopt-canary open for review
    ]);
  });
});

describe("the health reads of one gate", { timeout: 120_000 }, () => {
  it("while it cannot pass, only what a webhook reported on is read; every check is read once it could", async () => {
    resetCaches(); // as in a new process: a rehearsal before this one left its answers' ETags (a 304 is not counted)
    const { sim, canary, from, to } = await canaryToNext();
    const health = /\/(statuses|check-runs|deployments)/;
    const inWindow = sim.requests.filter((r) => r.at >= from && r.at <= to && health.test(r.path));
    const sha = sim.listPulls().find((p) => p.number === canary.pr)?.pull.mergeCommitSha ?? "";
    const at = (r: { at: number }) => new Date(r.at).toISOString().slice(11, 19);
    const deployment = inWindow.find((r) => /\/deployments\/\d+\/statuses$/.test(r.path) && r.status === 200)?.path;
    // Counted reads: each one the first since a webhook reported on it, or the first of all once the gate could pass.
    expect(inWindow.filter((r) => r.status !== 304).map((r) => `${at(r)} ${r.method} ${r.path}`)).toEqual([
      `00:32:00 GET ${R}/deployments`, // the deployment reports green (its deployment_status webhook)
      `00:32:00 GET ${deployment}`,
      `00:33:00 GET ${R}/commits/${sha}/statuses`, // flux reports green (its status webhook)
      `00:46:00 GET ${R}/commits/${sha}/check-runs`, // one soak after the merge: every check is read
    ]);
    // At the merge the new commit's checks are not asked about: nothing can have reported on it yet.
    expect(inWindow.filter((r) => at(r) === "00:31:00" && r.path.includes(sha))).toEqual([]);
  });

  it("once it passed, no later reconcile reads its checks again, not even as a free 304 started ahead", async () => {
    const { sim, canary, from, to } = await canaryToNext();
    const sha = sim.listPulls().find((p) => p.number === canary.pr)?.pull.mergeCommitSha ?? "";
    const onSha = new Set([...sim.repo.deployments.values()].filter((d) => d.sha === sha).map((d) => d.id));
    const ofGate = (path: string): boolean =>
      path === `${R}/commits/${sha}/statuses` ||
      path === `${R}/commits/${sha}/check-runs` ||
      onSha.has(Number(/\/deployments\/(\d+)\/statuses$/.exec(path)?.[1]));
    // While it ran (from the merge to adopt-canary's opening) the gate read its commit's statuses and check runs and
    // the statuses of a deployment of that commit; after it passed, none of them.
    const during = new Set(sim.requests.filter((r) => r.at >= from && r.at <= to && ofGate(r.path)).map((r) => r.path));
    expect(
      [...during].map((path) => path.replace(/\/deployments\/\d+\/statuses$/, "/deployments/N/statuses")).sort(),
    ).toEqual([`${R}/commits/${sha}/check-runs`, `${R}/commits/${sha}/statuses`, `${R}/deployments/N/statuses`]);
    const later = sim.requests.filter((r) => r.at > to && ofGate(r.path));
    expect(later.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([]);
  });
});

describe("the round trips of a step's opening", { timeout: 120_000 }, () => {
  it("after its reads, the step branch and the open migrations are read together: one round trip, then the writes", async () => {
    // With a latency on every answer, requests sent together share a round trip: each request is recorded with the
    // simulator's round-trip count when it arrived, from adopt-canary's previous step merging to its own opening.
    const arrivals: { request: string; round: number }[] = [];
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event === "merged" && step.id === "release-canary") {
          sim.latencyMs = 20;
          sim.faultHook = (req) => {
            arrivals.push({ request: `${req.method} ${req.path}`, round: sim.roundTrips });
            return undefined;
          };
        }
        if (event === "opened" && step.id === "adopt-canary") {
          sim.latencyMs = 0;
          sim.faultHook = undefined;
        }
      },
    });
    expect(report.completed).toBe(true);
    const branch = arrivals.findIndex((a) => a.request === `GET ${R}/git/ref/heads/handover/1/adopt-canary`);
    expect(branch).toBeGreaterThan(0);
    const opening = arrivals.slice(branch);
    const round = (request: string) => opening.find((a) => a.request === request)?.round;
    const ref = round(`GET ${R}/git/ref/heads/handover/1/adopt-canary`) as number;
    // the guard's verdict goes with the PR, and weighs the other open migrations: listed in the branch's round trip
    expect(round(`GET ${R}/issues`)).toBe(ref);
    // then one write per round trip, as GitHub asks of integrations
    expect(opening.filter((a) => a.request.startsWith("POST") || a.request.startsWith("PATCH"))).toEqual([
      { request: "POST /graphql", round: ref + 1 },
      { request: `POST ${R}/issues/${report.steps[2]?.pr}/labels`, round: ref + 2 },
      { request: expect.stringMatching(new RegExp(`^PATCH ${R}/issues/comments/\\d+$`)), round: ref + 3 },
    ]);
  });
});

describe("the next step's PRs", { timeout: 120_000 }, () => {
  it("are read only once a step merged (its pass could be recorded there), never while it waits or is in review", async () => {
    const { report, plan, sims } = await run("examples/config-repo", EXAMPLE_ISSUE);
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    const prsOf = (id: string) => (r: { method: string; path: string; query: string }) =>
      r.method === "GET" &&
      r.path === `${R}/pulls` &&
      decodeURIComponent(r.query).includes(`head=acme:handover/1/${id}&`);
    const firstRead = (id: string): number | undefined => sim.requests.find(prsOf(id))?.at;
    const at = (seconds: number | null | undefined): number | undefined =>
      seconds === null || seconds === undefined ? undefined : REHEARSAL_START + seconds * 1000;
    const steps = plan.steps.map((st) => st.id);
    const pairs = steps.slice(0, -1).map((id, i) => {
      const merged = at(report.steps.find((st) => st.id === id)?.merged_at);
      const read = firstRead(steps[i + 1] as string);
      return `${id}: ${read !== undefined && merged !== undefined && read >= merged ? "after its merge" : `read at ${read}, merged at ${merged}`}`;
    });
    expect(pairs).toEqual(steps.slice(0, -1).map((id) => `${id}: after its merge`));
  });
});

describe("webhooks that bring no news", { timeout: 120_000 }, () => {
  it("a merge's closed and push arriving after the resync that saw the merge start no reconcile", async () => {
    let clock: SimulatedClock | undefined;
    const w = await world(12, (c) => {
      clock = c;
    });
    try {
      w.sim.createIssue("operator", "Upgrade", ISSUE, ["handover"]);
      await settle(w);
      const pr = w.sim.listPulls()[0]?.number ?? 0;
      w.sim.markReady(pr, "operator");
      await settle(w);
      w.sim.mergePull(pr, "operator", "merge");
      const queued = w.sim.pendingEvents();
      // The resync is due and sees the merge before its webhooks are delivered.
      if (clock) clock.current += 10 * 60_000;
      await w.replicas[0]?.resyncAll();
      await w.replicas[0]?.idle();
      expect(w.sim.pendingEvents()).toBeGreaterThanOrEqual(queued);
      const from = w.sim.requests.length;
      await settle(w);
      // The push only lists the open migrations (free: 304); nothing else is read or written.
      expect(w.sim.requests.slice(from).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        `GET ${R}/issues 304`,
      ]);
    } finally {
      await w.stop();
    }
  });
});

describe("a reconcile that failed on a transient error", { timeout: 120_000 }, () => {
  it("is retried a minute later by the next tick without timers, as a timer does in production, not at the next resync", async () => {
    let clock: SimulatedClock | undefined;
    const w = await world(14, (c) => {
      clock = c;
    });
    try {
      // The resync has just listed the repo: it is not due again for five minutes.
      await w.replicas[0]?.resyncAll();
      // GitHub fails the issue's comments while the issue's webhooks are handled, then recovers.
      w.sim.faultHook = (req) => (req.method === "GET" && req.path === `${R}/issues/1/comments` ? "500" : undefined);
      w.sim.createIssue("operator", "Upgrade", ISSUE, ["handover"]);
      await settle(w);
      w.sim.faultHook = undefined;
      expect(w.sim.listComments(1)).toEqual([]);
      const tick = async (ms: number) => {
        if (clock) clock.current += ms;
        const from = w.sim.requests.length;
        await w.replicas[0]?.resyncAll();
        await settle(w);
        return writesSince(w, from);
      };
      expect(await tick(59_000)).toEqual([]);
      const writes = await tick(1_000);
      expect(writes).toContain(`POST ${R}/issues/1/comments`);
      expect(w.sim.listComments(1).map((c) => c.body.split("\n")[0])).toEqual(["<!-- handover:dashboard -->"]);
      // Retried once: the next tick reconciles nothing.
      expect(await tick(60_000)).toEqual([]);
    } finally {
      await w.stop();
    }
  });
});
