import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Context, Probot } from "probot";
import { Counter, Histogram, Registry } from "prom-client";
import type { z } from "zod";
import { IssueQueue, reconcile } from "./engine/index.js";
import { classify, OctokitPort, type HttpProbe, type OctokitLike } from "./github/index.js";
import { guardPullRequest } from "./guard/index.js";
import { readStepMarker } from "./render/pr.js";
import { commentEvent, issueEvent, issueOfBranch, pullRequestEvent, repositoryEvent } from "./spec/events.js";

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
}

export interface HandoverControls {
  /** Reconcile every open migration issue of every installation. */
  resyncAll(): Promise<void>;
  /** Resolves once no reconcile is running. */
  idle(): Promise<void>;
  metrics: Registry;
}

interface Target {
  octokit: OctokitLike;
  owner: string;
  repo: string;
}

const DEFAULT_RESYNC_MS = 5 * 60_000;

/** GitHub's retry-after (seconds) on a rate-limited answer, else a minute. */
function retryAfterMs(err: unknown): number {
  const header = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers?.[
    "retry-after"
  ];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

const defaultProbe: HttpProbe = async (url) => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { body: await response.text() };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

/** The Probot App: every event only names the migration issue(s) to reconcile. */
export function handover(options: HandoverOptions = {}): { app: ApplicationFunction; controls: HandoverControls } {
  const now = options.now ?? Date.now;
  const probe = options.probe ?? defaultProbe;
  const metrics = new Registry();
  const reconciles = new Counter({
    name: "handover_reconciles_total",
    help: "Reconciles run, by outcome",
    labelNames: ["outcome"],
    registers: [metrics],
  });
  const events = new Counter({
    name: "handover_events_total",
    help: "Webhook events received, by name",
    labelNames: ["event"],
    registers: [metrics],
  });
  const guards = new Counter({
    name: "handover_guard_runs_total",
    help: "Guard check runs, by conclusion",
    labelNames: ["conclusion"],
    registers: [metrics],
  });
  const duration = new Histogram({
    name: "handover_reconcile_seconds",
    help: "Wall time of one reconcile",
    registers: [metrics],
  });
  const targets = new Map<string, Target>();
  const lastResync = new Map<string, number>();
  const resyncEvery = new Map<string, number>();
  let probot: Probot | undefined;
  let botLogin = options.botLogin;

  async function login(): Promise<string> {
    if (!botLogin) {
      const appOctokit = (await (probot as Probot).auth()) as unknown as OctokitLike;
      const data = (await appOctokit.request("GET /app")).data as { slug: string };
      botLogin = `${data.slug}[bot]`;
    }
    return botLogin;
  }

  const queue = new IssueQueue(async (key) => {
    const target = targets.get(key.slice(0, key.lastIndexOf("#")));
    if (!target) return;
    const issue = Number(key.slice(key.lastIndexOf("#") + 1));
    const port = new OctokitPort(target.octokit, target.owner, target.repo, await login());
    const stop = duration.startTimer();
    try {
      const result = await reconcile({ port, probe, now }, issue);
      if (result.resyncMs) resyncEvery.set(`${target.owner}/${target.repo}`, result.resyncMs);
      recheckAt(key, target, issue, result.decision?.recheckAt);
      reconciles.inc({ outcome: result.decision?.phase.label ?? "ignored" });
    } catch (err) {
      const kind = classify(err);
      reconciles.inc({ outcome: `error:${kind}` });
      // Rate limits and transient errors become "re-check later": a timer (a minute, or GitHub's retry-after), the next
      // event, or the resync, whichever comes first. Nothing is dropped for good.
      if (kind === "rate-limit" || kind === "transient") recheckAt(key, target, issue, now() + retryAfterMs(err));
      probot?.log.warn(
        { err, issue, kind },
        `reconcile of ${key} failed (${kind}); it is retried on the next event, timer or resync`,
      );
    } finally {
      stop();
    }
  });

  const timers = new Map<string, NodeJS.Timeout>();

  /** A soak that ends or a gate that times out sends no webhook: with timers on, look again right then. */
  function recheckAt(key: string, target: Target, issue: number, at: number | undefined): void {
    clearTimeout(timers.get(key));
    timers.delete(key);
    if (!options.resyncTimer || at === undefined) return;
    const delay = Math.max(1_000, at - now() + 1_000);
    if (delay > 24 * 3600_000) return;
    const timer = setTimeout(() => {
      timers.delete(key);
      void schedule(target, issue);
    }, delay);
    timer.unref();
    timers.set(key, timer);
  }

  function schedule(target: Target, issue: number): Promise<void> {
    const repoKey = `${target.owner}/${target.repo}`;
    targets.set(repoKey, target);
    return queue.schedule(`${repoKey}#${issue}`);
  }

  function targetOf(context: Context, payload: z.infer<typeof repositoryEvent>): Target {
    return {
      octokit: context.octokit as unknown as OctokitLike,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
    };
  }

  async function scheduleAllIn(target: Target): Promise<void> {
    const port = new OctokitPort(target.octokit, target.owner, target.repo, await login());
    lastResync.set(`${target.owner}/${target.repo}`, now());
    await Promise.all((await port.openMigrationIssues()).map((n) => schedule(target, n)));
  }

  /** Parse the payload subset; a payload that does not fit is ignored with a log line, never a crash. */
  async function handle<S extends z.ZodType<z.infer<typeof repositoryEvent>>>(
    context: Context,
    schema: S,
    route: (payload: z.infer<S>, target: Target) => Promise<void>,
    includeOwn = false,
  ): Promise<void> {
    events.inc({ event: context.name });
    const parsed = schema.safeParse(context.payload);
    if (!parsed.success) {
      context.log.warn(
        { issues: parsed.error.issues.slice(0, 3) },
        `ignored a ${context.name} payload that lacks the fields Handover reads`,
      );
      return;
    }
    if (!includeOwn && parsed.data.sender.login === (await login())) return; // caused by Handover itself
    await route(parsed.data, targetOf(context, parsed.data));
  }

  /** The guard check run on a PR to the default branch, Handover's own step PRs included. */
  async function guard(payload: z.infer<typeof pullRequestEvent>, target: Target): Promise<void> {
    const defaultBranch = payload.repository.default_branch;
    if (defaultBranch !== undefined && payload.pull_request.base.ref !== defaultBranch) return;
    const port = new OctokitPort(target.octokit, target.owner, target.repo, await login());
    const pr = payload.pull_request;
    try {
      const verdict = await guardPullRequest(port, {
        number: pr.number,
        headSha: pr.head.sha,
        headRef: pr.head.ref,
        author: pr.user.login,
      });
      guards.inc({ conclusion: verdict.conclusion });
    } catch (err) {
      probot?.log.warn(
        { err, pr: pr.number },
        `guard of #${pr.number} failed (${classify(err)}); it runs again on the next push to the PR`,
      );
    }
  }

  /** A failure here is logged and retried on the next tick: resync is the safety net, it must never throw. */
  async function attempt(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      probot?.log.warn(
        { err, kind: classify(err) },
        `resync: ${what} failed (${classify(err)}); retried on the next tick`,
      );
    }
  }

  let lastListing = Number.NEGATIVE_INFINITY;

  async function resyncAll(): Promise<void> {
    if (!probot) return;
    const instance = probot;
    // Listing installations and repos is only worth it once the shortest resync interval has passed.
    const shortest = Math.min(DEFAULT_RESYNC_MS, ...resyncEvery.values());
    if (now() - lastListing < shortest) return;
    lastListing = now();
    await attempt("listing installations", async () => {
      const appOctokit = (await instance.auth()) as unknown as OctokitLike;
      const installations = (await appOctokit.request("GET /app/installations", { per_page: 100 })).data as {
        id: number;
      }[];
      for (const installation of installations) {
        await attempt(`installation ${installation.id}`, async () => {
          const octokit = (await instance.auth(installation.id)) as unknown as OctokitLike;
          const repos = (
            (await octokit.request("GET /installation/repositories", { per_page: 100 })).data as {
              repositories: { name: string; owner: { login: string } }[];
            }
          ).repositories;
          for (const repo of repos) {
            const key = `${repo.owner.login}/${repo.name}`;
            if (now() - (lastResync.get(key) ?? 0) < (resyncEvery.get(key) ?? 0)) continue;
            await attempt(key, () => scheduleAllIn({ octokit, owner: repo.owner.login, repo: repo.name }));
          }
        });
      }
    });
  }

  function routes(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return true;
    }
    if (req.method === "GET" && path === "/metrics") {
      void metrics.metrics().then((text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text));
      return true;
    }
    if (req.method === "POST" && path === "/handover/resync") {
      if (!options.resyncSecret || req.headers.authorization !== `Bearer ${options.resyncSecret}`) {
        res
          .writeHead(options.resyncSecret ? 401 : 404, { "content-type": "text/plain" })
          .end(
            options.resyncSecret ? "bad or missing bearer token\n" : "resync endpoint disabled: set RESYNC_SECRET\n",
          );
        return true;
      }
      void resyncAll().catch((err) => probot?.log.warn({ err }, "resync failed"));
      res.writeHead(202, { "content-type": "text/plain" }).end("resync started\n");
      return true;
    }
    return false;
  }

  const app: ApplicationFunction = (instance, { addHandler }) => {
    probot = instance;
    try {
      addHandler(routes);
    } catch {
      // Loaded without an HTTP server (unit tests, probot.receive): there are no routes to add.
    }
    instance.on(["issues.opened", "issues.edited", "issues.reopened", "issues.labeled", "issues.closed"], (context) =>
      handle(context, issueEvent, async (payload, target) => {
        if (!payload.issue.pull_request) await schedule(target, payload.issue.number);
      }),
    );
    instance.on("issue_comment.created", (context) =>
      handle(context, commentEvent, async (payload, target) => {
        if (payload.comment.user.type === "Bot") return;
        const issue = payload.issue.pull_request ? readStepMarker(payload.issue.body)?.issue : payload.issue.number;
        if (issue !== undefined) await schedule(target, issue);
      }),
    );
    instance.on(
      ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review"],
      (context) => handle(context, pullRequestEvent, guard, true),
    );
    instance.on(
      [
        "pull_request.closed",
        "pull_request.reopened",
        "pull_request.synchronize",
        "pull_request.edited",
        "pull_request.ready_for_review",
      ],
      (context) =>
        handle(context, pullRequestEvent, async (payload, target) => {
          const issue =
            issueOfBranch(payload.pull_request.head.ref) ?? readStepMarker(payload.pull_request.body)?.issue;
          if (issue !== undefined) await schedule(target, issue);
        }),
    );
    instance.on(
      ["status", "check_run.completed", "check_suite.completed", "deployment_status.created", "push"],
      (context) => handle(context, repositoryEvent, (_payload, target) => scheduleAllIn(target)),
    );
    if (options.resyncTimer) {
      const timer = setInterval(
        () => void resyncAll().catch((err) => instance.log.warn({ err }, "resync failed")),
        60_000,
      );
      timer.unref();
    }
  };

  return { app, controls: { resyncAll, idle: () => queue.idle(), metrics } };
}
