// Two App replicas sharing a real Redis (REDIS_URL): per-issue leases and one GitHub request budget for both.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OctokitPlugin, type ScaleOut, scaleOut } from "../../src/server/scale.js";
import { ensureRedisServer, type RedisServer, startRedisServer } from "../ops/redis.js";
import { expectStrictOrder, issueBody, run } from "./helpers.js";

const missing = ensureRedisServer();
if (missing) console.warn(`NOTICE: the two-replica Redis rehearsal is skipped: ${missing}`);

/** At most this many GitHub requests per second, for both replicas together. */
const BUDGET = { requests: 60, perMs: 1000 };

describe.skipIf(missing !== undefined)("two replicas sharing Redis", () => {
  let redis: RedisServer;
  const replicas: ScaleOut[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await redis?.stop();
  });

  it("complete the rehearsal with one PR per step and together never go past the budget", {
    timeout: 120_000,
  }, async () => {
    for (let i = 0; i < 2; i++) replicas.push(scaleOut(redis.url, BUDGET, () => undefined));
    const sent: number[] = [];
    // Wrapped inside the budget: a request is recorded when it really goes out, after waiting its turn.
    const record: OctokitPlugin = (octokit) =>
      octokit.hook.wrap("request", (request, options) => {
        sent.push(Date.now());
        return request(options);
      });
    const started = Date.now();
    // One group (prepare, release, adopt, decommission): enough steps to see leases and the budget, few requests.
    const { report } = await run("examples/config-repo", issueBody("replicore-a", "replicore-b", "0.3.1", "all: *"), {
      replicas: 2,
      replica: (i) => ({ plugins: [record, (replicas[i] as ScaleOut).plugin], lease: (replicas[i] as ScaleOut).lease }),
    });
    const elapsed = Date.now() - started;

    expect(report.completed).toBe(true);
    expect(report.duplicate_prs).toBe(0);
    expect(report.steps.map((step) => step.state)).toEqual(report.steps.map(() => "merged"));
    expect(new Set(report.steps.map((step) => step.pr)).size).toBe(report.steps.length);
    expect(report.violations).toEqual([]);
    expectStrictOrder(report);

    // The budget had to hold the replicas back (more requests than one period allows)...
    expect(sent.length).toBe(report.api.requests);
    expect(sent.length).toBeGreaterThan(2 * BUDGET.requests);
    // ...and never let them past it: a period's reservoir holds BUDGET.requests, so no period saw more, and any
    // stretch of one period's length overlaps at most two of them.
    expect(sent.length).toBeLessThanOrEqual(BUDGET.requests * (Math.floor(elapsed / BUDGET.perMs) + 1));
    sent.sort((a, b) => a - b);
    let busiest = 0;
    for (let first = 0, last = 0; last < sent.length; last++) {
      while ((sent[last] as number) - (sent[first] as number) >= BUDGET.perMs) first++;
      busiest = Math.max(busiest, last - first + 1);
    }
    expect(busiest).toBeLessThanOrEqual(2 * BUDGET.requests);
  });
});
