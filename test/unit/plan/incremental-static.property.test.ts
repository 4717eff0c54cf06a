// The quick planner against the general path on random files-era repos crossing to Core 0.5 (each group's datastores
// written as a static discovery document the target lists as an http endpoint) or to Core 0.7 (the document read
// through a DiscoverySettings object): the same plan, byte for byte, or the same refusal.
import { fc, test } from "@fast-check/vitest";
import { describe } from "vitest";
import type { MigrationRequest } from "../../../src/spec/issue.js";
import {
  expectSamePlans,
  groupsArb,
  namesArb,
  migrationOf,
  type Restart,
  RESTARTS,
  restartLines,
  SOURCE,
  STATEFULSET,
  TARGET,
} from "./quick-vs-general.js";

const SITE_URL = "http://static.corp/b";

interface Entry {
  name: string;
  /** Datastore ids of its discovery file (`cluster:` in Core 0.2's files, `cluster_id:` after). */
  ids: string[];
  displayName: boolean;
}

interface Repo {
  entries: Entry[];
  legacy: boolean;
  to: "http" | "settings";
  /** The source's `discovery.interval` (the objects of a Core 0.7 target keep it; 60 when absent). */
  interval: 30 | 60 | null;
  restart: Restart;
  crlf: boolean;
  /**
   * none: prepare scaffolds it (its site's url REPLACE-ME); empty: there, listing nothing; own: with an endpoint or
   * object of its own; clash: a different document where the first group's goes; nested: its site inside its own
   * settings folder (Core 0.7) or inside a third cluster's (Core 0.5); placeholder: its site's url still REPLACE-ME.
   */
  target: "none" | "empty" | "own" | "clash" | "nested" | "placeholder";
  /** How an http-era target lists nothing: an empty flow list, or a key with no value. */
  emptyList: "flow" | "null";
  groups: number[] | null;
}

function coreConfig(repo: Repo, discovery: string[], zk: string, interval: number | null): string {
  const lines = [
    "# Replicante Core",
    "coordinator:",
    "  options:",
    `    ensemble: '${zk}:2181/replicante'`,
    "discovery:",
    ...discovery,
    ...(interval === null ? [] : [`  interval: ${interval}`]),
    "storage:",
    "  options:",
    `    uri: 'mongodb://${zk}:27017/'`,
    "",
  ];
  return lines.join(repo.crlf ? "\r\n" : "\n");
}

function discoveryFile(e: Entry, legacy: boolean): string {
  const key = legacy ? "cluster" : "cluster_id";
  return e.ids
    .map(
      (id) =>
        `- ${key}: ${id}\n${e.displayName ? `  display_name: '${id} of ${e.name}'\n` : ""}  nodes:\n    - 'http://${e.name}-${id}.data:37017'\n`,
    )
    .join("");
}

/** Where the target's static site publishes from. */
function siteDir(repo: Repo): string {
  if (repo.target !== "nested") return `clusters/${TARGET}/static`;
  return repo.to === "settings" ? `clusters/${TARGET}/apply/static` : "shared/static";
}

function targetSpec(repo: Repo): string[] {
  const url = repo.target === "placeholder" ? "https://REPLACE-ME/b" : SITE_URL;
  return [
    `  ${TARGET}:`,
    `    config: clusters/${TARGET}/replicante.yaml`,
    `    version: ${repo.to === "http" ? "0.5.0" : "0.7.2"}`,
    ...(repo.to === "settings" ? ["    discovery: settings", `    settings_dir: clusters/${TARGET}/apply`] : []),
    `    static_discovery: { url: '${url}', dir: ${siteDir(repo)} }`,
    ...restartLines(TARGET, repo.restart),
    `    health: [{ status: 'deploy/${TARGET}' }]`,
  ];
}

