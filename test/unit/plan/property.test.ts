// Random files-era repos and groupings: every step keeps the invariant, the migration ends with every
// datastore on the target only, and each edit changes exactly its own lines.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { checkTree } from "../../../src/invariant/index.js";
import { planMigration, type Plan } from "../../../src/plan/index.js";
import { loadRepo, type FileMap } from "../../../src/repo/index.js";
import type { MigrationRequest } from "../../../src/spec/issue.js";
import { changedLines } from "./helpers.js";

const SOURCE = "replicore-a";
const TARGET = "replicore-b";
const RESTART_LINE = /^ +handover\.replicante\.io\/restart: 42-(release|adopt)-[a-z0-9-]+$/;

interface Datastore {
  id: string;
  idKey: "cluster_id" | "cluster";
  nodes: string[];
}

interface DiscoveryFile {
  name: string;
  /** The path as the config writes it (unquoted). */
  entry: string;
  quote: "" | "'" | '"';
  comment: string | null;
  above: "blank" | "comment" | null;
  header: boolean;
  datastores: Datastore[];
}

interface RepoModel {
  files: DiscoveryFile[];
  /** Config in etc/ with the workdir one level up, or config in the workdir itself. */
  etc: boolean;
  restart: boolean;
  groups: { lines: { name: string; items: string[] }[] } | null;
}

/** The exact text of one list item line, as the generated config writes it. */
function itemLine(f: DiscoveryFile): string {
  return `      - ${f.quote}${f.entry}${f.quote}${f.comment === null ? "" : `   # ${f.comment}`}`;
}

function configText(model: RepoModel): string {
  const items = model.files.flatMap((f) => [
    ...(f.above === "blank" ? [""] : f.above === "comment" ? [`      # fleet ${f.name}`] : []),
    itemLine(f),
  ]);
  return [
    `# Replicante Core 0.3.0 for ${SOURCE}`,
    "api:",
    "  bind: '0.0.0.0:16016'",
    "",
    "coordinator:",
    "  backend: zookeeper",
    "  options:",
    "    ensemble: 'zk1.a:2181,zk2.a:2181/replicante'",
    "",
    "discovery:",
    "  backends:",
    "    files:",
    ...items,
    "  interval: 60",
    "",
    "storage:",
    "  backend: mongodb",
    "  options:",
    "    db: replicore",
    '    uri: "mongodb://store.a:27017/"',
    "",
  ].join("\n");
}

function discoveryText(f: DiscoveryFile): string {
  const lines = f.header ? [`# ${f.name} fleet`] : [];
  for (const ds of f.datastores) {
    lines.push(`- ${ds.idKey}: '${ds.id}'`, "  nodes:", ...ds.nodes.map((n) => `    - ${n}`));
  }
  return `${lines.join("\n")}\n`;
}

const STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${SOURCE}
spec:
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
    spec:
      containers:
        - name: replicante
          image: replicanteio/replicante:v0.3.0
