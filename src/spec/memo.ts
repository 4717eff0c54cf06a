import { LruCache } from "./lru.js";

/**
 * Results of a pure function of a text, kept for the texts seen last: bounded by count and by the total length of
 * the texts, so a long run of large texts (every version of a file a plan edits) never stays alive in it.
 */
export class TextMemo<V> {
  private readonly entries = new Map<string, V>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (key.length > this.maxChars || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.chars += key.length;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
  }
}

/**
 * What reading a file gave under a key (the file and what it was read for), kept while the file's text stays the same:
 * a load of a tree where the file did not change takes it as it was. Bounded by count and by the texts' total length.
 */
export class FileReads<V> {
  private readonly entries: LruCache<string, { text: string; value: V }>;

  constructor(maxEntries: number, maxChars: number) {
    this.entries = new LruCache(maxEntries, (_key, entry) => entry.text.length, maxChars);
  }

  /** The value kept under `key` when the file it was read from still has that text (`textNow` names the file). */
  get(key: string, textNow: (value: V) => string | undefined): V | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && textNow(entry.value) === entry.text ? entry.value : undefined;
  }

  set(key: string, text: string, value: V): void {
    this.entries.set(key, { text, value });
  }
}

/**
 * Each key's value computed once, by a computation that may ask for other keys' values (a kustomization building the
 * folders it includes): a key asked for again while its own value is being computed, a cycle, has none.
 */
export class RecursiveMemo<K, V> {
  private readonly done = new Map<K, V | undefined>();
  private readonly going = new Set<K>();

  get(key: K, compute: (key: K) => V | undefined): V | undefined {
    if (this.done.has(key)) return this.done.get(key);
    if (this.going.has(key)) return undefined;
    this.going.add(key);
    const value = compute(key);
    this.going.delete(key);
    this.done.set(key, value);
    return value;
  }
}
