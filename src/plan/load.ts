import { loadRepo, type FileMap, type RepoModel } from "../repo/index.js";
import { InputError } from "../spec/problems.js";

/** The repo model of a tree, or the problems that stop a step from being computed. */
export function load(tree: FileMap): RepoModel {
  const loaded = loadRepo(tree);
  if (!loaded.ok) throw new InputError(loaded.problems.map((p) => p.message));
  return loaded.model;
}
