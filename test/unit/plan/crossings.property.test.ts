// Random repos in each source era, planned for each target version section 3a supports: no step leaves a tree the
// checker rejects, and the target finally reaches every datastore the source reached.
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { checkTree } from "../../../src/invariant/index.js";
import { loadRepo, type FileMap } from "../../../src/repo/index.js";
import { planOk, request, walk } from "./helpers.js";

const A = "replicore-a";
const B = "replicore-b";

interface Source {
  version: string;
  /** Each backend reaches these datastore ids (ids unique across backends). */
  backends: string[][];
}

const SUPPORTED: Record<string, string[]> = {
  "0.2.1": ["0.2.1", "0.3.1", "0.4.0", "0.7.2"],
  "0.3.1": ["0.3.1", "0.5.0", "0.7.2"],
  "0.4.0": ["0.6.0", "0.7.2"],
  "0.7.0": ["0.7.2"],
};

function eraOf(version: string): "files" | "http" | "settings" {
  const minor = Number(version.split(".")[1]);
  return minor >= 7 ? "settings" : minor >= 4 ? "http" : "files";
}

function nodes(id: string): string[] {
  return [`http://${id}.data:37017/`];
}

function sourceTree(source: Source): Map<string, string> {
  const tree = new Map<string, string>();
  const era = eraOf(source.version);
  const idKey = source.version === "0.2.1" ? "cluster" : "cluster_id";
  const dir = `clusters/${A}`;
  const lines = [
    "version: 1",
    "clusters:",
    `  ${A}:`,
    `    config: ${dir}/replicante.yaml`,
    `    version: ${source.version}`,
    ...(era === "settings" ? [`    settings_dir: ${dir}/apply`] : []),
    ...(era === "files"
      ? []
      : ["    static_discovery:", `      dir: discovery/${A}`, `      url: https://static.a/${A}`]),
    "    health:",
    `      - deployment: ${A}`,
    "",
  ];
  tree.set(".github/handover.yml", lines.join("\n"));
  const backendLines: string[] = [];
  source.backends.forEach((ids, i) => {
    const name = `b${i}`;
    const url = `https://static.a/${A}/${name}.json`;
    if (era === "files") {
      backendLines.push(`      - conf.d/${name}.yaml`);
      tree.set(
        `${dir}/conf.d/${name}.yaml`,
        ids.map((id) => `- ${idKey}: ${id}\n  nodes: ['${nodes(id)[0]}']\n`).join(""),
      );
    } else {
      const clusters = ids.map((id) => ({ cluster_id: id, nodes: nodes(id) }));
      tree.set(`discovery/${A}/${name}.json`, `${JSON.stringify({ cursor: null, clusters }, null, 2)}\n`);
      if (era === "http") backendLines.push(`      - url: '${url}'`, "        method: GET");
      else
        tree.set(
          `${dir}/apply/${name}.yaml`,
          `apiVersion: replicante.io/v0\nkind: DiscoverySettings\nmetadata:\n  namespace: default\n  name: ${name}\nspec:\n  backend: http\n  enabled: true\n  interval: 10\n  method: GET\n  url: '${url}'\n`,
        );
    }
  });
  const discovery =
    era === "settings"
      ? ["discovery:", "  interval: 15"]
      : ["discovery:", "  backends:", `    ${era}:`, ...backendLines, "  interval: 30"];
  const storage =
    era === "files"
      ? ["storage:", "  backend: mongodb", "  options:", "    uri: mongodb://mongo.a:27017/"]
      : ["storage:", "  primary:", "    backend: mongodb", "    options:", "      uri: mongodb://mongo.a:27017/"];
  const events =
    era === "settings"
      ? ["events:", "  backend: kafka", "  options:", "    brokers: 'kafka.a:9092'"]
      : ["events:", "  stream:", "    backend: kafka", "    options:", "      brokers: 'kafka.a:9092'"];
  tree.set(
    `${dir}/replicante.yaml`,
    [
      "coordinator:",
      "  options:",
      "    ensemble: 'zk.a:2181/replicante'",
      "",
      ...discovery,
      "",
      ...events,
      "",
      ...storage,
      "",
    ].join("\n"),
  );
  return tree;
}

function datastores(tree: FileMap, cluster: string): string[] {
  const loaded = loadRepo(tree);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join("; "));
  const model = loaded.model.clusters.get(cluster);
  return [
    ...new Set(model?.backends.flatMap((b) => b.reach.filter((r) => r.kind === "datastore").map((r) => r.value))),
  ].sort();
}

const sources = fc
  .record({
    version: fc.constantFrom(...Object.keys(SUPPORTED)),
    sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  })
  .chain(({ version, sizes }) =>
    fc.record({
      source: fc.constant<Source>({
        version,
        backends: sizes.map((n, i) => Array.from({ length: n }, (_, j) => `ds-${i}-${j}`)),
      }),
      target: fc.constantFrom(...(SUPPORTED[version] ?? [])),
      grouped: fc.boolean(),
    }),
  );

describe("crossings on generated repos", () => {
  test.prop([sources], { numRuns: 30 })(
    "no step leaves a tree the checker rejects; the target ends reaching every datastore the source reached",
    ({ source, target, grouped }) => {
      const tree = sourceTree(source);
      const reached = datastores(tree, A);
      const issue = request(A, B, target, grouped ? "all: *" : undefined);
      const first = planOk(tree, issue);
      // Operators fill in the scaffold (dependencies, the static site's url) on the prepare PR.
      const prepared = walk(tree, first)[1] as Map<string, string>;
      for (const [path, text] of prepared) prepared.set(path, text.replaceAll("REPLACE-ME", `${B}-deps.internal`));
      expect(checkTree(prepared)).toStrictEqual([]);
      const plan = planOk(prepared, issue);
      expect(plan.steps[0]?.status).toBe("no-diff");
      const trees = walk(prepared, plan);
      for (const [i, step] of plan.steps.entries()) {
        expect(checkTree(trees[i + 1] as FileMap), step.id).toStrictEqual([]);
      }
      const final = trees[trees.length - 1] as FileMap;
      expect(
        loadRepo(final).ok && [
          ...(loadRepo(final) as { model: { clusters: Map<string, unknown> } }).model.clusters.keys(),
        ],
      ).toStrictEqual([B]);
      // An http/settings source's own static site stops being known once its handover.yml entry goes: compare reach
      // after the last adopt step, where both sites are configured.
      const lastAdopt = trees[trees.length - 2] as FileMap;
      expect(datastores(lastAdopt, B)).toStrictEqual(reached);
      expect(datastores(lastAdopt, A)).toStrictEqual([]);
      if (eraOf(source.version) === "files") expect(datastores(final, B)).toStrictEqual(reached);
    },
  );
});
