import { classify, type GitHubErrorKind, type OctokitLike } from "../github/index.js";

/** One migration issue to reconcile, with the installation client that can reach it. */
export interface IssueKey {
  octokit: OctokitLike;
  owner: string;
  repo: string;
  issue: number;
}

/** `owner/repo#issue`: what the queue coalesces on (the client is not part of the identity). */
export function keyId(key: Pick<IssueKey, "owner" | "repo" | "issue">): string {
  return `${key.owner}/${key.repo}#${key.issue}`;
}

export interface SchedulerOptions {
  /** Reconcile one issue; resolves to when to look again without a webhook (epoch ms), if ever. */
  run(key: IssueKey): Promise<number | undefined>;
  /** A reconcile threw; `retryAt` is when the scheduler looks again, when it does. */
  failed(key: IssueKey, err: unknown, kind: GitHubErrorKind, retryAt: number | undefined): void;
  now(): number;
  /** Arm timers for re-checks (off in tests and rehearsals, which drive the clock themselves). */
  timers: boolean;
  /**
   * How long (real ms) a reconcile waits before it starts, so the events of one burst (a merge sends the PR's closing,
   * the push, statuses) start one reconcile instead of one plus a second that re-reads what the first just wrote.
   */
  gatherMs?: number;
}

/** A timer further away than this is not armed: the periodic resync sees the issue first. */
const MAX_TIMER_MS = 24 * 3600_000;
/** Fire a little after the moment named, so the soak or time-out has surely passed when the reconcile reads it. */
const TIMER_SLACK_MS = 1_000;
const DEFAULT_RETRY_MS = 60_000;

/** GitHub's retry-after (seconds) on a rate-limited answer, else a minute. */
export function retryAfterMs(err: unknown): number {
  const headers = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers;
  const header = headers?.["retry-after"];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_RETRY_MS;
}

/**
 * Per-issue serialization with coalescing inside one process: a burst of events for one issue becomes at most one
 * running reconcile plus one queued behind it (which runs with the newest client). Correctness across processes
 * comes from idempotence. A soak that ends or a gate that times out sends no webhook, so after each reconcile a
 * timer looks again right then; a rate limit or transient error looks again after GitHub's retry-after.
 */
export class Scheduler {
  private readonly running = new Map<
    string,
    { promise: Promise<void>; again: boolean; started: boolean; unless: (() => boolean)[] }
  >();
  private readonly latest = new Map<string, IssueKey>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Without timers (a rehearsal's simulated clock): when each failed reconcile is retried, for `retryDue`. */
  private readonly retries = new Map<string, { key: IssueKey; at: number }>();

  constructor(private readonly options: SchedulerOptions) {}

  /**
   * Reconcile the issue now, or once more after the running reconcile of it; resolves when that has run. `known` says
   * whether the event brings nothing the last finished reconcile did not read (news.ts): asked now when nothing runs,
   * else once the running reconcile has finished, so an event that reconcile already saw starts none.
   */
  schedule(key: IssueKey, known?: () => boolean): Promise<void> {
    const id = keyId(key);
    const current = this.running.get(id);
    if (current) {
      this.latest.set(id, key);
      // Not started yet: it will read what this event changed anyway.
      if (current.started) {
        if (known) current.unless.push(known);
        else current.again = true;
      }
      return current.promise;
    }
    if (known?.()) return Promise.resolve();
    this.latest.set(id, key);
    const entry = { promise: Promise.resolve(), again: false, started: false, unless: [] as (() => boolean)[] };
    entry.promise = (async () => {
      try {
        const gather = this.options.gatherMs ?? 0;
        if (gather > 0) await new Promise((resolve) => setTimeout(resolve, gather));
        entry.started = true;
        do {
          entry.again = false;
          entry.unless = [];
          await this.runOnce(this.latest.get(id) ?? key);
          if (entry.unless.some((known) => !known())) entry.again = true;
        } while (entry.again);
      } finally {
        this.running.delete(id);
        this.latest.delete(id);
      }
    })();
    this.running.set(id, entry);
    return entry.promise;
  }

  /**
   * Without timers, the retries of failed reconciles whose moment has come, run now: a rehearsal's tick does what a
   * timer does in production, a minute after a transient error (the resync alone would wait its whole interval).
   */
  async retryDue(): Promise<void> {
    const due = [...this.retries].filter(([, retry]) => retry.at <= this.options.now());
    for (const [id] of due) this.retries.delete(id);
    await Promise.all(due.map(([, retry]) => this.schedule(retry.key)));
  }

  /** Resolves when nothing is running (used by rehearsals and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0)
      await Promise.all([...this.running.values()].map((e) => e.promise.catch(() => undefined)));
  }

  /** The issues being reconciled now (or queued behind a running reconcile of themselves), by `owner/repo#issue`. */
  busy(): string[] {
    return [...this.running.keys()];
  }

  /** The issues with a re-check timer armed, by `owner/repo#issue`. */
  armed(): string[] {
    return [...this.timers.keys()];
  }

  /** Disarm every timer (the server is stopping). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async runOnce(key: IssueKey): Promise<void> {
    try {
      this.recheckAt(key, await this.options.run(key));
      this.retries.delete(keyId(key));
    } catch (err) {
      const kind = classify(err);
      // Rate limits and transient errors become "re-check later": a timer, the next event, or the resync, whichever
      // comes first. Nothing is dropped for good. Any other error leaves the timer armed before it as it was.
      const retryAt =
        kind === "rate-limit" || kind === "transient" ? this.options.now() + retryAfterMs(err) : undefined;
      if (retryAt !== undefined) this.recheckAt(key, retryAt);
      if (retryAt !== undefined && !this.options.timers) this.retries.set(keyId(key), { key, at: retryAt });
      this.options.failed(key, err, kind, retryAt);
    }
  }

  private recheckAt(key: IssueKey, at: number | undefined): void {
    const id = keyId(key);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    if (!this.options.timers || at === undefined) return;
    const delay = Math.max(TIMER_SLACK_MS, at - this.options.now() + TIMER_SLACK_MS);
    if (delay > MAX_TIMER_MS) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.schedule(key);
    }, delay);
    timer.unref();
    this.timers.set(id, timer);
  }
}
