// The Probot App's wiring, and nothing else: what an event triggers is in triggers.ts, the queue and its timers in
// scheduler.ts, the periodic re-check in resync.ts, the routes in http.ts, the counters in metrics.ts.
import type { ApplicationFunction, Probot } from "probot";
import type { Registry } from "prom-client";
import { gateRunning, reconcile, stateSigner, warmEngine } from "../engine/index.js";
import {
  classify,
  knowDefaultBranch,
  knowRepositoryId,
  OctokitPort,
  PortMemory,
  type HttpProbe,
  type OctokitLike,
  type Read,
  type GuardRun,
} from "../github/index.js";
import { guardMergeGroup, guardPullRequest, type MergeGroup } from "../guard/index.js";
import { LruCache } from "../spec/lru.js";
import { handoverConfig } from "../spec/config.js";
import { readYaml } from "../spec/yaml.js";
import { issueOfBranch } from "../spec/markers.js";
import { appRoutes } from "./http.js";
import { createMetrics } from "./metrics.js";
import { MigrationMetrics } from "./migrations.js";
import { News } from "./news.js";
import { Resync, type RepoTarget } from "./resync.js";
import { keyId, Scheduler } from "./scheduler.js";
import { READ_EVENTS, triggersOf, type Delivery, type Trigger } from "./triggers.js";

export interface HandoverOptions {
  /** The clock (epoch ms); rehearsals pass a simulated one. */
  now?: () => number;
  /** How `http` health checks are read. */
  probe?: HttpProbe;
  /** The App's bot login (`<slug>[bot]`); looked up with GET /app when not given. */
  botLogin?: string;
  /** Re-check waiting migrations on a timer (off in tests and rehearsals, which call `resyncAll`). */
  resyncTimer?: boolean;
  /** Shared secret for `POST /handover/resync` (an external cron). */
  resyncSecret?: string;
  /** The webhook secret: the key that signs the dashboard's hidden state is derived from it. */
  webhookSecret: string;
  /** One replica at a time reconciles an issue (a Redis lease with REDIS_URL); correctness never depends on it. */
  lease?: Lease;
  /** Events for one issue within this many ms start one reconcile (default 0: each starts at once). */
  gatherMs?: number;
  /** The longest a reconcile waits for the guards running on its repo's PRs (default GUARD_WAIT_MS, 10 s). */
  guardWaitMs?: number;
}

/** Holds `key` (an issue, `owner/repo#n`) for one replica while `work` runs; others wait their turn. */
export interface Lease {
  hold<T>(key: string, work: () => Promise<T>): Promise<T>;
}

const NO_LEASE: Lease = { hold: (_key, work) => work() };

export interface HandoverControls {
  /**
   * Reconcile every open migration issue of every installation whose resync interval passed; without timers, first
   * retry the failed reconciles whose retry is due.
   */
  resyncAll(): Promise<void>;
  /** Resolves once no reconcile, guard or resync a webhook started is running. */
  idle(): Promise<void>;
  /** The server is stopping: no timer fires from now on. Says which issues are still running or were waiting. */
  stop(): { running: string[]; armed: string[] };
  /** The issues being reconciled now, as `owner/repo#n`. */
  running(): string[];
  metrics: Registry;
}

const RESYNC_TICK_MS = 60_000;

/** The longest a reconcile waits for the guards running on its repo's PRs by default (one stalled on the network). */
const GUARD_WAIT_MS = 10_000;

const defaultProbe: HttpProbe = async (url) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { body: await response.text() };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

/**
 * What the first webhook after a start would pay once, paid at load instead (its handler then holds the event loop
 * that much shorter): the App's first JWT (its key's import, the signing code's first run) and Node's HTTP client
 * behind fetch, loaded when first used (tens of milliseconds; a Response reading a body loads it); and the code the
 * first gate, the first started migration's state and the first command run (engine/warm.ts). Nothing is sent. A
 * failure is the first webhook's to report.
 */
async function warmUp(probot: Probot): Promise<void> {
  warmParsers();
  warmEngine();
  type AppAuth = { auth: (options: { type: "app" }) => Promise<unknown> };
  await Promise.all([
    probot
      .auth()
      .then((app) => (app as unknown as AppAuth).auth({ type: "app" }))
      .catch(() => undefined),
    new Response("{}").json().catch(() => undefined),
  ]);
}

