/**
 * Per-issue serialization with coalescing inside one process: a burst of events for one issue becomes at most
 * one running reconcile plus one queued behind it. Correctness across processes comes from idempotence.
 */
export class IssueQueue {
  private readonly running = new Map<string, { promise: Promise<void>; again: boolean }>();

  constructor(private readonly run: (key: string) => Promise<void>) {}

  schedule(key: string): Promise<void> {
    const current = this.running.get(key);
    if (current) {
      current.again = true;
      return current.promise;
    }
    const entry = { promise: Promise.resolve(), again: false };
    entry.promise = (async () => {
      try {
        do {
          entry.again = false;
          await this.run(key);
        } while (entry.again);
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, entry);
    return entry.promise;
  }

  /** Resolves when nothing is running (used by rehearsals and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0)
      await Promise.all([...this.running.values()].map((e) => e.promise.catch(() => undefined)));
  }
}