function repoTree(repo: Repo): Map<string, string> {
  const tree = new Map<string, string>();
  const items = repo.entries.map((e) => `      - conf.d/${e.name}.yaml`);
  tree.set(
    `clusters/${SOURCE}/replicante.yaml`,
    coreConfig(repo, ["  backends:", "    files:", ...items], "zk.a", repo.interval),
  );
  for (const e of repo.entries) tree.set(`clusters/${SOURCE}/conf.d/${e.name}.yaml`, discoveryFile(e, repo.legacy));
  const statefulset = STATEFULSET[repo.restart];
  if (statefulset) tree.set(`clusters/${SOURCE}/statefulset.yaml`, statefulset);
  const clusters = [
    `  ${SOURCE}:`,
    `    config: clusters/${SOURCE}/replicante.yaml`,
    `    version: ${repo.legacy ? "0.2.0" : "0.3.0"}`,
    ...restartLines(SOURCE, repo.restart),
    `    health: [{ status: 'deploy/${SOURCE}' }]`,
  ];
  if (repo.target !== "none") {
    clusters.push(...targetSpec(repo));
    if (statefulset) tree.set(`clusters/${TARGET}/statefulset.yaml`, statefulset);
    const own = repo.target === "own";
    if (repo.to === "http") {
      const list = own
        ? ["    http:", "      - url: 'https://own.corp/discover'", "        method: GET"]
        : [repo.emptyList === "flow" ? "    http: []" : "    http:"];
      tree.set(`clusters/${TARGET}/replicante.yaml`, coreConfig(repo, ["  backends:", ...list], "zk.b", 60));
    } else {
      tree.set(`clusters/${TARGET}/replicante.yaml`, coreConfig(repo, [], "zk.b", 30));
      if (own)
        tree.set(
          `clusters/${TARGET}/apply/own.yaml`,
          "apiVersion: replicante.io/v0\nkind: DiscoverySettings\nmetadata:\n  name: own\nspec:\n  url: 'https://own.corp/discover'\n",
        );
    }
    if (repo.target === "clash")
      tree.set(`${siteDir(repo)}/g0.json`, '{"cursor": null, "clusters": [{"cluster_id": "theirs", "nodes": []}]}\n');
    if (repo.target === "nested" && repo.to === "http") {
      // A third cluster, Core 0.7, whose folder holds the target's site: it would read what is written there too.
      clusters.push(
        "  replicore-c:",
        "    config: clusters/replicore-c/replicante.yaml",
        "    version: 0.7.2",
        "    discovery: settings",
        "    settings_dir: shared",
        "    health: none",
      );
      tree.set("clusters/replicore-c/replicante.yaml", coreConfig(repo, [], "zk.c", 30));
    }
  }
  const defaults = repo.restart === "off" ? ["defaults:", "  restart: false"] : [];
  tree.set(".github/handover.yml", ["version: 1", "clusters:", ...clusters, ...defaults, ""].join("\n"));
  return tree;
}

function migration(repo: Repo): MigrationRequest {
  return migrationOf(
    repo.to === "http" ? "0.5.0" : "0.7.2",
    repo.entries.map((e) => e.name),
    repo.groups,
  );
}

const entryArb = (name: string): fc.Arbitrary<Entry> =>
  fc.record({
    name: fc.constant(name),
    ids: fc.array(fc.constantFrom("ds-1", "ds-2", `ds-${name}`, `ds-${name}-2`), { minLength: 1, maxLength: 2 }),
    displayName: fc.boolean(),
  });

const repoArb: fc.Arbitrary<Repo> = namesArb().chain((names) =>
  fc.record({
    entries: fc.tuple(...names.map(entryArb)),
    legacy: fc.boolean(),
    to: fc.constantFrom<Repo["to"]>("http", "settings"),
    interval: fc.constantFrom<Repo["interval"]>(30, 60, null),
    restart: fc.constantFrom(...RESTARTS),
    crlf: fc.boolean(),
    target: fc.constantFrom<Repo["target"]>("none", "none", "none", "empty", "own", "clash", "nested", "placeholder"),
    emptyList: fc.constantFrom<Repo["emptyList"]>("flow", "null"),
    groups: groupsArb(names.length),
  }),
);

describe("the quick planner, files era to Core 0.5 and 0.7", () => {
  test.prop([repoArb], { numRuns: 150 })("plans exactly what the general path plans, or refuses the same way", (repo) =>
    expectSamePlans(repoTree(repo), migration(repo)),
  );
});