`;

function sourceDir(_model: RepoModel): string {
  return `clusters/${SOURCE}`;
}

function configPath(model: RepoModel): string {
  return `${sourceDir(model)}/${model.etc ? "etc/" : ""}replicante.yaml`;
}

/** The source's entry in handover.yml, line by line. */
function specLines(model: RepoModel): string[] {
  const dir = sourceDir(model);
  return [
    `  ${SOURCE}:`,
    `    config: ${configPath(model)}`,
    ...(model.etc ? [`    workdir: ${dir}`] : []),
    ...(model.restart
      ? [
          `    restart:`,
          `      file: ${dir}/statefulset.yaml`,
          `      key: [spec, template, metadata, annotations, handover.replicante.io/restart]`,
        ]
      : []),
  ];
}

function repoTree(model: RepoModel): Map<string, string> {
  const dir = sourceDir(model);
  const spec = specLines(model);
  const tree = new Map<string, string>([
    [
      ".github/handover.yml",
      ["# generated", "version: 1", "", "clusters:", ...spec, "", "defaults:", "  soak: 1m", ""].join("\n"),
    ],
    [configPath(model), configText(model)],
    ["README.md", "# config repo\n"],
  ]);
  if (model.restart) tree.set(`${dir}/statefulset.yaml`, STATEFULSET);
  for (const f of model.files) tree.set(`${dir}/conf.d/${f.name}.yaml`, discoveryText(f));
  return tree;
}

function migration(model: RepoModel): MigrationRequest {
  return {
    source: SOURCE,
    target: TARGET,
    version: "0.3.1",
    notesAcknowledged: true,
    groups:
      model.groups === null ? null : model.groups.lines.map((l, i) => ({ name: l.name, items: l.items, line: i + 1 })),
  };
}

const comment = fc.stringMatching(/^[a-z0-9][a-z0-9 :'"-]{0,15}$/).map((s) => s.trimEnd());

const fileArb = (name: string, index: number): fc.Arbitrary<DiscoveryFile> =>
  fc
    .record({
      dotSlash: fc.boolean(),
      quote: fc.constantFrom<"" | "'" | '"'>("", "'", '"'),
      comment: fc.option(comment, { nil: null }),
      above: fc.constantFrom<"blank" | "comment" | null>("blank", "comment", null),
      header: fc.boolean(),
      datastores: fc.array(
        fc.record({
          idKey: fc.constantFrom<"cluster_id" | "cluster">("cluster_id", "cluster"),
          nodeCount: fc.integer({ min: 1, max: 3 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map((r) => ({
      name,
      entry: `${r.dotSlash ? "./" : ""}conf.d/${name}.yaml`,
      quote: r.quote,
      comment: r.comment,
      above: r.above,
      header: r.header,
      datastores: r.datastores.map((d, j) => ({
        id: `ds-${index}-${j}`,
        idKey: d.idKey,
        nodes: Array.from({ length: d.nodeCount }, (_, k) => `http://${name}-${j}-${k}.data:37017`),
      })),
    }));

const modelArb: fc.Arbitrary<RepoModel> = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), { minLength: 1, maxLength: 8 })
  .chain((names) =>
    fc.record({
      files: fc.tuple(...names.map((n, i) => fileArb(n, i))),
      etc: fc.boolean(),
      restart: fc.boolean(),
      // Group index per backend, how many groups, and whether the last one is written as `*`.
      grouping: fc.option(
        fc.record({
          assign: fc.array(fc.nat(), { minLength: names.length, maxLength: names.length }),
          count: fc.integer({ min: 1, max: names.length }),
          star: fc.boolean(),
          byEntry: fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
        }),
        { nil: null },
      ),
    }),
  )
  .map(({ files, etc, restart, grouping }) => {
    if (grouping === null) return { files, etc, restart, groups: null };
    const lines: { name: string; items: string[] }[] = Array.from({ length: grouping.count }, (_, g) => ({
      name: `g${g + 1}`,
      items: [],
    }));
    files.forEach((f, i) => {
      const line = lines[(grouping.assign[i] ?? 0) % grouping.count] as { items: string[] };
      line.items.push(grouping.byEntry[i] ? f.entry : f.name);
    });
    const kept = lines.filter((l) => l.items.length > 0);
    if (grouping.star) {
      const last = kept[kept.length - 1] as { name: string; items: string[] };
      last.items = ["*"];
    }
    return { files, etc, restart, groups: { lines: kept } };
  });

/** Datastore ids each cluster of a tree reaches. */
function reachedBy(tree: FileMap): Map<string, string[]> {
  const loaded = loadRepo(tree);
  if (!loaded.ok) throw new Error("tree does not load");
  const by = new Map<string, string[]>();
  for (const cluster of loaded.model.clusters.values()) {
    for (const backend of cluster.backends) {
      for (const reach of backend.reach.filter((r) => r.kind === "datastore"))
        by.set(reach.value, [...(by.get(reach.value) ?? []), cluster.name]);
    }
  }
  return by;
}

/** The only violations a scaffolded target may carry while the migration runs. */
function unexpected(tree: FileMap): unknown[] {
  return checkTree(tree).filter(
    (v) => !(v.rule === "unfinished-scaffold" && v.clusters.length === 1 && v.clusters[0] === TARGET),
  );
}

function planOf(model: RepoModel, tree: FileMap): Plan {
  const result = planMigration(tree, migration(model), 42);
  if (!result.ok) throw new Error(`plan failed: ${JSON.stringify(result)}`);
  return result.plan;
}

/** The lines a release of `files` must remove from the generated config. */
function releasedLines(files: DiscoveryFile[]): string[] {
  return files.map(itemLine);
}

