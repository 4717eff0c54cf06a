import type { ClusterSpec, Era, HandoverConfig } from "../spec/config.js";
import type { Violation } from "../spec/violation.js";
import type { CoreVersion } from "../spec/version.js";
import type { Dependency, Placeholder } from "./core.js";

/** The repo model's shapes, apart from the code that builds them (eras and model both use them). */

export type ReachKind = "datastore" | "node" | "url";
/** Something a cluster would manage or contact through one backend. */
export interface Reach {
  kind: ReachKind;
  value: string;
  file: string;
}

/** One discovery backend of a cluster: the unit a group moves. */
export interface Backend {
  /** files: file name without extension; http: the url; settings: metadata.name */
  id: string;
  /** The entry exactly as the config writes it (files: the path string; http: the url; settings: the object file). */
  entry: string;
  /** Identity for "referenced by two clusters": the resolved file, or the normalized url. */
  key: string;
  /** Repo files that carry this backend (discovery file, DiscoverySettings object). */
  files: string[];
  reach: Reach[];
}

/** A Replicante apply object that acts on a datastore (NodeAction, AgentAction, OrchestratorAction), by its target. */
export interface ActionObject {
  kind: string;
  /** metadata.cluster: the datastore cluster id it acts on. */
  cluster: string;
  /** metadata.node, for node actions. */
  node: string | undefined;
  file: string;
}

export interface ClusterModel {
  name: string;
  spec: ClusterSpec;
  era: Era;
  /** The Core version handover.yml states for this cluster, when it does. */
  version: CoreVersion | undefined;
  configPath: string;
  workdir: string;
  settingsDir: string | undefined;
  /** [absolute path in the Core config, repo dir], longest first. */
  mounts: [string, string][];
  core: unknown;
  backends: Backend[];
  /** Settings era: action objects in settings_dir, which Core schedules on the datastores they name. */
  actions: ActionObject[];
  dependencies: Dependency[];
  placeholders: Placeholder[];
  problems: Violation[];
}

export interface RepoModel {
  config: HandoverConfig;
  configText: string;
  clusters: Map<string, ClusterModel>;
  /**
   * What would keep the packaging from deploying what Handover reads: entries naming a missing file or folder (rule
   * `dangling-reference`), two resources of one identity in one build (rule `duplicate-resource`), a Core container
   * that would not read the config or discovery files Handover takes for its own (rule `unmounted-file`).
   */
  packaging: Violation[];
}
