import { readYamlDocuments } from "../spec/yaml.js";
import type { FileMap } from "../repo/index.js";

/** Run a computation that yields between pieces of work to its end, at once. */
export function finish<T>(work: Generator<void, T>): T {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
  }
}

/** Run a computation that yields between pieces of work, awaiting `pause` whenever about `sliceMs` have gone by. */
export async function inSlices<T>(
  work: Generator<void, T>,
  { sliceMs, pause }: { sliceMs: number; pause: () => Promise<void> },
): Promise<T> {
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

/** Parse every YAML file of the tree into the parse memo, one file per piece of work. */
export function* parseAhead(tree: FileMap): Generator<void, void> {
  for (const [path, text] of tree) {
    if (!/\.ya?ml$/.test(path)) continue;
    readYamlDocuments(path, text);
    yield;
  }
}

/** parseAhead in slices: the files a plan or a check is about to read, parsed without holding the event loop. */
export function parseAheadInSlices(
  tree: FileMap,
  slicing: { sliceMs: number; pause: () => Promise<void> },
): Promise<void> {
  return inSlices(parseAhead(tree), slicing);
}
