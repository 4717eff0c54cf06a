// The queue and its timers, on fake timers: a soak that ends or a gate that times out sends no webhook, so the
// scheduler looks again right then; a rate limit looks again after GitHub's retry-after.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GitHubErrorKind, OctokitLike } from "../../../src/github/index.js";
import { type IssueKey, retryAfterMs, Scheduler } from "../../../src/app/scheduler.js";

const START = Date.parse("2026-05-04T12:00:00Z");
const client = (name: string) => ({ name }) as unknown as OctokitLike;
const key = (issue: number, octokit = client("a")): IssueKey => ({ octokit, owner: "o", repo: "r", issue });

function httpError(status: number, message: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { status, response: { headers, data: { message } } });
}

/** A scheduler whose reconciles answer from a script, one answer per run; it records every run and failure. */
/**
 * A scheduler whose first run waits for `release()`; each run records `issue:client` and then calls `after(runs)`.
 */
function holdingFirstRun(after: (runs: string[]) => void = () => undefined) {
  const held: { runs: string[]; release: () => void } = { runs: [], release: () => undefined };
  const scheduler = new Scheduler({
    now: () => Date.now(),
    timers: false,
    async run(k) {
      held.runs.push(`${k.issue}:${(k.octokit as unknown as { name: string }).name}`);
      if (held.runs.length === 1) await new Promise<void>((resolve) => (held.release = resolve));
      after(held.runs);
      return undefined;
    },
    failed: () => undefined,
  });
  return { scheduler, held };
}

