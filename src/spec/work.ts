// Long computations written as generators that yield between pieces of work of a bounded size: run to their end at
// once (a CLI), or in slices that let an event loop through (the App: webhooks and timers wait no longer than a slice).

/** Run a computation that yields between pieces of work to its end, at once. */
export function finish<T>(work: Generator<void, T>): T {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
  }
}

/** How the App runs work in slices: about `sliceMs` of work, then `pause` (which lets the event loop through). */
export interface Slicing {
  sliceMs: number;
  pause: () => Promise<void>;
}

/** Run a computation that yields between pieces of work, awaiting `pause` whenever about `sliceMs` have gone by. */
export async function inSlices<T>(work: Generator<void, T>, { sliceMs, pause }: Slicing): Promise<T> {
  let started = performance.now();
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
    if (performance.now() - started >= sliceMs) {
      await pause();
      started = performance.now();
    }
  }
}
