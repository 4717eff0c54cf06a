/**
 * Conditional reads (ETag / If-None-Match). GitHub answers an unchanged resource with 304, which does not count
 * against the rate limit, so every repeated read (an idle resync re-reads the same issue, comments and PRs) costs
 * nothing of the budget. The cache is per process, shared by every reconcile, and bounded.
 */
import { LruCache } from "../spec/lru.js";

export { LruCache };

export interface Remembered {
  etag: string;
  data: unknown;
}

/** Answers by route and parameters; 2,000 entries hold every list of a few hundred migrations. */
export const conditionalReads = new LruCache<string, Remembered>(2_000);

/** What a conditional read needs of an Octokit. */
export interface Requester {
  request(
    route: string,
    params?: Record<string, unknown>,
  ): Promise<{ data: unknown; headers?: Record<string, string | number | undefined> }>;
}

/**
 * A GET, conditional when an earlier answer carried an ETag: a 304 answers from memory. `scope` keeps apart reads
 * whose route alone does not say whose they are (`GET /installation/repositories` of two installations).
 */
export async function conditionalGet(
  octokit: Requester,
  route: string,
  params: Record<string, unknown> = {},
  scope = "",
): Promise<unknown> {
  const key = `${scope} ${route} ${JSON.stringify(params)}`;
  const known = conditionalReads.get(key);
  try {
    const answer = await octokit.request(
      route,
      known ? { ...params, headers: { "if-none-match": known.etag } } : params,
    );
    const etag = answer.headers?.etag;
    if (typeof etag === "string") conditionalReads.set(key, { etag, data: answer.data });
    return answer.data;
  } catch (err) {
    if (known && (err as { status?: number }).status === 304) return known.data;
    throw err;
  }
}