function scripted(answers: (number | undefined | Error)[], timers = true, gatherMs = 0) {
  const runs: { at: number; issue: number; client: string }[] = [];
  const failures: { issue: number; kind: GitHubErrorKind; retryAt: number | undefined }[] = [];
  const scheduler = new Scheduler({
    now: () => Date.now(),
    timers,
    gatherMs,
    async run(k) {
      runs.push({ at: Date.now() - START, issue: k.issue, client: (k.octokit as unknown as { name: string }).name });
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    },
    failed: (k, _err, kind, retryAt) => failures.push({ issue: k.issue, kind, retryAt }),
  });
  return { scheduler, runs, failures };
}

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Scheduler", () => {
  it("events of one burst (within gatherMs) start one reconcile, with the newest client; one during the run, one more", async () => {
    const { scheduler, runs } = scripted([undefined, undefined, undefined], false, 200);
    void scheduler.schedule(key(42, client("a")));
    await vi.advanceTimersByTimeAsync(150);
    void scheduler.schedule(key(42, client("b")));
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(50);
    expect(runs).toEqual([{ at: 200, issue: 42, client: "b" }]);
    await scheduler.idle();
    expect(runs).toHaveLength(1);
    // A burst after that run waits its own window.
    void scheduler.schedule(key(42, client("c")));
    void scheduler.schedule(key(42, client("d")));
    await vi.advanceTimersByTimeAsync(200);
    await scheduler.idle();
    expect(runs).toEqual([
      { at: 200, issue: 42, client: "b" },
      { at: 400, issue: 42, client: "d" },
    ]);
  });

  it("looks again one second after the moment a reconcile names, and only then", async () => {
    const { scheduler, runs } = scripted([START + 600_000, undefined]);
    await scheduler.schedule(key(42));
    expect(scheduler.armed()).toEqual(["o/r#42"]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(runs.map((r) => r.at)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1_000);
    await scheduler.idle();
    expect(runs.map((r) => r.at)).toEqual([0, 601_000]);
    expect(scheduler.armed()).toEqual([]);
  });

  it("a moment already past is looked at a second later; one more than a day away is left to the resync", async () => {
    const { scheduler, runs } = scripted([START - 5_000, START + 25 * 3600_000]);
    await scheduler.schedule(key(42));
    await vi.advanceTimersByTimeAsync(1_000);
    await scheduler.idle();
    expect(runs.map((r) => r.at)).toEqual([0, 1_000]);
    expect(scheduler.armed()).toEqual([]);
  });

  it("a newer answer replaces the timer armed before it", async () => {
    const { scheduler, runs } = scripted([START + 600_000, START + 60_000, undefined]);
    await scheduler.schedule(key(42));
    await scheduler.schedule(key(42));
    await vi.advanceTimersByTimeAsync(61_000);
    await scheduler.idle();
    expect(runs.map((r) => r.at)).toEqual([0, 0, 61_000]);
    await vi.advanceTimersByTimeAsync(3600_000);
    expect(runs).toHaveLength(3);
  });

  it("with timers off nothing is armed", async () => {
    const { scheduler } = scripted([START + 60_000], false);
    await scheduler.schedule(key(42));
    expect(scheduler.armed()).toEqual([]);
  });

  it("with timers off, a failed reconcile is retried by the first retryDue once its minute has passed, and only once", async () => {
    const { scheduler, runs, failures } = scripted(
      [httpError(500, "Server Error"), undefined, httpError(422, "Validation Failed")],
      false,
    );
    await scheduler.schedule(key(42));
    expect(failures).toEqual([{ issue: 42, kind: "transient", retryAt: START + 60_000 }]);
    expect(scheduler.armed()).toEqual([]);
    await vi.advanceTimersByTimeAsync(59_000);
    await scheduler.retryDue();
    expect(runs.map((r) => r.at)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1_000);
    await scheduler.retryDue();
    await scheduler.retryDue();
    expect(runs.map((r) => r.at)).toEqual([0, 60_000]);
    // An error retrying cannot fix is not retried.
    await scheduler.schedule(key(42));
    await vi.advanceTimersByTimeAsync(3600_000);
    await scheduler.retryDue();
    expect(runs.map((r) => r.at)).toEqual([0, 60_000, 60_000]);
  });

  it("with timers off, a reconcile that succeeds before the retry is due cancels it", async () => {
    const { scheduler, runs } = scripted([httpError(502, "Bad Gateway"), undefined, undefined], false);
    await scheduler.schedule(key(42));
    await vi.advanceTimersByTimeAsync(10_000);
    await scheduler.schedule(key(42));
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.retryDue();
    expect(runs.map((r) => r.at)).toEqual([0, 10_000]);
  });

  it("a rate limit is retried after GitHub's retry-after, a transient error after a minute", async () => {
    const limited = httpError(403, "API rate limit exceeded", { "retry-after": "30" });
    const { scheduler, runs, failures } = scripted([limited, httpError(502, "Bad Gateway"), undefined]);
    await scheduler.schedule(key(42));
    await vi.advanceTimersByTimeAsync(31_000);
    await scheduler.idle();
    await vi.advanceTimersByTimeAsync(61_000);
    await scheduler.idle();
    expect(runs.map((r) => r.at)).toEqual([0, 31_000, 92_000]);
    expect(failures).toEqual([
      { issue: 42, kind: "rate-limit", retryAt: START + 30_000 },
      { issue: 42, kind: "transient", retryAt: START + 31_000 + 60_000 },
    ]);
  });

  it("an error retrying cannot fix arms no retry and leaves the timer before it as it was", async () => {
    const { scheduler, runs, failures } = scripted([START + 120_000, httpError(422, "Validation Failed"), undefined]);
    await scheduler.schedule(key(42));
    await scheduler.schedule(key(42));
    expect(failures).toEqual([{ issue: 42, kind: "invalid", retryAt: undefined }]);
    expect(scheduler.armed()).toEqual(["o/r#42"]);
    await vi.advanceTimersByTimeAsync(121_000);
    await scheduler.idle();
    expect(runs.map((r) => r.at)).toEqual([0, 0, 121_000]);
  });

  it("a burst for one issue is one running reconcile plus one queued, which runs with the newest client", async () => {
    const { scheduler, held } = holdingFirstRun();
    const first = scheduler.schedule(key(42, client("a")));
    await vi.advanceTimersByTimeAsync(0);
    const more = [scheduler.schedule(key(42, client("b"))), scheduler.schedule(key(42, client("c")))];
    const other = scheduler.schedule(key(7, client("d")));
    held.release();
    await Promise.all([first, ...more, other]);
    expect(held.runs).toEqual(["42:a", "7:d", "42:c"]);
  });

  it("an event the last finished reconcile already read starts none; asked after a running one finishes, it runs again only if news", async () => {
    let seen = "";
    const { scheduler, held } = holdingFirstRun((runs) => {
      seen = `seen by run ${runs.length}`;
    });
    const { runs } = held;
    // Nothing ran yet: not known, so it runs.
    const first = scheduler.schedule(key(42, client("a")), () => seen === "seen by run 1");
    await vi.advanceTimersByTimeAsync(0);
    // Asked once the running reconcile finished: the first is what it saw, the second is not; only the second reruns.
    const during = [
      scheduler.schedule(key(42, client("b")), () => seen === "seen by run 1"),
      scheduler.schedule(key(42, client("c")), () => seen === "something newer"),
    ];
    held.release();
    await Promise.all([first, ...during]);
    expect(runs).toEqual(["42:a", "42:c"]);
    // Known now, nothing running: no run at all; without `known` (a comment, a resync) it always runs.
    await scheduler.schedule(key(42, client("d")), () => seen === "seen by run 2");
    expect(runs).toEqual(["42:a", "42:c"]);
    await scheduler.schedule(key(42, client("e")));
    expect(runs).toEqual(["42:a", "42:c", "42:e"]);
  });

  it("a running reconcile whose events were all known by its end runs once", async () => {
    const { scheduler, held } = holdingFirstRun();
    const first = scheduler.schedule(key(42));
    await vi.advanceTimersByTimeAsync(0);
    const during = scheduler.schedule(key(42), () => true);
    held.release();
    await Promise.all([first, during]);
    expect(held.runs).toEqual(["42:a"]);
  });

  it("stop disarms every timer", async () => {
    const { scheduler, runs } = scripted([START + 60_000, START + 60_000]);
    await scheduler.schedule(key(42));
    await scheduler.schedule(key(7));
    expect(scheduler.armed()).toEqual(["o/r#42", "o/r#7"]);
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(3600_000);
    expect(scheduler.armed()).toEqual([]);
    expect(runs).toHaveLength(2);
  });
});

describe("retryAfterMs", () => {
  it.each([
    [{ "retry-after": "30" }, 30_000],
    [{ "retry-after": "0" }, 60_000],
    [{ "retry-after": "soon" }, 60_000],
    [{}, 60_000],
  ])("%o -> %i ms", (headers, ms) => {
    expect(retryAfterMs(httpError(429, "rate limit", headers))).toBe(ms);
  });
});
