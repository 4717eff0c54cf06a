// Handover's reading of what a Core container mounts (rule `unmounted-file`) held to the real kustomize: random
// generators, mounts and command lines, built by `kubectl kustomize`, and the files the container would read compared
// with the repo files Handover takes for them.
import { posix } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRepo } from "../../src/repo/index.js";
import { CoreViews, unmountedFiles } from "../../src/repo/core-view.js";
import { ensureKustomize, kustomize } from "./kubectl.js";
import { podsOf, scratch } from "./pods.js";

const missing = ensureKustomize();
/** 250 builds with kubectl, each a process of its own: longer than a unit test, on a busy machine most of all. */
const KUBECTL_MS = 180_000;
const { onDisk } = scratch();

const DIR = "replicore-a";
const CONFIG = `${DIR}/config/replicante.yaml`;
/** The Core config's entries (one relative to the working directory, one absolute), and the repo files Handover reads. */
const ENTRIES = [
  ["conf.d/mongo.yaml", `${DIR}/config/conf.d/mongo.yaml`],
  ["/etc/replicante/conf.d/kafka.yaml", `${DIR}/config/conf.d/kafka.yaml`],
] as const;

const HANDOVER = `version: 1
clusters:
  replicore-a:
    config: ${CONFIG}
    mounts: { /etc/replicante: ${DIR}/config }
`;
const CORE = `storage:
  backend: mongodb
  options: { uri: "mongodb://store-a:27017/" }
discovery:
  backends:
    files:
${ENTRIES.map(([entry]) => `      - ${entry}`).join("\n")}
`;
const discovery = (id: string) => `- cluster_id: ${id}\n  nodes: ["http://${id}-1:37017"]\n`;

// Generator entries: right, under another key, another repo file, or a literal instead of a file.
const configEntry = fc.constantFrom(
  "config/replicante.yaml",
  "replicante.yaml=config/replicante.yaml",
  "core.yaml=config/replicante.yaml",
  "replicante.yaml=config/conf.d/kafka.yaml",
);
const discoveryEntries = fc.subarray([
  "config/conf.d/mongo.yaml",
  "kafka.yaml=config/conf.d/kafka.yaml",
  "mongo.yaml=config/conf.d/kafka.yaml",
  "cassandra.yaml=config/conf.d/mongo.yaml",
]);
const literal = fc.constantFrom(undefined, "kafka.yaml=[]", "mongo.yaml=[]");
const configMount = fc.constantFrom("subPath:replicante.yaml", "subPath:core.yaml", "folder", "folder-items", "none");
const discoveryMount = fc.constantFrom("conf.d", "conf.d-items", "elsewhere", "none");
const configArgs = fc.constantFrom(
  [],
  ["--config", "/etc/replicante/replicante.yaml"],
  ["--config=replicante.yaml"],
  ["--config", "core.yaml"],
);

const shape = fc.record({
  together: fc.boolean(),
  configEntry,
  discoveryEntries,
  literal,
  configMount,
  discoveryMount,
  configArgs,
  namePrefix: fc.constantFrom(undefined, "prod-"),
});
type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

const flow = (items: readonly unknown[]) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;

