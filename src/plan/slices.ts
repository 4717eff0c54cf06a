import { PIECEWISE_CHARS, readingYamlDocuments } from "../spec/yaml.js";
import { inSlices, type Slicing } from "../spec/work.js";
import { loadingRepo, type FileMap, type LoadResult } from "../repo/index.js";

/** Parse every YAML file of the tree into the parse memo, one file per piece of work. */
export function* parseAhead(tree: FileMap): Generator<void, void> {
  for (const [path, text] of tree) {
    if (!/\.ya?ml$/.test(path)) continue;
    yield* readingYamlDocuments(path, text);
    yield;
  }
}

/**
 * Parse the long YAML files `after` changed from `before` into the parse memo, in pieces (a Core config listing
 * thousands of backends, which a step edited): the load of `after` then reads them from the memo.
 */
export function* parseChanged(before: FileMap, after: FileMap): Generator<void, void> {
  for (const [path, text] of after) {
    if (text.length <= PIECEWISE_CHARS || before.get(path) === text || !/\.ya?ml$/.test(path)) continue;
    yield* readingYamlDocuments(path, text);
    yield;
  }
}

/**
 * The repo model of a tree, computed in slices: its YAML files parsed ahead one by one, then the model loaded a piece
 * at a time (loadRepo then answers from its cache).
 */
export function loadInSlices(tree: FileMap, slicing: Slicing): Promise<LoadResult> {
  return inSlices(
    (function* () {
      yield* parseAhead(tree);
      return yield* loadingRepo(tree);
    })(),
    slicing,
  );
}