/** A handover.yml in the shapes the App reads (block and flow maps and lists, plain and quoted scalars). */
const WARM_UP_CONFIG = [
  "version: 1",
  "clusters:",
  "  replicore-a:",
  "    config: 'clusters/replicore-a/replicante.yaml'",
  '    health: [{ status: "deploy/*" }]',
  "    restart: { file: clusters/replicore-a/statefulset.yaml, key: [spec, template] }",
  "defaults:",
  "  soak: 30m",
  "",
].join("\n");

/**
 * The YAML parser and the config schema each compile their code on first use (the parser's about 10 ms of it in the
 * first piece of a plan): a small handover.yml read and validated at load. True when it validated (its whole path ran).
 */
export function warmParsers(): boolean {
  const read = readYaml("warm-up.yml", WARM_UP_CONFIG);
  return read.ok && handoverConfig.safeParse(read.value).success;
}

/** The Probot App: every event only names the migration issue(s) to reconcile. */
export function handover(options: HandoverOptions): { app: ApplicationFunction; controls: HandoverControls } {
  const now = options.now ?? Date.now;
  const probe = options.probe ?? defaultProbe;
  const metrics = createMetrics();
  const migrations = new MigrationMetrics(metrics);
  const lease = options.lease ?? NO_LEASE;
  let probot: Probot | undefined;
  let botLogin = options.botLogin;
  /** What this App wrote (its commits, its check runs): its reconciles and guards need not read them back. */
  // The App hears the repos' webhooks: a gate that cannot pass yet reads only what they reported on.
  const memory = new PortMemory(true);

  const auth = async (installation?: number) => (await (probot as Probot).auth(installation)) as unknown as OctokitLike;
  async function login(): Promise<string> {
    botLogin ??= `${((await (await auth()).request("GET /app")).data as { slug: string }).slug}[bot]`;
    return botLogin;
  }

  // What each migration's last reconcile read: the next one starts those reads together (one round trip when idle).
  const lastReads = new LruCache<string, Read[]>(1_000);
  // What each migration's last finished reconcile saw: a webhook reporting only that starts none.
  const news = new News();

  /**
   * Guards under way, by PR and head: events that arrive for a head being guarded (opened and ready_for_review of a
   * draft, a duplicate delivery) wait for that run instead of starting another, which would write a second check run.
   * The verdict depends only on the head, the default branch and the open migrations, which these events do not change.
   */
  const guarding = new Map<string, Promise<void>>();

  /**
   * Waits for the guards already running on the repo's PRs (at most `guardWaitMs`), so that a reconcile does not share
   * the process's thread with them. The usual case: a person pushes to a step PR and merges it at once; the guard of
   * their push and the reconcile of the merge would each take the other's CPU time and read the same default branch
   * and tree at once. Waited for, the guard has read them, and the reconcile finds them in the process. A guard that
   * starts later does not hold the reconcile back; none waits for a reconcile.
   */
  async function afterGuards(owner: string, repo: string): Promise<void> {
    const ofRepo = `${owner}/${repo}#`;
    const running = [...guarding].filter(([id]) => id.startsWith(ofRepo)).map(([, run]) => run);
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.guardWaitMs ?? GUARD_WAIT_MS);
    });
    await Promise.race([Promise.all(running), bound]);
    clearTimeout(timer);
  }

  const scheduler: Scheduler = new Scheduler({
    now,
    timers: options.resyncTimer === true,
    ...(options.gatherMs ? { gatherMs: options.gatherMs } : {}),
    run: async (key) => {
      await afterGuards(key.owner, key.repo);
      return lease.hold(keyId(key), async () => {
        const port = new OctokitPort(key.octokit, key.owner, key.repo, await login(), memory);
        const stop = metrics.duration.startTimer();
        port.prefetch(lastReads.get(keyId(key)) ?? []);
        let ahead: (() => Promise<unknown>) | undefined;
        // A gate that passed or failed in this reconcile is not read by the next one: its reads are not started ahead.
        let gate = true;
        try {
          const signer = (n: number) => stateSigner(options.webhookSecret, `${key.owner}/${key.repo}#${n}`);
          const result = await reconcile({ port, probe, now, signer }, key.issue);
          ahead = result.ahead;
          if (result.decision) gate = gateRunning(result.decision.phase);
          if (result.resyncMs) resync.interval(key.owner, key.repo, result.resyncMs);
          if (result.failure) {
            const { kind, error } = result.failure;
            metrics.reconcileErrors.inc({ kind });
            probot?.log.warn(
              { err: error, repo: `${key.owner}/${key.repo}`, issue: key.issue, kind },
              `reconcile of ${keyId(key)} failed (${kind}); retrying cannot fix it: shown on the dashboard until /handover retry`,
            );
          }
          metrics.reconciles.inc({
            outcome: result.failure ? `error:${result.failure.kind}` : (result.decision?.phase.label ?? "ignored"),
          });
          migrations.observe(keyId(key), result);
          if (!result.failure && result.decision && !result.decision.again) news.record(keyId(key), port.observed());
          else news.forget(keyId(key));
          return result.decision?.recheckAt;
        } finally {
          await port.quiet();
          lastReads.set(keyId(key), port.readsMade(gate));
          stop();
          if (ahead) workAhead(keyId(key), ahead);
        }
      });
    },
    failed(key, err, kind) {
      metrics.reconciles.inc({ outcome: `error:${kind}` });
      metrics.reconcileErrors.inc({ kind });
      probot?.log.warn(
        { err, repo: `${key.owner}/${key.repo}`, issue: key.issue, kind },
        `reconcile of ${keyId(key)} failed (${kind}); it is retried on the next event, timer or resync`,
      );
    },
  });

  /**
   * What a reconcile found the next one will need (the step after a running gate, applied on the head), done after it,
   * at the event loop's next turn: webhooks and reconciles already queued go first. In memory only: a failure costs
   * the next reconcile the work, nothing else.
   */
  function workAhead(issue: string, work: () => Promise<unknown>): void {
    setImmediate(() =>
      work().catch((err: unknown) => probot?.log.debug({ err, issue }, `work ahead for ${issue} failed`)),
    );
  }

  const resync = new Resync({
    auth,
    login,
    now,
    schedule: (key, known) => scheduler.schedule(key, known),
    failed: (what, err) =>
      probot?.log.warn(
        { err, kind: classify(err) },
        `resync: ${what} failed (${classify(err)}); retried on the next tick`,
      ),
  });
  const resyncAll = async () => {
    await scheduler.retryDue();
    if (probot) await resync.all();
  };

  /** The App's port on a repo, for work a webhook starts outside a reconcile. */
  async function portOf(target: RepoTarget): Promise<OctokitPort> {
    return new OctokitPort(target.octokit, target.owner, target.repo, await login(), memory);
  }

  /**
   * A guard run once per id at a time (events that arrive for what is being guarded wait for that run), counted by
   * conclusion; a failure is logged with what runs it again.
   */
  function runGuard(
    target: RepoTarget,
    id: string,
    what: { name: string; issue?: number; again: string },
    verdict: (port: OctokitPort) => Promise<GuardRun>,
  ): Promise<void> {
    const running = guarding.get(id);
    if (running) return running;
    const run = (async () => {
      try {
        metrics.guards.inc({ conclusion: (await verdict(await portOf(target))).conclusion });
      } catch (err) {
        probot?.log.warn(
          { err, repo: `${target.owner}/${target.repo}`, issue: what.issue },
          `guard of ${what.name} failed (${classify(err)}); ${what.again}`,
        );
      }
    })().finally(() => guarding.delete(id));
    guarding.set(id, run);
    return run;
  }

  function guard(target: RepoTarget, pull: Extract<Trigger, { kind: "guard" }>["pull"]): Promise<void> {
    const what = { name: `#${pull.number}`, issue: pull.number, again: "it runs again on the next push to the PR" };
    return runGuard(target, `${target.owner}/${target.repo}#${pull.number}@${pull.headSha}`, what, (port) =>
      guardPullRequest(port, pull),
    );
  }

  /** The guard of a merge queue's group, once per group head (its webhook and its branch's push both ask). */
  function guardGroup(target: RepoTarget, group: MergeGroup): Promise<void> {
    const what = {
      name: `merge group ${group.headRef}`,
      ...(group.pull === undefined ? {} : { issue: group.pull }),
      again: "GitHub removes the PR from the queue when its checks do not report, and queuing it again runs the guard",
    };
    return runGuard(target, `${target.owner}/${target.repo}#queue@${group.headSha}`, what, (port) =>
      guardMergeGroup(port, group),
    );
  }

  /** A command on a PR that names no migration but by its branch: the issue the step branch names is reconciled. */
  async function commentedPull(target: RepoTarget, number: number): Promise<void> {
    try {
      const issue = issueOfBranch((await (await portOf(target)).getPull(number)).headRef);
      if (issue !== undefined) await scheduler.schedule({ ...target, issue });
    } catch (err) {
      probot?.log.warn(
        { err, repo: `${target.owner}/${target.repo}`, issue: number },
        `reading PR #${number} for the command on it failed (${classify(err)}); the next resync reads the command`,
      );
    }
  }

  /** Work a webhook started and no longer waits for; `idle` waits for it. */
  const started = new Set<Promise<void>>();
  function inBackground(work: Promise<unknown>): void {
    const tracked: Promise<void> = work.then(
      () => undefined,
      (err) => probot?.log.warn({ err }, "work started by a webhook failed; the resync picks it up"),
    );
    started.add(tracked);
    void tracked.finally(() => started.delete(tracked));
  }
  async function idle(): Promise<void> {
    do {
      await Promise.all(started);
      await scheduler.idle();
    } while (started.size > 0);
  }

  function fire(target: RepoTarget, trigger: Trigger, delivery: Delivery): Promise<void> {
    // Only these events report an issue, a PR or the default branch's head, which a reconcile may already have read.
    const known = ["issues", "pull_request", "push"].includes(delivery.name)
      ? (issue: number) => () => news.known(keyId({ ...target, issue }), delivery)
      : undefined;
    if (trigger.kind === "issue")
      return scheduler.schedule({ ...target, issue: trigger.issue }, known?.(trigger.issue));
    if (trigger.kind === "repository") return resync.repository(target, known);
    if (trigger.kind === "guard-group") return guardGroup(target, trigger.group);
    if (trigger.kind === "pull-comment") return commentedPull(target, trigger.pull);
    return guard(target, trigger.pull);
  }

  const app: ApplicationFunction = (instance, { addHandler }) => {
    probot = instance;
    try {
      addHandler(
        appRoutes({
          metrics: metrics.registry,
          ...(options.resyncSecret ? { resyncSecret: options.resyncSecret } : {}),
          resync: () => void resyncAll().catch((err) => instance.log.warn({ err }, "resync failed")),
        }),
      );
    } catch {
      // Loaded without an HTTP server (unit tests, probot.receive): there are no routes to add.
    }
    instance.on(READ_EVENTS as Parameters<Probot["on"]>[0], async (context) => {
      const reading = triggersOf({ name: context.name, payload: context.payload }, await login());
      if (reading.kind === "unread") return;
      metrics.events.inc({ event: context.name });
      if (reading.kind === "malformed") {
        // A payload that does not fit is ignored with a log line, never a crash.
        context.log.warn(
          { delivery: context.id, issues: reading.problems },
          `ignored a ${context.name} payload that lacks the fields Handover reads`,
        );
        return;
      }
      const target = { octokit: context.octokit as unknown as OctokitLike, ...reading.repository };
      if (reading.defaultBranch) knowDefaultBranch(target.owner, target.repo, reading.defaultBranch);
      if (reading.repositoryId) knowRepositoryId(target.owner, target.repo, reading.repositoryId);
      // Before the reconcile it triggers: a gate soaking reads again only what webhooks reported on.
      memory.noteHealth(target.owner, target.repo, reading.reports, now());
      // Acknowledge at once: GitHub gives a delivery 10 s, and a reconcile (or a large plan) may take longer.
      const delivery = { name: context.name, payload: context.payload };
      inBackground(Promise.all(reading.triggers.map((trigger) => fire(target, trigger, delivery))));
    });
    if (options.resyncTimer) {
      resyncTimer = setInterval(
        () => void resyncAll().catch((err) => instance.log.warn({ err }, "resync failed")),
        RESYNC_TICK_MS,
      );
      resyncTimer.unref();
    }
    return warmUp(instance);
  };
  let resyncTimer: NodeJS.Timeout | undefined;

  function stop(): { running: string[]; armed: string[] } {
    clearInterval(resyncTimer);
    const armed = scheduler.armed();
    scheduler.stop();
    return { running: scheduler.busy(), armed };
  }

  return {
    app,
    controls: {
      resyncAll,
      idle,
      stop,
      running: () => scheduler.busy(),
      metrics: metrics.registry,
    },
  };
}
