/** The invariant rules, as they appear in `check --format json` and the guard check run. */
export const RULES = {
  "invalid-config": "a config file does not parse or does not match its schema",
  "shared-backend": "a discovery backend is referenced by two clusters",
  "shared-datastore": "a datastore cluster_id is reachable from two clusters",
  "shared-node": "an agent node URL is reachable from two clusters",
  "shared-url": "a discovery URL is reachable from two clusters",
  "shared-dependency": "two clusters share a dependency (coordinator, storage or Kafka)",
  "foreign-action": "an action object targets a datastore another cluster manages or also acts on",
  "missing-discovery-file": "a referenced discovery file is missing",
  "malformed-discovery-file": "a referenced discovery file is malformed",
  "unfinished-scaffold": "a REPLACE-ME placeholder is left in a cluster's config",
  "dangling-reference": "a kustomization entry names a file or folder that does not exist",
  "duplicate-resource": "one kustomize build would hold two resources of the same kind, namespace and name",
  "unmounted-file": "a Core container would not read the repo file Handover takes for its config or a discovery file",
} as const;
export type Rule = keyof typeof RULES;

export interface Violation {
  rule: Rule;
  message: string;
  clusters: string[];
  subject: string;
  files: string[];
  /** 1-based line in files[0] where the problem is, when known (guard annotations). */
  line?: number;
}
