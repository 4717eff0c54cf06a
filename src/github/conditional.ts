/**
 * Conditional reads (ETag / If-None-Match). GitHub answers an unchanged resource with 304, which does not count
 * against the rate limit, so every repeated read (an idle resync re-reads the same issue, comments and PRs) costs
 * nothing of the budget. The cache is per process, shared by every reconcile, and bounded.
 */
export interface Remembered {
  etag: string;
  data: unknown;
}

/** A least-recently-used map with at most `limit` entries (a Map keeps insertion order: re-insert on use). */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Answers by route and parameters; 2,000 entries hold every list of a few hundred migrations. */
export const conditionalReads = new LruCache<string, Remembered>(2_000);

/** The cache key of one read: route and parameters (the token is not part of it: ETags name content). */
export function readKey(route: string, params: Record<string, unknown>): string {
  return `${route} ${JSON.stringify(params)}`;
}
