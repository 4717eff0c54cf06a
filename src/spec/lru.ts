/**
 * A least-recently-used map with at most `limit` entries and, when `weigh` is given, at most `maxWeight` in total (a
 * memo keyed by a file's text weighs that text): every cache of the process is one of these, so none grows without
 * bound. A Map keeps insertion order: an entry is re-inserted on use.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    readonly limit: number,
    private readonly weigh?: (key: K, value: V) => number,
    readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weigh?.(key, value) ?? 0;
    // Something heavier than the whole cache is not kept (it would push out everything else).
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    while (this.entries.size > this.limit || this.total > this.maxWeight) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  /** Forget one entry (a value found stale). */
  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.total -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The total weight kept (0 without `weigh`). */
  get weight(): number {
    return this.total;
  }
}

/** The characters of text a memo keyed by file texts keeps (tens of MB at most): a parse of a larger text is redone. */
export const MEMO_CHARS = 32_000_000;

/**
 * When this process first saw each thing (a PR's head without a guard run, a PR's mergeability unknown), remembered from
 * then on for the newest `limit` things; a clock behind the one that first saw it (a rehearsal's simulated clock
 * starting again) starts it again.
 */
export class FirstSeen {
  private readonly seen: LruCache<string, number>;

  constructor(limit: number) {
    this.seen = new LruCache(limit);
  }

  /** When `key` was first seen; now, if never (or only by a clock ahead of this one). */
  since(key: string, now: number): number {
    const since = this.seen.get(key);
    if (since !== undefined && since <= now) return since;
    this.seen.set(key, now);
    return now;
  }
}
