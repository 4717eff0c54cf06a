import { conditionalGet, OctokitPort, type OctokitLike } from "../github/index.js";
import type { IssueKey } from "./scheduler.js";

/** Without a `resync` in a repo's handover.yml, open migrations are looked at again this often. */
export const DEFAULT_RESYNC_MS = 5 * 60_000;

/** One repository of an installation, with a client that can reach it. */
export interface RepoTarget {
  octokit: OctokitLike;
  owner: string;
  repo: string;
}

export interface ResyncDeps {
  /** The App's client (`undefined`), or an installation's. */
  auth(installation?: number): Promise<OctokitLike>;
  login(): Promise<string>;
  now(): number;
  schedule(key: IssueKey): Promise<void>;
  /** A step of the resync failed; it is retried on the next tick. */
  failed(what: string, err: unknown): void;
}

/**
 * Waiting states are re-checked without webhooks (DESIGN.md section 6): every installation's repos, each at most as
 * often as its handover.yml `resync` says. A failure anywhere is logged and retried on the next tick: the resync is
 * the safety net, it never throws.
 */
export class Resync {
  private readonly lastResync = new Map<string, number>();
  private readonly resyncEvery = new Map<string, number>();
  private lastListing = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: ResyncDeps) {}

  /** A reconcile read the repo's `resync` interval. */
  interval(owner: string, repo: string, ms: number): void {
    this.resyncEvery.set(`${owner}/${repo}`, ms);
  }

  /** Reconcile every open migration issue of one repository. */
  async repository(target: RepoTarget): Promise<void> {
    const port = new OctokitPort(target.octokit, target.owner, target.repo, await this.deps.login());
    this.lastResync.set(`${target.owner}/${target.repo}`, this.deps.now());
    await Promise.all((await port.openMigrationIssues()).map((issue) => this.deps.schedule({ ...target, issue })));
  }

  /** Reconcile every open migration issue of every installation whose interval has passed. */
  async all(): Promise<void> {
    const now = this.deps.now();
    // Listing installations and repos is only worth it once the shortest resync interval has passed.
    if (now - this.lastListing < Math.min(DEFAULT_RESYNC_MS, ...this.resyncEvery.values())) return;
    this.lastListing = now;
    await this.attempt("listing installations", async () => {
      const app = await this.deps.auth();
      const installations = (await conditionalGet(app, "GET /app/installations", { per_page: 100 })) as {
        id: number;
      }[];
      for (const installation of installations) {
        await this.attempt(`installation ${installation.id}`, () => this.installation(installation.id));
      }
    });
  }

  private async installation(id: number): Promise<void> {
    const octokit = await this.deps.auth(id);
    const { repositories } = (await conditionalGet(
      octokit,
      "GET /installation/repositories",
      { per_page: 100 },
      `installation ${id}`,
    )) as { repositories: { name: string; owner: { login: string } }[] };
    for (const repo of repositories) {
      const key = `${repo.owner.login}/${repo.name}`;
      if (this.deps.now() - (this.lastResync.get(key) ?? 0) < (this.resyncEvery.get(key) ?? 0)) continue;
      await this.attempt(key, () => this.repository({ octokit, owner: repo.owner.login, repo: repo.name }));
    }
  }

  private async attempt(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.deps.failed(what, err);
    }
  }
}
