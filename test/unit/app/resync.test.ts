// The resync against nock: the exact listings it makes, and that a resync after the first reads the open migration
// issues of the repositories it already knows while it lists the installations again (one round trip less).
import { describe, expect, it } from "vitest";
import { Resync, type ResyncDeps } from "../../../src/app/resync.js";
import type { IssueKey } from "../../../src/app/scheduler.js";
import { github, octokit, useNock } from "../github/nock.js";

const seen = useNock();
const ISSUES = "/repos/acme/config/issues?labels=handover&state=open&per_page=100&page=1";

function world(): { deps: ResyncDeps; clock: { now: number }; scheduled: number[]; failures: string[] } {
  const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
  const scheduled: number[] = [];
  const failures: string[] = [];
  const deps: ResyncDeps = {
    auth: async () => octokit(),
    login: async () => "handover[bot]",
    now: () => clock.now,
    schedule: async (key: IssueKey) => {
      scheduled.push(key.issue);
    },
    failed: (what, err) => failures.push(`${what}: ${(err as Error).message}`),
  };
  return { deps, clock, scheduled, failures };
}

/** One listing round: installations (answered after `delay` ms), the installation's repos, acme/config's issues. */
function listing(delay: number, issues: unknown[]) {
  return github(seen)
    .get("/app/installations")
    .query({ per_page: 100 })
    .delay(delay)
    .reply(200, [{ id: 1 }])
    .get("/installation/repositories")
    .query({ per_page: 100 })
    .reply(200, { total_count: 1, repositories: [{ name: "config", owner: { login: "acme" } }] })
    .get("/repos/acme/config/issues")
    .query({ labels: "handover", state: "open", per_page: 100, page: 1 })
    .reply(200, issues);
}

describe("resync", () => {
  it("lists installations, then repositories, then open migration issues, and schedules each issue (not PRs)", async () => {
    const { deps, scheduled, failures } = world();
    const scope = listing(0, [{ number: 4 }, { number: 5, pull_request: { url: "x" } }, { number: 9 }]);
    await new Resync(deps).all();
    expect(seen.matched).toEqual([
      "GET /app/installations?per_page=100",
      "GET /installation/repositories?per_page=100",
      `GET ${ISSUES}`,
    ]);
    expect(scheduled).toEqual([4, 9]);
    expect(failures).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it("the next resync reads a known repository's issues while the installations are listed again", async () => {
    const { deps, clock, scheduled, failures } = world();
    const resync = new Resync(deps);
    listing(0, [{ number: 4 }]);
    await resync.all();
    seen.matched.length = 0;
    clock.now += 10 * 60_000;
    // The issue read goes out first, without waiting for the listings (nock logs a request when it is sent).
    const scope = listing(50, [{ number: 4 }, { number: 6 }]);
    await resync.all();
    expect(seen.matched).toEqual([
      `GET ${ISSUES}`,
      "GET /app/installations?per_page=100",
      "GET /installation/repositories?per_page=100",
    ]);
    expect(scheduled).toEqual([4, 4, 6]);
    expect(failures).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it("a repository no longer listed is not resynced: its early read is dropped and nothing is scheduled for it", async () => {
    const { deps, clock, scheduled, failures } = world();
    const resync = new Resync(deps);
    listing(0, [{ number: 4 }]);
    await resync.all();
    clock.now += 10 * 60_000;
    const scope = github(seen)
      .get("/app/installations")
      .query({ per_page: 100 })
      .delay(20)
      .reply(200, [{ id: 1 }])
      .get("/installation/repositories")
      .query({ per_page: 100 })
      .reply(200, { total_count: 0, repositories: [] })
      .get("/repos/acme/config/issues")
      .query({ labels: "handover", state: "open", per_page: 100, page: 1 })
      .reply(200, [{ number: 7 }]);
    await resync.all();
    expect(scheduled).toEqual([4]);
    expect(failures).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});
