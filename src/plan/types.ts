import type { Backend, FileMap } from "../repo/index.js";
import type { Era } from "../spec/config.js";
import type { Crossing } from "../spec/version.js";

/** The plan's shapes, apart from the code that computes them (steps and scaffold both use them). */

export type StepKind = "prepare" | "release" | "adopt" | "decommission";

/** A backend as the migration carries it: its model plus the list item exactly as the source writes it. */
export interface MovedBackend extends Backend {
  raw: string;
}

/** What a step does, independent of the tree it is applied to (so it can be re-applied on a moved default branch). */
export interface StepDefinition {
  id: string;
  kind: StepKind;
  group: string | null;
  /** The cluster whose files the step changes and whose health gates it. */
  cluster: string;
  backends: MovedBackend[];
}

export interface MigrationContext {
  issue: number;
  source: string;
  target: string;
  version: string;
  /** The source's era. */
  era: Era;
  /** The era the target version reads (section 3a). */
  targetEra: Era;
  /** How adopt steps translate backends from the source's era and version to the target's. */
  crossing: Crossing["kind"];
  /** The tree the migration was planned on: where moved files are read from once the source no longer has them. */
  base: FileMap;
}

export interface StepOutcome {
  tree: Map<string, string>;
  warnings: string[];
  /** prepare: files of the source's folder the scaffold could not place (their paths do not name the source). */
  unplaced?: string[];
}
