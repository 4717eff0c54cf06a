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

/** The reads on the wire, by key. */
const onTheWire = new Map<string, Promise<unknown>>();

/**
 * A GET, conditional when an earlier answer carried an ETag: a 304 answers from memory. `scope` keeps apart reads
 * whose route alone does not say whose they are (`GET /installation/repositories` of two installations).
 *
 * The same read already on the wire (a guard and a reconcile woken by one push both read the default branch) is waited
 * for, and then asked again with the ETag it brought: a 304 that costs nothing, where two reads at once would both be
 * counted. Its answer is not taken as this one: it may have been asked before what this caller must see.
 */
export async function conditionalGet(
  octokit: Requester,
  route: string,
  params: Record<string, unknown> = {},
  scope = "",
): Promise<unknown> {
  const key = `${scope} ${route} ${JSON.stringify(params)}`;
  // A third caller that waited with the second goes after it, not beside it.
  for (let running = onTheWire.get(key); running; running = onTheWire.get(key)) await running.catch(() => undefined);
  const asked = ask(octokit, key, route, params);
  onTheWire.set(key, asked);
  try {
    return await asked;
  } finally {
    if (onTheWire.get(key) === asked) onTheWire.delete(key);
  }
}

async function ask(octokit: Requester, key: string, route: string, params: Record<string, unknown>): Promise<unknown> {
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
