// Kustomize packaging kept consistent with the steps (DESIGN section 3b): a file nobody references is never deployed,
// and an entry naming a deleted file breaks `kustomize build`.
import { posix } from "node:path";
import {
  appendingSeqItems,
  appendSeqItems,
  parsingForEdits,
  readingSeqItems,
  readSeqItems,
  removingSeqItems,
  type SeqItem,
} from "../edit/index.js";
import { finish } from "../spec/work.js";
import {
  findingDanglingIn,
  isKustomization,
  kustomizationRefs,
  kustomizationFiles,
  readingKustomizationRefs,
  refResolves,
  deployerOf,
  deployers,
  type Deployer,
  type FileMap,
  type KustomizeRef,
} from "../repo/index.js";
import { readYaml } from "../spec/yaml.js";

/** Entries of a source kustomization whose copies are registered between two yields (a thousand take tens of ms). */
const REFS_PER_PIECE = 50;

export function dirOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === "." ? "" : dir;
}

/** Remove the given entries (by list and index) from a kustomization's text, one edit per list. */
function withoutRefs(text: string, refs: readonly KustomizeRef[]): string {
  return finish(removingRefs(text, refs));
}

/** withoutRefs as work that yields (a scaffold drops a thousand discovery files from a kustomization). */
function* removingRefs(text: string, refs: readonly KustomizeRef[]): globalThis.Generator<void, string> {
  const byList = new Map<string, { list: (string | number)[]; indexes: Set<number> }>();
  for (const ref of refs) {
    const key = JSON.stringify(ref.list);
    const entry = byList.get(key) ?? { list: ref.list, indexes: new Set<number>() };
    entry.indexes.add(ref.index);
    byList.set(key, entry);
  }
  let out = text;
  for (const { list, indexes } of byList.values()) out = yield* removingSeqItems(out, list, (_, i) => indexes.has(i));
  return out;
}

/**
 * In each of the given kustomizations, drop the entries that name nothing in the tree (files the scaffold left out),
 * as work that yields.
 */
export function* droppingDangling(
  next: Map<string, string>,
  kustomizations: readonly string[],
): globalThis.Generator<void, void> {
  for (const file of kustomizations) {
    const text = next.get(file);
    if (text === undefined) continue;
    yield* parsingForEdits(text);
    const dangling = yield* findingDanglingIn(next, file);
    if (dangling.length > 0) next.set(file, yield* removingRefs(text, dangling));
  }
}

/** Entries of every kustomization left in `after` that named something in `before` that `after` no longer has. */
export function pruneBroken(before: FileMap, next: Map<string, string>): void {
  for (const file of kustomizationFiles(next)) {
    const text = next.get(file) ?? "";
    const broken = kustomizationRefs(file, text).filter((ref) => refResolves(before, ref) && !refResolves(next, ref));
    if (broken.length > 0) next.set(file, withoutRefs(text, broken));
  }
}

/**
 * Wherever a kustomization outside the copies lists a copied file or folder in `resources` (the parent folder's lists the
 * cluster's folder; `flux-system/` lists a Flux Kustomization file), list the copy too, written the same way
 * (`./replicore-a/` -> `./replicore-b/`), after the last entry.
 */
export function listCopies(
  next: Map<string, string>,
  copies: readonly [string, string][],
  rename: (text: string) => string,
): void {
  // The copied kustomizations (and their originals) already name their own folder's files.
  const inside = new Set(copies.flat());
  for (const file of kustomizationFiles(next)) {
    if (inside.has(file)) continue;
    for (const [from, to] of copies) {
      const text = next.get(file) ?? "";
      const refs = kustomizationRefs(file, text).filter((r) => r.field === "resources");
      const source = refs.find((r) => r.target === from);
      if (!source || refs.some((r) => r.target === to)) continue;
      const raw = readSeqItems(text, source.list)[source.index]?.raw ?? source.value;
      next.set(file, appendSeqItems(text, source.list, [rename(raw)]));
    }
  }
}

/** The repo folder a Flux Kustomization or an Argo CD Application deploys, when the document is one. */
export function deployedFolder(doc: unknown): string | undefined {
  return deployerOf(doc, "")?.path;
}

