import { issueNews, pullNews, type Seen } from "../github/index.js";
import { LruCache } from "../spec/lru.js";
import type { Delivery } from "./triggers.js";

// biome-ignore lint/suspicious/noExplicitAny: GitHub JSON, read field by field below
type Json = Record<string, any>;

/**
 * What the last finished reconcile of each migration (in this process) read of the things webhooks report on. A
 * webhook that reports exactly that (its issue, its PR, the default branch's head) starts no reconcile of it: that
 * reconcile already acted on it. Typical: the merge's `pull_request.closed` and `push` arriving after the resync that
 * saw the merge, or a duplicate delivery. Anything newer has a fingerprint of its own and reconciles as before; a
 * comment (a command) and a health report (status, check, deployment) always do; the resync never asks.
 */
export class News {
  private readonly seen = new LruCache<string, Seen>(1_000);

  /** A reconcile of `issue` (`owner/repo#n`) finished and settled on what it read. */
  record(issue: string, seen: Seen): void {
    this.seen.set(issue, seen);
  }

  /** A reconcile of `issue` did not finish (or did not settle): nothing it read counts as acted on. */
  forget(issue: string): void {
    this.seen.set(issue, { issues: new Map(), pulls: new Map() });
  }

  /** Whether `delivery` tells the migration `issue` nothing its last finished reconcile did not read. */
  known(issue: string, delivery: Delivery): boolean {
    const seen = this.seen.get(issue);
    const payload = delivery.payload as Json;
    if (!seen || typeof payload !== "object" || payload === null) return false;
    if (delivery.name === "pull_request" && payload.pull_request)
      return seen.pulls.get(payload.pull_request.number) === pullNews(payload.pull_request);
    if (delivery.name === "issues" && payload.issue)
      return seen.issues.get(payload.issue.number) === issueNews(payload.issue);
    if (delivery.name === "push") {
      const branch = payload.repository?.default_branch;
      return typeof branch === "string" && payload.ref === `refs/heads/${branch}` && payload.after === seen.head;
    }
    return false;
  }
}