/** A cluster folder whose StatefulSet mounts its generated ConfigMaps as `s` says. */
function treeOf(s: Shape): Map<string, string> {
  const discoveryName = s.together ? "replicore-config" : "replicore-discovery";
  const generators = s.together
    ? [{ name: "replicore-config", files: [s.configEntry, ...s.discoveryEntries] }]
    : [
        { name: "replicore-config", files: [s.configEntry] },
        { name: "replicore-discovery", files: s.discoveryEntries },
      ];
  const literals = s.literal ? [`    literals: ${flow([s.literal])}`] : [];
  const mounts: string[] = [];
  const volumes = new Map<string, string>();
  const volume = (name: string, configMap: string, items?: [string, string][]) =>
    volumes.set(
      name,
      `{ name: ${name}, configMap: { name: ${configMap}${items ? `, items: ${flow(items.map(([key, path]) => ({ key, path })))}` : ""} } }`,
    );
  if (s.configMount.startsWith("subPath:")) {
    mounts.push(`{ name: config, mountPath: /etc/replicante/replicante.yaml, subPath: ${s.configMount.slice(8)} }`);
    volume("config", "replicore-config");
  } else if (s.configMount === "folder") {
    mounts.push("{ name: config, mountPath: /etc/replicante }");
    volume("config", "replicore-config");
  } else if (s.configMount === "folder-items") {
    mounts.push("{ name: config, mountPath: /etc/replicante }");
    volume("config", "replicore-config", [
      ["replicante.yaml", "replicante.yaml"],
      ["mongo.yaml", "conf.d/mongo.yaml"],
    ]);
  }
  if (s.discoveryMount !== "none") {
    const at = s.discoveryMount === "elsewhere" ? "/etc/discovery" : "/etc/replicante/conf.d";
    mounts.push(`{ name: discovery, mountPath: ${at} }`);
    volume(
      "discovery",
      discoveryName,
      s.discoveryMount === "conf.d-items" ? [["kafka.yaml", "kafka.yaml"]] : undefined,
    );
  }
  const kustomization = [
    "resources: [statefulset.yaml]",
    ...(s.namePrefix ? [`namePrefix: ${s.namePrefix}`] : []),
    "configMapGenerator:",
    ...generators.flatMap((g, i) => [
      `  - name: ${g.name}`,
      `    files: ${flow(g.files)}`,
      // The literal goes to the generator the discovery volume mounts.
      ...(i === generators.length - 1 ? literals : []),
    ]),
  ].join("\n");
  const statefulset = `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: replicore-a }
spec:
  selector: { matchLabels: { app: replicore-a } }
  template:
    metadata: { labels: { app: replicore-a } }
    spec:
      containers:
        - name: replicante
          image: replicanteio/replicante:v0.3.1
          workingDir: /etc/replicante
          args: ${flow(s.configArgs)}
          volumeMounts: [${mounts.join(", ")}]
      volumes: [${[...volumes.values()].join(", ")}]
`;
  return new Map([
    [".github/handover.yml", HANDOVER],
    [`${DIR}/kustomization.yaml`, `${kustomization}\n`],
    [`${DIR}/statefulset.yaml`, statefulset],
    [CONFIG, CORE],
    [`${DIR}/config/conf.d/mongo.yaml`, discovery("mongo")],
    [`${DIR}/config/conf.d/kafka.yaml`, discovery("kafka")],
  ]);
}

/**
 * What the built pod says is wrong, as the rule's subjects: the keys `items` name and the ConfigMap lacks, when the pod
 * would not start; else the config path when the container would not read Handover's config there (then nothing more:
 * the discovery files it lists are another config's); else each entry whose file it would not read from the repo file
 * Handover takes for it.
 */
function wrongInPod(tree: Map<string, string>, yaml: string): string[] {
  const [pod] = podsOf(yaml);
  if (!pod) throw new Error("the build has no Core container");
  if (pod.unset.length > 0) return pod.unset;
  if (pod.files.get(pod.config) !== tree.get(CONFIG)) return [pod.config];
  return ENTRIES.filter(([entry, file]) => pod.files.get(posix.resolve(pod.cwd, entry)) !== tree.get(file)).map(
    ([entry]) => entry,
  );
}

describe.skipIf(missing !== undefined)("a Core container's files, against the real kustomize", () => {
  it(
    "Handover reports exactly the paths where the built pod would not read the repo file Handover takes for it",
    () => {
      let built = 0;
      const seen = new Set<string>();
      fc.assert(
        fc.property(shape, (s) => {
          const tree = treeOf(s);
          const out = kustomize(posix.join(onDisk(tree), DIR));
          // Two entries of one generator under one key: kustomize refuses the build, and there is no pod to compare.
          if (!out.ok) return;
          built++;
          const loaded = loadRepo(tree);
          if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join("; "));
          const cluster = loaded.model.clusters.get("replicore-a");
          if (!cluster) throw new Error("no cluster");
          const wrong = wrongInPod(tree, out.yaml);
          seen.add(wrong.join(" "));
          const found = unmountedFiles(new CoreViews(tree), cluster, DIR);
          expect(found.map((v) => v.subject).sort(), JSON.stringify(s)).toStrictEqual([...wrong].sort());
          // The check's own load reports the same.
          expect(loaded.model.packaging.filter((v) => v.rule === "unmounted-file")).toStrictEqual(found);
        }),
        { numRuns: 250, seed: 20261129 },
      );
      // The shapes reach every outcome: all read right, the config wrong, one entry or both wrong, a pod that does not
      // start (keys its volumes' items name and its ConfigMaps lack).
      expect(built).toBeGreaterThan(120);
      expect([...seen].sort()).toStrictEqual(
        [
          "",
          "/etc/replicante/replicante.yaml",
          ENTRIES[0][0],
          ENTRIES[1][0],
          `${ENTRIES[0][0]} ${ENTRIES[1][0]}`,
          "/etc/replicante/core.yaml",
          "kafka.yaml",
          "mongo.yaml",
          "mongo.yaml kafka.yaml",
          "replicante.yaml mongo.yaml",
        ].sort(),
      );
    },
    KUBECTL_MS,
  );
});