describe("files-era migrations on generated repos", () => {
  test.prop([modelArb], { numRuns: 100 })(
    "every step keeps the invariant; the end state has every datastore on the target only",
    (model) => {
      const tree = repoTree(model);
      expect(checkTree(tree)).toStrictEqual([]);
      const plan = planOf(model, tree);
      let current: Map<string, string> = tree;
      for (const step of plan.steps) {
        current = new Map(current);
        for (const change of step.changes) {
          if (change.content === null) current.delete(change.path);
          else current.set(change.path, change.content);
        }
        expect(unexpected(current), step.id).toStrictEqual([]);
      }
      const reached = reachedBy(current);
      const ids = model.files.flatMap((f) => f.datastores.map((d) => d.id)).sort();
      expect([...reached.keys()].sort()).toStrictEqual(ids);
      for (const id of ids) expect(reached.get(id), id).toStrictEqual([TARGET]);
      const loaded = loadRepo(current);
      expect(loaded.ok && [...loaded.model.clusters.keys()]).toStrictEqual([TARGET]);
      expect([...current.keys()].filter((p) => p.startsWith(`clusters/${SOURCE}/`))).toStrictEqual([]);
      expect(current.get("README.md")).toBe("# config repo\n");
    },
  );

  test.prop([modelArb], { numRuns: 100 })("each edited file changes only the lines its step is about", (model) => {
    const tree = repoTree(model);
    const plan = planOf(model, tree);
    const sourceConfig = configPath(model);
    const targetConfig = sourceConfig.replace(`/${SOURCE}/`, `/${TARGET}/`);
    const restartFiles = [`clusters/${SOURCE}/statefulset.yaml`, `clusters/${TARGET}/statefulset.yaml`];
    let current: Map<string, string> = tree;
    let left = [...model.files];
    const adopted: DiscoveryFile[] = [];
    for (const step of plan.steps) {
      const moved = model.files.filter((f) => step.backends.some((b) => b.id === f.name));
      for (const change of step.changes.filter((c) => c.action === "update")) {
        const lines = changedLines(current.get(change.path) ?? "", change.content ?? "");
        const at = `${step.id} ${change.path}`;
        if (step.kind === "release" && change.path === sourceConfig) {
          left = left.filter((f) => !moved.includes(f));
          const emptied = left.length === 0;
          // Emptying the list also takes the comment lines that introduced its last items.
          const want = [...releasedLines(moved), ...(emptied ? ["    files:"] : [])];
          const comments = lines.removed.filter((l) => !want.includes(l));
          expect(
            comments.every((l) => emptied && /^ {6}# fleet /.test(l)),
            at,
          ).toBe(true);
          expect([...lines.removed].filter((l) => want.includes(l)).sort(), at).toStrictEqual(want.sort());
          expect(lines.added, at).toStrictEqual(emptied ? ["    files: []"] : []);
        } else if (step.kind === "adopt" && change.path === targetConfig) {
          // The scaffold left `files: []`; the first adopt makes it a block list, and each adopt appends the
          // group's entries as the source wrote them.
          const first = adopted.length === 0;
          expect(lines.removed, at).toStrictEqual(first ? ["    files: []"] : []);
          adopted.push(...moved);
          expect(lines.added, at).toStrictEqual([
            ...(first ? ["    files:"] : []),
            ...moved.map((f) => `      - ${f.quote}${f.entry}${f.quote}`),
          ]);
        } else if (restartFiles.includes(change.path) && (step.kind === "release" || step.kind === "adopt")) {
          expect(
            [...lines.removed, ...lines.added].every((l) => RESTART_LINE.test(l)),
            at,
          ).toBe(true);
          expect(lines.added, at).toStrictEqual([`        handover.replicante.io/restart: 42-${step.id}`]);
        } else if (change.path === ".github/handover.yml" && step.kind === "prepare") {
          expect(lines.removed, at).toStrictEqual([]);
        } else if (change.path === ".github/handover.yml" && step.kind === "decommission") {
          expect(lines.added, at).toStrictEqual([]);
          expect(lines.removed, at).toStrictEqual(specLines(model));
        } else {
          expect.unreachable(`${at}: unexpected update`);
        }
      }
      current = new Map(current);
      for (const change of step.changes) {
        if (change.content === null) current.delete(change.path);
        else current.set(change.path, change.content);
      }
    }
  });
});