/** Files outside a folder holding a Flux Kustomization or Argo CD Application that deploys it (or an overlay in it). */
export function deployerFiles(tree: FileMap, folder: string): string[] {
  const deploys = (d: Deployer): boolean =>
    !d.file.startsWith(`${folder}/`) && (d.path === folder || d.path.startsWith(`${folder}/`));
  return [
    ...new Set(
      deployers(tree)
        .filter(deploys)
        .map((d) => d.file),
    ),
  ];
}

export interface Generator {
  kind: string;
  index: number;
  name: string | undefined;
}

/** The configMapGenerator and secretGenerator entries of a kustomization, by kind and index. */
export function kustomizationGenerators(file: string, text: string): Generator[] {
  const parsed = readYaml(file, text);
  if (!parsed.ok || !parsed.value || typeof parsed.value !== "object") return [];
  const doc = parsed.value as Record<string, unknown>;
  return (["configMapGenerator", "secretGenerator"] as const).flatMap((kind) => {
    const list = doc[kind];
    return Array.isArray(list)
      ? list.map((gen, index) => {
          const name = (gen as { name?: unknown } | null)?.name;
          return { kind, index, name: typeof name === "string" ? name : undefined };
        })
      : [];
  });
}

/**
 * `adopt`: each file copied into the target (source file -> target file) is added to every generator of the target's
 * kustomization (the source's, renamed) whose source counterpart lists the source's copy, in the same form
 * (`key=path` or `path`). Each kustomization is read once, and each of its lists gets its new items in one append
 * (an adopt may copy thousands of files), as work that yields.
 */
export function* registeringCopies(
  next: Map<string, string>,
  sourceTree: FileMap,
  copies: readonly [string, string][],
  rename: (text: string) => string,
): globalThis.Generator<void, void> {
  if (copies.length === 0) return;
  const wanted = new Map(copies);
  for (const file of kustomizationFiles(sourceTree)) {
    const targetFile = rename(file);
    if (targetFile === file || !isKustomization(targetFile) || !next.has(targetFile)) continue;
    const sourceText = sourceTree.get(file) ?? "";
    const text = next.get(targetFile) ?? "";
    // Both texts parsed in pieces first: the reads below take them from the memo.
    yield* parsingForEdits(sourceText);
    yield* parsingForEdits(text);
    const sourceGens = kustomizationGenerators(file, sourceText);
    const targetGens = kustomizationGenerators(targetFile, text);
    const listed = (kind: unknown, index: unknown, target: string) => `${kind}\0${index}\0${target}`;
    const present = new Set(
      (yield* readingKustomizationRefs(targetFile, text))
        .filter((r) => r.field === "files")
        .map((r) => listed(r.list[0], r.list[1], r.target)),
    );
    const sourceItems = new Map<string, SeqItem[]>();
    const appends = new Map<string, { list: (string | number)[]; items: string[] }>();
    for (const [n, ref] of (yield* readingKustomizationRefs(file, sourceText)).entries()) {
      if (n % REFS_PER_PIECE === REFS_PER_PIECE - 1) yield;
      const copy = wanted.get(ref.target);
      if (ref.field !== "files" || copy === undefined) continue;
      const [kind, index] = ref.list as [string, number];
      const sourceGen = sourceGens.find((g) => g.kind === kind && g.index === index);
      const kindGens = targetGens.filter((g) => g.kind === kind);
      const gen =
        kindGens.find((g) => sourceGen?.name !== undefined && g.name === rename(sourceGen.name)) ??
        kindGens.find((g) => g.index === index);
      if (!gen || present.has(listed(kind, gen.index, copy))) continue;
      present.add(listed(kind, gen.index, copy));
      const path = posix.relative(dirOf(targetFile) || ".", copy);
      const value = ref.key ? `${ref.key}=${path}` : path;
      // The source's item as written (quotes, comment), with the new value in it.
      const listKey = `${kind}\0${index}`;
      const items = sourceItems.get(listKey) ?? (yield* readingSeqItems(sourceText, ref.list));
      sourceItems.set(listKey, items);
      const raw = items[ref.index]?.raw ?? ref.value;
      const item = raw.includes(ref.value) ? rename(raw.replace(ref.value, value)) : value;
      const into = `${kind}\0${gen.index}`;
      const append = appends.get(into) ?? { list: [kind, gen.index, "files"], items: [] };
      append.items.push(item);
      appends.set(into, append);
    }
    if (appends.size === 0) continue;
    let out = text;
    for (const { list, items } of appends.values()) out = yield* appendingSeqItems(out, list, items);
    next.set(targetFile, out);
  }
}
