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
  schedule(key: IssueKey, known?: () => boolean): Promise<void>;
  /** A step of the resync failed; it is retried on the next tick. */
  failed(what: string, err: unknown): void;
}

/** A repository's open migration issues (no login needed to list them). */
function openIssues(octokit: OctokitLike, owner: string, repo: string): Promise<number[]> {
  return new OctokitPort(octokit, owner, repo, "").openMigrationIssues();
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
  /** The repositories the last listing found (`owner/repo`), with their installation. */
  private listed = new Map<string, number>();
  /** Open migration issues of listed repositories, read while the installations are listed again. */
  private early = new Map<string, Promise<number[]>>();

  constructor(private readonly deps: ResyncDeps) {}

  /** A reconcile read the repo's `resync` interval. */
  interval(owner: string, repo: string, ms: number): void {
    this.resyncEvery.set(`${owner}/${repo}`, ms);
  }

  /**
   * Reconcile every open migration issue of one repository. An event passes `known` (news.ts): an issue whose last
   * finished reconcile already read what the event reports is not reconciled, so the repository does not count as
   * resynced either.
   */
  async repository(target: RepoTarget, known?: (issue: number) => () => boolean): Promise<void> {
    const key = `${target.owner}/${target.repo}`;
    const early = this.early.get(key);
    this.early.delete(key);
    const issues = early ?? openIssues(target.octokit, target.owner, target.repo);
    if (!known) this.lastResync.set(key, this.deps.now());
    await Promise.all((await issues).map((issue) => this.deps.schedule({ ...target, issue }, known?.(issue))));
  }

  private due(key: string): boolean {
    return this.deps.now() - (this.lastResync.get(key) ?? 0) >= (this.resyncEvery.get(key) ?? 0);
  }

  /**
   * Starts reading the open migration issues of every repository the last listing found that is due, while the
   * installations and their repositories are listed again: one round trip less per resync. A repository no longer
   * listed is not resynced, so its read is only dropped.
   */
  private readAhead(): void {
    this.early = new Map();
    for (const [key, installation] of this.listed) {
      if (!this.due(key)) continue;
      const [owner = "", repo = ""] = key.split("/");
      const started = this.deps.auth(installation).then((octokit) => openIssues(octokit, owner, repo));
      // The listing that takes it up sees its failure; one nobody takes up fails silently.
      started.catch(() => undefined);
      this.early.set(key, started);
    }
  }

  /** Reconcile every open migration issue of every installation whose interval has passed. */
  async all(): Promise<void> {
    const now = this.deps.now();
    // Listing installations and repos is only worth it once the shortest resync interval has passed.
    if (now - this.lastListing < Math.min(DEFAULT_RESYNC_MS, ...this.resyncEvery.values())) return;
    this.lastListing = now;
    this.readAhead();
    const listed = new Map<string, number>();
    await this.attempt("listing installations", async () => {
      const app = await this.deps.auth();
      const installations = (await conditionalGet(app, "GET /app/installations", { per_page: 100 })) as {
        id: number;
      }[];
      for (const installation of installations) {
        await this.attempt(`installation ${installation.id}`, () => this.installation(installation.id, listed));
      }
    });
    if (listed.size > 0) this.listed = listed;
    this.early.clear();
  }

  private async installation(id: number, listed: Map<string, number>): Promise<void> {
    const octokit = await this.deps.auth(id);
    const { repositories } = (await conditionalGet(
      octokit,
      "GET /installation/repositories",
      { per_page: 100 },
      `installation ${id}`,
    )) as { repositories: { name: string; owner: { login: string } }[] };
    for (const repo of repositories) {
      const key = `${repo.owner.login}/${repo.name}`;
      listed.set(key, id);
      if (!this.due(key)) continue;
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
