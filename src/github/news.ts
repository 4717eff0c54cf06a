/**
 * Fingerprints of what a reconcile acts on, computed alike from a REST answer and from a webhook payload (GitHub sends
 * the same issue and pull request objects in both). A webhook whose object has the fingerprint a finished reconcile
 * read brings no news: a duplicate delivery, or one that arrives after a reconcile (a resync, another event's) already
 * saw the change. Every field the engine reads is in it, so any change it could act on makes a new fingerprint.
 */

// biome-ignore lint/suspicious/noExplicitAny: GitHub JSON, read field by field below
type Json = Record<string, any>;

/** An issue: what observe reads of it (state, title, body, labels in any order, author). */
export function issueNews(issue: Json): string {
  const labels = ((issue.labels ?? []) as Json[]).map((l) => String(typeof l === "string" ? l : l.name)).sort();
  return JSON.stringify([
    issue.number,
    issue.state,
    issue.title ?? "",
    issue.body ?? "",
    labels,
    issue.user?.login ?? "",
    Boolean(issue.pull_request),
  ]);
}

/** A pull request: what the adapter maps into a PullInfo, but mergeability (no webhook reports it as it changes). */
export function pullNews(pull: Json): string {
  return JSON.stringify([
    pull.number,
    pull.state,
    pull.merged_at ?? null,
    pull.merge_commit_sha ?? null,
    pull.head?.ref ?? "",
    pull.head?.sha ?? "",
    pull.base?.ref ?? "",
    pull.user?.login ?? "",
    pull.title ?? "",
    pull.body ?? "",
    Boolean(pull.draft),
    pull.auto_merge ? [pull.auto_merge.merge_method ?? "", pull.auto_merge.enabled_by?.login ?? ""] : null,
  ]);
}

/** What one reconcile read of the things webhooks report on, as fingerprints. */
export interface Seen {
  /** The default branch's head. */
  head?: string;
  /** Issues by number. */
  issues: Map<number, string>;
  /** Pull requests by number. */
  pulls: Map<number, string>;
}
