// The quick planner (splices and an ownership index) against the general path (every step loaded, edited with
// verification and checked in full) on random files-era repos: the same plan, byte for byte, or the same refusal.
import { fc, test } from "@fast-check/vitest";
import { describe } from "vitest";
import type { MigrationRequest } from "../../../src/spec/issue.js";
import {
  expectSamePlans,
  migrationOf,
  namesArb,
  LIST_SHAPE,
  type ListShape,
  restartLines,
  SOURCE,
  STATEFULSET,
  TARGET,
} from "./quick-vs-general.js";

interface Entry {
  name: string;
  quote: "" | "'" | '"';
  dotSlash: boolean;
  comment: boolean;
  above: "blank" | "comment" | null;
  /** Datastore ids of its file; the same id in two files makes the source reach it twice. */
  ids: string[];
}

interface Repo extends ListShape {
  entries: Entry[];
  legacy: boolean;
  groups: number[] | null;
  /** The source's kustomization: none, its generator listing every discovery file, as `key=path`, or only some. */
  kustomize: "none" | "plain" | "keyed" | "partial";
}

function itemLine(e: Entry, repo: Repo): string {
  const dash = repo.indent === "nested" ? "      -" : "    -";
  const path = `${e.dotSlash ? "./" : ""}conf.d/${e.name}.yaml`;
  return `${dash}${" ".repeat(repo.gap)}${e.quote}${path}${e.quote}${e.comment ? "   # moved later" : ""}`;
}

function coreConfig(repo: Repo, items: string[], zk: string): string {
  const list = ["discovery:", "  backends:", "    files:", ...items, ...(repo.spacesAfter ? ["   "] : [])];
  const head = ["# Replicante Core", "coordinator:", "  options:", `    ensemble: '${zk}:2181/replicante'`];
  const tail = ["storage:", "  options:", "    db: replicore", `    uri: 'mongodb://${zk}:27017/'`];
  const lines = repo.listLast === "no" ? [...head, ...list, "  interval: 60", ...tail] : [...head, ...tail, ...list];
  const text = lines.join(repo.crlf ? "\r\n" : "\n");
  return repo.listLast === "no-newline" ? text : `${text}${repo.crlf ? "\r\n" : "\n"}`;
}

function discoveryFile(e: Entry, legacy: boolean): string {
  const key = legacy ? "cluster" : "cluster_id";
  return e.ids.map((id) => `- ${key}: ${id}\n  nodes:\n    - 'http://${e.name}-${id}.data:37017'\n`).join("");
}

function clusterSpec(name: string, repo: Repo, version: string | null): string[] {
  return [
    `  ${name}:`,
    `    config: clusters/${name}/replicante.yaml`,
    ...(version ? [`    version: ${version}`] : []),
    ...restartLines(name, repo.restart),
    `    health: [{ status: 'deploy/${name}' }]`,
  ];
}

function repoTree(repo: Repo): Map<string, string> {
  const tree = new Map<string, string>();
  const items = repo.entries.flatMap((e) => [
    ...(e.above === "blank" ? [""] : e.above === "comment" ? [`      # ${e.name}`] : []),
    itemLine(e, repo),
  ]);
  tree.set(`clusters/${SOURCE}/replicante.yaml`, coreConfig(repo, items, "zk.a"));
  for (const e of repo.entries) tree.set(`clusters/${SOURCE}/conf.d/${e.name}.yaml`, discoveryFile(e, repo.legacy));
  const statefulset = STATEFULSET[repo.restart];
  const clusters = [...clusterSpec(SOURCE, repo, repo.legacy ? "0.2.0" : "0.3.0")];
  if (statefulset) tree.set(`clusters/${SOURCE}/statefulset.yaml`, statefulset);
  if (repo.target !== "none") {
    const own = ["own", "clash"].includes(repo.target) ? ["      - conf.d/own.yaml"] : [];
    const config = coreConfig({ ...repo, listLast: "no" }, own, "zk.b");
    const list = repo.target === "empty" ? "    files: []" : repo.target === "null" ? "    files:" : undefined;
    tree.set(`clusters/${TARGET}/replicante.yaml`, list ? config.replace(/ {4}files:(\r?\n)/, `${list}$1`) : config);
    if (own.length > 0)
      tree.set(`clusters/${TARGET}/conf.d/own.yaml`, "- cluster_id: own\n  nodes: ['http://own:1']\n");
    // A file where a moved backend's copy would go, with other datastores: adopt must refuse to overwrite it.
    const first = repo.entries[0];
    if (repo.target === "clash" && first)
      tree.set(`clusters/${TARGET}/conf.d/${first.name}.yaml`, "- cluster_id: theirs\n  nodes: []\n");
    if (statefulset) tree.set(`clusters/${TARGET}/statefulset.yaml`, statefulset);
    clusters.push(...clusterSpec(TARGET, repo, "0.3.1"));
  }
  if (repo.kustomize !== "none") {
    const listed = repo.entries.filter((_, i) => repo.kustomize !== "partial" || i % 2 === 0);
    const files = listed.map((e) =>
      repo.kustomize === "keyed" ? `      - ${e.name}.yaml=conf.d/${e.name}.yaml` : `      - conf.d/${e.name}.yaml`,
    );
    tree.set(
      `clusters/${SOURCE}/kustomization.yaml`,
      [
        "resources:",
        ...(statefulset ? ["  - statefulset.yaml"] : []),
        "configMapGenerator:",
        `  - name: ${SOURCE}-config`,
        "    files:",
        "      - replicante.yaml",
        ...files,
        "",
      ].join("\n"),
    );
    tree.set("clusters/kustomization.yaml", `resources:\n  - ./${SOURCE}\n`);
  }
  const defaults = repo.restart === "off" ? ["defaults:", "  restart: false"] : [];
  tree.set(".github/handover.yml", ["version: 1", "clusters:", ...clusters, ...defaults, ""].join("\n"));
  return tree;
}

function migration(repo: Repo): MigrationRequest {
  return migrationOf(
    "0.3.1",
    repo.entries.map((e) => e.name),
    repo.groups,
  );
}

const entryArb = (name: string): fc.Arbitrary<Entry> =>
  fc.record({
    name: fc.constant(name),
    quote: fc.constantFrom<Entry["quote"]>("", "'", '"'),
    dotSlash: fc.boolean(),
    comment: fc.boolean(),
    above: fc.constantFrom<Entry["above"]>("blank", "comment", null),
    ids: fc.array(fc.constantFrom("ds-1", "ds-2", "ds-3", `ds-${name}`, `ds-${name}-2`), {
      minLength: 1,
      maxLength: 2,
    }),
  });

const repoArb: fc.Arbitrary<Repo> = namesArb(9).chain((names) =>
  fc.record({
    entries: fc.tuple(...names.map(entryArb)),
    ...LIST_SHAPE,
    legacy: fc.boolean(),
    kustomize: fc.constantFrom<Repo["kustomize"]>("none", "plain", "keyed", "partial"),
    groups: fc.option(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: names.length, maxLength: names.length }), {
      nil: null,
    }),
  }),
);

describe("the quick planner", () => {
  test.prop([repoArb], { numRuns: 150 })("plans exactly what the general path plans, or refuses the same way", (repo) =>
    expectSamePlans(repoTree(repo), migration(repo)),
  );
});
